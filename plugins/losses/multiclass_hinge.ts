/**
 * The multi-class hinge loss (Weston and Watkins; PyTorch's `MultiMarginLoss`).
 *
 * @module
 */

import type { Loss, Plugin } from "../../core/interfaces.ts";
import { add, div, gather, mul, relu, square, sub, sum } from "../../core/ops/mod.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { checkLabels, checkLogits, oneHot } from "./_labels.ts";
import { checkReduction, reduceLoss, type Reduction } from "./_reduction.ts";

/** Options for {@linkcode multiclassHinge}. */
export interface MulticlassHingeOptions {
  /** Combine the per-sample losses by `"mean"` over the batch, `"sum"`, or `"none"` (shape `[batch]`). @default {"mean"} */
  reduction?: Reduction;
  /** The margin m, a number ≥ 0. @default {1} */
  margin?: number;
  /** The power p of each violation: 1 (hinge) or 2 (squared hinge). @default {1} */
  p?: 1 | 2;
}

/**
 * The multi-class hinge loss, for scores x of shape `[batch, classes]` and
 * the true class y of each sample:
 *   C = Σ_{i≠y} max(0, m − x[y] + x[i])^p / M
 * over the M classes: every wrong class whose score comes within m of the
 * true class's score adds the violation. With two classes and p = 1 it is
 * seed 000's SVM hinge max(0, 1 − t·s) up to scaling (s the score
 * difference). It is piecewise linear for p = 1 (subgradient 0 at each
 * kink, as ReLU's) and once differentiable for p = 2.
 *
 * Exactly PyTorch's `MultiMarginLoss` (no `weight`): defaults p = 1 and
 * m = 1, the sum divided by the number of classes M, and `"mean"` averaging
 * over the batch. Targets are class indices of shape `[batch]` or
 * `[batch, 1]` in `[0, classes)`.
 *
 * @param options `reduction`, `margin`, `p`.
 * @returns The loss `(scores, labels) → Tensor`.
 *
 * @example
 * ```ts
 * import { multiclassHinge } from "./multiclass_hinge.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * // PyTorch's documented example: (max(0, 1 − 0.8 + 0.1) + max(0, 1 − 0.8 + 0.2) + max(0, 1 − 0.8 + 0.4)) / 4
 * const loss = multiclassHinge()(tensor([[0.1, 0.2, 0.4, 0.8]]), tensor([3]));
 * assert.ok(Math.abs(loss.item() - 0.325) < 1e-12);
 * ```
 */
export function multiclassHinge(options: MulticlassHingeOptions = {}): Loss {
  const owner = 'loss "multiclass-hinge"';
  checkKeys(owner, options, ["reduction", "margin", "p"]);
  const reduction = checkReduction(owner, options.reduction);
  const margin = checkNumber(owner, "margin", options.margin, 1, { min: 0 });
  const p = checkNumber(owner, "p", options.p, 1, { min: 1, max: 2, integer: true });
  return (predictions, targets) => {
    checkLogits(owner, predictions, targets);
    const classes = predictions.shape[1];
    const labels = checkLabels(owner, predictions, targets);
    const others = sub(1, oneHot(labels, classes, predictions));
    const trueScore = gather(predictions, labels, 1);
    let violation = mul(relu(add(sub(predictions, trueScore), margin)), others);
    if (p === 2) violation = square(violation);
    return reduceLoss(div(sum(violation, { axis: 1 }), classes), reduction);
  };
}

/** Registers {@linkcode multiclassHinge} as loss "multiclass-hinge". */
const plugin: Plugin<"loss", MulticlassHingeOptions> = {
  apiVersion: 1,
  kind: "loss",
  name: "multiclass-hinge",
  description: "Σ_{i≠y} max(0, m − x[y] + x[i])^p / M, PyTorch's MultiMarginLoss.",
  defaults: { reduction: "mean", margin: 1, p: 1 },
  create: multiclassHinge,
};
export default plugin;
