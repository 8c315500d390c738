/**
 * The rectified linear unit as a layer.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { relu as reluOp } from "../../core/ops/mod.ts";
import { checkKeys } from "../../core/options.ts";
import { activationLayer } from "./_activation.ts";

/** Options for {@linkcode relu} (none). */
export type ReluOptions = Record<string, never>;

/**
 * The rectified linear unit `φ(x) = x if x > 0, else 0` applied elementwise
 * (seed 000, "Sub-gradients", Eg1). It is not differentiable at 0; there the
 * subgradient 0 is used, as in `torch.nn.ReLU`, so `φ′(x) = 1 if x > 0, else 0`.
 * Pair it with He initialization (`"he-uniform"`, `"he-normal"`).
 *
 * @param options None.
 * @returns The layer (no parameters, no state; output shape = input shape).
 * @throws {TypeError} For an unknown option.
 *
 * @example
 * ```ts
 * import { relu } from "./relu.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = relu();
 * const { params, state } = layer.init([3], new Random(0));
 * assert.deepEqual(layer.apply(params, state, tensor([[-2, 0, 3]]), { training: false }).output.toArray(), [[0, 0, 3]]);
 * ```
 */
export function relu(options: ReluOptions = {}): Layer {
  checkKeys('layer "relu"', options, []);
  return activationLayer(reluOp);
}

/** Registers {@linkcode relu} as layer "relu". */
const plugin: Plugin<"layer", ReluOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "relu",
  description: "Rectified linear unit max(x, 0), elementwise (subgradient 0 at 0).",
  defaults: {},
  create: relu,
};
export default plugin;
