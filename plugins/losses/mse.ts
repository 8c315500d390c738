/**
 * Mean squared error.
 *
 * @module
 */

import type { Loss, Plugin } from "../../core/interfaces.ts";
import { square, sub } from "../../core/ops/mod.ts";
import { checkKeys } from "../../core/options.ts";
import { checkReduction, checkSameShape, reduceLoss, type Reduction } from "./_reduction.ts";

/** Options for {@linkcode mse}. */
export interface MseOptions {
  /** Combine the squared errors by `"mean"` over all elements, `"sum"`, or `"none"`. @default {"mean"} */
  reduction?: Reduction;
}

/**
 * Mean squared error, `(1/N) Σᵢ (oᵢ − tᵢ)²` over all N elements, as PyTorch's
 * `MSELoss`. The seeds write it unnormalized, `Σᵢ Σⱼ (tᵢʲ − oᵢʲ)²` (seed 000),
 * or halved, `(1/2m) Σ ‖ŷ − y‖²` (seed 002); these differ only by a constant
 * factor, which rescales the learning rate: use `reduction: "sum"` for seed 000's.
 *
 * @param options `reduction`.
 * @returns The loss.
 *
 * @example
 * ```ts
 * import { mse } from "./mse.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(mse()(tensor([1, 2]), tensor([1, 4])).item(), 2);
 * ```
 */
export function mse(options: MseOptions = {}): Loss {
  const owner = 'loss "mse"';
  checkKeys(owner, options, ["reduction"]);
  const reduction = checkReduction(owner, options.reduction);
  return (predictions, targets) => {
    checkSameShape(owner, predictions, targets);
    return reduceLoss(square(sub(predictions, targets)), reduction);
  };
}

/** Registers {@linkcode mse} as loss "mse". */
const plugin: Plugin<"loss", MseOptions> = {
  apiVersion: 1,
  kind: "loss",
  name: "mse",
  description: "Mean squared error (1/N)·Σ(o − t)².",
  defaults: { reduction: "mean" },
  create: mse,
};
export default plugin;
