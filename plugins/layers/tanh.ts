/**
 * The hyperbolic tangent as a layer.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { tanh as tanhOp } from "../../core/ops/mod.ts";
import { checkKeys } from "../../core/options.ts";
import { activationLayer } from "./_activation.ts";

/** Options for {@linkcode tanh} (none). */
export type TanhOptions = Record<string, never>;

/**
 * The hyperbolic tangent `σ(z) = tanh(z) = (e^z − e^{−z}) / (e^z + e^{−z})`
 * applied elementwise, with values in (−1, 1) (seed 003, "Common choices for
 * σ"). Its derivative is `1 − tanh²(z)`; like `torch.nn.Tanh`, it saturates
 * to ±1 without overflow for large |z|.
 *
 * @param options None.
 * @returns The layer (no parameters, no state; output shape = input shape).
 * @throws {TypeError} For an unknown option.
 *
 * @example
 * ```ts
 * import { tanh } from "./tanh.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = tanh();
 * const { params, state } = layer.init([2], new Random(0));
 * assert.deepEqual(layer.apply(params, state, tensor([[0, 1000]]), { training: false }).output.toArray(), [[0, 1]]);
 * ```
 */
export function tanh(options: TanhOptions = {}): Layer {
  checkKeys('layer "tanh"', options, []);
  return activationLayer(tanhOp);
}

/** Registers {@linkcode tanh} as layer "tanh". */
const plugin: Plugin<"layer", TanhOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "tanh",
  description: "Hyperbolic tangent, elementwise.",
  defaults: {},
  create: tanh,
};
export default plugin;
