/**
 * The binary hinge loss of support vector machines.
 *
 * @module
 */

import type { Loss, Plugin } from "../../core/interfaces.ts";
import { cast, mul, relu, sub } from "../../core/ops/mod.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import type { Tensor } from "../../core/tensor.ts";
import { checkReduction, checkSameShape, reduceLoss, type Reduction } from "./_reduction.ts";

/** Options for {@linkcode hinge}. */
export interface HingeOptions {
  /** Combine the per-element losses by `"mean"` over all elements, `"sum"`, or `"none"`. @default {"mean"} */
  reduction?: Reduction;
  /** The margin m in max(0, m − t·y), a number ≥ 0. @default {1} */
  margin?: number;
}

function checkSigns(owner: string, targets: Tensor): void {
  const data = targets.data;
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== 1 && data[i] !== -1) {
      throw new RangeError(
        `Cannot compute ${owner} as every target must be −1 or +1: current value is ${data[i]} (element ${i})`,
      );
    }
  }
}

/**
 * The hinge loss of seed 000 ("Sub-gradients"), the loss of support vector
 * machines, per element, for a score y and a label t ∈ {−1, +1}:
 *   C = max(0, m − t·y)     (m = 1 in the seed)
 * averaged over all elements. It is not differentiable where t·y = m; there
 * the subgradient 0 is used (as ReLU's at 0), so ∂C/∂y = −t where t·y < m
 * and 0 elsewhere. It is piecewise linear: its second derivative is 0 almost
 * everywhere.
 *
 * PyTorch has no binary hinge loss (`HingeEmbeddingLoss` and `SoftMarginLoss`
 * are different losses); this is Keras's `Hinge` and scikit-learn's
 * `hinge_loss`, except that labels must already be ±1 (Keras maps 0/1 to
 * −1/+1 silently; here 0 is an error). Predictions and targets must have the
 * same shape.
 *
 * @param options `reduction`, `margin`.
 * @returns The loss `(scores, labels) → Tensor`.
 *
 * @example
 * ```ts
 * import { hinge } from "./hinge.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * // max(0, 1 − 2) = 0, max(0, 1 − 0.5) = 0.5, max(0, 1 + 0.5) = 1.5
 * assert.deepEqual(hinge({ reduction: "none" })(tensor([2, 0.5, 0.5]), tensor([1, 1, -1])).toArray(), [0, 0.5, 1.5]);
 * ```
 */
export function hinge(options: HingeOptions = {}): Loss {
  const owner = 'loss "hinge"';
  checkKeys(owner, options, ["reduction", "margin"]);
  const reduction = checkReduction(owner, options.reduction);
  const margin = checkNumber(owner, "margin", options.margin, 1, { min: 0 });
  return (predictions, targets) => {
    checkSameShape(owner, predictions, targets);
    checkSigns(owner, targets);
    return reduceLoss(relu(sub(margin, mul(cast(targets, predictions.dtype), predictions))), reduction);
  };
}

/** Registers {@linkcode hinge} as loss "hinge". */
const plugin: Plugin<"loss", HingeOptions> = {
  apiVersion: 1,
  kind: "loss",
  name: "hinge",
  description: "SVM hinge loss max(0, m − t·y) for labels t = ±1 (seed 000).",
  defaults: { reduction: "mean", margin: 1 },
  create: hinge,
};
export default plugin;
