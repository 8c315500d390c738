/**
 * The exponential linear unit as a layer.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { elu as eluOp } from "../../core/ops/mod.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { activationLayer } from "./_activation.ts";

/** Options for {@linkcode elu}. */
export interface EluOptions {
  /** α: negative inputs approach −α. @default {1} */
  alpha?: number;
}

/**
 * The exponential linear unit `φ(x) = x if x > 0, else α·(eˣ − 1)` applied
 * elementwise (Clevert, Unterthiner and Hochreiter, ICLR 2016), as
 * `torch.nn.ELU(α)`; `eˣ − 1` is computed as `expm1`, exact near 0. Its
 * derivative is 1 for x > 0 and α·eˣ otherwise (continuous at 0 for α = 1).
 *
 * @param options `alpha` (a finite number, default 1).
 * @returns The layer (no parameters, no state; output shape = input shape).
 * @throws {TypeError} For an unknown option or a non-finite α.
 *
 * @example
 * ```ts
 * import { elu } from "./elu.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = elu();
 * const { params, state } = layer.init([2], new Random(0));
 * const { output } = layer.apply(params, state, tensor([[-1000, 2]]), { training: false });
 * assert.deepEqual(output.toArray(), [[-1, 2]]);
 * ```
 */
export function elu(options: EluOptions = {}): Layer {
  const owner = 'layer "elu"';
  checkKeys(owner, options, ["alpha"]);
  const alpha = checkNumber(owner, "alpha", options.alpha, 1);
  return activationLayer((x) => eluOp(x, alpha));
}

/** Registers {@linkcode elu} as layer "elu". */
const plugin: Plugin<"layer", EluOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "elu",
  description: "Exponential linear unit: x if x > 0, else α·(eˣ − 1) (PyTorch's ELU, α = 1).",
  defaults: { alpha: 1 },
  create: elu,
};
export default plugin;
