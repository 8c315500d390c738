/**
 * Softplus as a layer.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { softplus as softplusOp } from "../../core/ops/mod.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { activationLayer } from "./_activation.ts";

/** Options for {@linkcode softplus}. */
export interface SoftplusOptions {
  /** β, the sharpness: (1/β)·log(1 + e^{βx}). @default {1} */
  beta?: number;
  /** Where βx exceeds it, the output is x itself (for numerical stability). @default {20} */
  threshold?: number;
}

/**
 * Softplus `φ(x) = (1/β)·log(1 + e^{βx})` applied elementwise, a smooth ReLU
 * (Dugas et al. 2001), as `torch.nn.Softplus(β, threshold)`: where βx is
 * above the threshold the output is x (the two differ there by less than
 * e^{−threshold}/β). Computed with `log1p`; the derivative is σ(βx).
 *
 * @param options `beta` (non-zero, default 1), `threshold` (default 20).
 * @returns The layer (no parameters, no state; output shape = input shape).
 * @throws {RangeError} When β is 0.
 * @throws {TypeError} For an unknown option or a non-finite value.
 *
 * @example
 * ```ts
 * import { softplus } from "./softplus.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = softplus();
 * const { params, state } = layer.init([2], new Random(0));
 * assert.deepEqual(layer.apply(params, state, tensor([[0, 50]]), { training: false }).output.toArray(), [[Math.LN2, 50]]);
 * ```
 */
export function softplus(options: SoftplusOptions = {}): Layer {
  const owner = 'layer "softplus"';
  checkKeys(owner, options, ["beta", "threshold"]);
  const beta = checkNumber(owner, "beta", options.beta, 1);
  const threshold = checkNumber(owner, "threshold", options.threshold, 20);
  if (beta === 0) throw new RangeError(`Cannot create ${owner} as beta must not be 0: current value is 0`);
  return activationLayer((x) => softplusOp(x, { beta, threshold }));
}

/** Registers {@linkcode softplus} as layer "softplus". */
const plugin: Plugin<"layer", SoftplusOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "softplus",
  description: "Softplus (1/β)·log(1 + e^{βx}), linear above the threshold (PyTorch's Softplus).",
  defaults: { beta: 1, threshold: 20 },
  create: softplus,
};
export default plugin;
