/**
 * The sigmoid activation as a layer.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { sigmoid as sigmoidOp } from "../../core/ops/mod.ts";
import { checkKeys } from "../../core/options.ts";
import { activationLayer } from "./_activation.ts";

/** Options for {@linkcode sigmoid} (none). */
export type SigmoidOptions = Record<string, never>;

/**
 * The logistic sigmoid `σ(z) = 1 / (1 + e^{−z})` applied elementwise (seed
 * 002, eq. 8), the hidden unit of seed 000's homework network. Stable in both
 * tails; `σ′ = σ(1 − σ)` (seed 003).
 *
 * @param options None.
 * @returns The layer.
 *
 * @example
 * ```ts
 * import { sigmoid } from "./sigmoid.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = sigmoid();
 * const { params, state } = layer.init([1], new Random(0));
 * assert.deepEqual(layer.apply(params, state, tensor([[0]]), { training: true }).output.toArray(), [[0.5]]);
 * ```
 */
export function sigmoid(options: SigmoidOptions = {}): Layer {
  checkKeys('layer "sigmoid"', options, []);
  return activationLayer(sigmoidOp);
}

/** Registers {@linkcode sigmoid} as layer "sigmoid". */
const plugin: Plugin<"layer", SigmoidOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "sigmoid",
  description: "Logistic sigmoid 1/(1+e^−z), elementwise.",
  defaults: {},
  create: sigmoid,
};
export default plugin;
