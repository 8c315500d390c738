/**
 * Binary cross-entropy from probabilities.
 *
 * @module
 */

import type { Loss, Plugin } from "../../core/interfaces.ts";
import * as libm from "../../core/libm.ts";
import { cast, customVjp, div, log, maximum, mul, sub } from "../../core/ops/mod.ts";
import { checkKeys } from "../../core/options.ts";
import { allocate, Tensor } from "../../core/tensor.ts";
import { checkReduction, checkSameShape, reduceLoss, type Reduction } from "./_reduction.ts";

/** Options for {@linkcode binaryCrossEntropy}. */
export interface BinaryCrossEntropyOptions {
  /** Combine the per-element losses by `"mean"` over all elements, `"sum"`, or `"none"`. @default {"mean"} */
  reduction?: Reduction;
}

/** PyTorch's floor for each logarithm, so a probability of exactly 0 or 1 gives a finite loss. */
const LOG_FLOOR = -100;
/** PyTorch's floor for `a(1 − a)` in the gradient. */
const EPSILON = 1e-12;

function checkProbabilities(owner: string, what: string, t: Tensor): void {
  const data = t.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v >= 0 && v <= 1)) {
      throw new RangeError(
        `Cannot compute ${owner} as every ${what} must be a probability in [0, 1]: current value is ${v} (element ${i})`,
      );
    }
  }
}

/** The per-element loss, with PyTorch's clamped logarithms and gradient. */
const elementwise = customVjp(
  "binaryCrossEntropy",
  (a: Tensor, y: Tensor) => {
    const out = allocate(a.dtype, a.size);
    for (let i = 0; i < out.length; i++) {
      const p = a.data[i], t = y.data[i];
      const logP = Math.max(libm.log(p), LOG_FLOOR);
      const logQ = Math.max(libm.log1p(-p), LOG_FLOOR);
      out[i] = -(t * logP + (1 - t) * logQ) + 0; // + 0 turns −0 into 0
    }
    return { output: new Tensor(out, a.shape), saved: null };
  },
  (g, _saved, [a, y]) => [
    // ∂C/∂a = (a − y) / max(a(1 − a), 1e-12), built from ops so it differentiates again.
    a._node === null ? null : mul(g, div(sub(a, y), maximum(mul(a, sub(1, a)), EPSILON))),
    // ∂C/∂y = log(1 − a) − log a, each clamped at −100 as in the forward pass.
    y._node === null ? null : mul(g, sub(maximum(log(sub(1, a)), LOG_FLOOR), maximum(log(a), LOG_FLOOR))),
  ],
);

/**
 * Binary cross-entropy of probabilities `a` against targets `y` in [0, 1],
 * seed 002's eq. 25 per element:
 *   C = −[y·ln a + (1 − y)·ln(1 − a)]
 * averaged over all elements (`reduction: "mean"`). Its derivative is
 * ∂C/∂a = (a − y) / (a(1 − a)); after a sigmoid output unit a = σ(z) it
 * becomes δ = a − y (seed 002, eq. 26), which is why it learns faster than
 * the quadratic cost.
 *
 * Exactly PyTorch's `BCELoss` (no `weight`): each logarithm is clamped at
 * −100, so a prediction of exactly 0 or 1 gives a finite loss (at most 100
 * per element), and the gradient divides by max(a(1 − a), 1e-12), so it stays
 * finite too. Predictions and targets must have the same shape and lie in
 * [0, 1], as PyTorch requires. Seed 002 sums over outputs and divides by the
 * number of samples m; `"mean"` divides by every element instead (use
 * `"sum"` and divide by m for the seed's scale). For logits, prefer the
 * stabler `binary-cross-entropy-with-logits`.
 *
 * @param options `reduction`.
 * @returns The loss `(predictions, targets) → Tensor`.
 *
 * @example
 * ```ts
 * import { binaryCrossEntropy } from "./binary_cross_entropy.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const bce = binaryCrossEntropy();
 * assert.ok(Math.abs(bce(tensor([0.8, 0.4]), tensor([1, 0])).item() - -(Math.log(0.8) + Math.log(0.6)) / 2) < 1e-12);
 * assert.equal(bce(tensor([0]), tensor([1])).item(), 100); // clamped, like PyTorch
 * ```
 */
export function binaryCrossEntropy(options: BinaryCrossEntropyOptions = {}): Loss {
  const owner = 'loss "binary-cross-entropy"';
  checkKeys(owner, options, ["reduction"]);
  const reduction = checkReduction(owner, options.reduction);
  return (predictions, targets) => {
    checkSameShape(owner, predictions, targets);
    checkProbabilities(owner, "prediction", predictions);
    checkProbabilities(owner, "target", targets);
    return reduceLoss(elementwise(predictions, cast(targets, predictions.dtype)), reduction);
  };
}

/** Registers {@linkcode binaryCrossEntropy} as loss "binary-cross-entropy". */
const plugin: Plugin<"loss", BinaryCrossEntropyOptions> = {
  apiVersion: 1,
  kind: "loss",
  name: "binary-cross-entropy",
  description: "−[y·ln a + (1 − y)·ln(1 − a)] from probabilities a, logs clamped at −100 like PyTorch.",
  defaults: { reduction: "mean" },
  create: binaryCrossEntropy,
};
export default plugin;
