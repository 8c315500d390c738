/**
 * Softmax cross-entropy from logits, with class indices or one-hot (probability) targets.
 *
 * @module
 */

import type { Loss, Plugin } from "../../core/interfaces.ts";
import { sparseSoftmaxCrossEntropy } from "../../core/ops/fused.ts";
import { add, cast, gather, logSoftmax, mean, mul, neg, reshape, sum } from "../../core/ops/mod.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { shapesEqual } from "../../core/tensor.ts";
import { checkLabels, checkLogits } from "./_labels.ts";
import { checkReduction, reduceLoss, type Reduction } from "./_reduction.ts";

/** Options for {@linkcode softmaxCrossEntropy}. */
export interface SoftmaxCrossEntropyOptions {
  /** Combine the per-sample losses by `"mean"` over the batch, `"sum"`, or `"none"` (shape `[batch]`). @default {"mean"} */
  reduction?: Reduction;
  /**
   * Label smoothing ε in [0, 1]: the target becomes (1 − ε)·target + ε/M,
   * a mix with the uniform distribution over the M classes (PyTorch's
   * `label_smoothing`; Szegedy et al. 2016). @default {0}
   */
  labelSmoothing?: number;
}

/**
 * The cross-entropy between targets y and the softmax of logits o over M
 * classes (seed 000, "Loss Functions"):
 *   p^k = e^{o^k} / Σⱼ e^{o^j},   C = −Σⱼ y^j ln p^j
 * computed stably as −Σⱼ y^j·logSoftmax(o)^j (the largest logit is subtracted
 * before exponentiating), so float32 logits [89, 0] give no NaN. Its gradient
 * is ∂C/∂o = p − y.
 *
 * Predictions are logits of shape `[batch, classes]`. Targets are either
 * integer class labels of shape `[batch]` or `[batch, 1]` (each in
 * `[0, classes)`), or one-hot / probability vectors of the logits' shape;
 * a target of exactly the logits' shape is always read as probabilities.
 *
 * Exactly PyTorch's `CrossEntropyLoss` for 2-D input (no `weight`, no
 * `ignore_index`): `"mean"` averages over the batch, and with
 * `labelSmoothing` ε the loss for a label y is (1 − ε)·(−ln p^y) + ε·(−Σⱼ ln p^j)/M,
 * and for probability targets y becomes (1 − ε)·y + ε/M. Seed 000 writes the
 * loss as Σⱼ y^j log p^j, without the minus sign that makes it a quantity to
 * minimize.
 *
 * With integer labels and no label smoothing, the per-sample losses come from
 * one fused op (`sparseSoftmaxCrossEntropy` in core/ops/fused.ts: ln Σⱼ e^{o^j} − o^y
 * in one stable pass per row, gradient (p − onehot(y))·g built from ops so it is
 * differentiable again) rather than a full log-softmax and a gather; probability
 * targets and label smoothing use the composition above. Both agree up to rounding.
 *
 * @param options `reduction`, `labelSmoothing`.
 * @returns The loss `(logits, targets) → Tensor`.
 *
 * @example Labels or one-hot targets give the same loss
 * ```ts
 * import { softmaxCrossEntropy } from "./softmax_cross_entropy.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const loss = softmaxCrossEntropy();
 * const logits = tensor([[0, 0], [0, Math.log(3)]]);
 * const expected = (Math.log(2) + Math.log(4 / 3)) / 2;
 * assert.ok(Math.abs(loss(logits, tensor([0, 1])).item() - expected) < 1e-12);
 * assert.ok(Math.abs(loss(logits, tensor([[1, 0], [0, 1]])).item() - expected) < 1e-12);
 * ```
 */
export function softmaxCrossEntropy(options: SoftmaxCrossEntropyOptions = {}): Loss {
  const owner = 'loss "softmax-cross-entropy"';
  checkKeys(owner, options, ["reduction", "labelSmoothing"]);
  const reduction = checkReduction(owner, options.reduction);
  const smoothing = checkNumber(owner, "labelSmoothing", options.labelSmoothing, 0, { min: 0, max: 1 });
  return (predictions, targets) => {
    checkLogits(owner, predictions, targets);
    const [batch, classes] = predictions.shape;
    let perSample;
    if (shapesEqual(targets.shape, predictions.shape)) {
      let y = cast(targets, predictions.dtype);
      if (smoothing > 0) y = add(mul(y, 1 - smoothing), smoothing / classes);
      perSample = neg(sum(mul(y, logSoftmax(predictions, 1)), { axis: 1 }));
    } else {
      const labels = checkLabels(owner, predictions, targets);
      if (smoothing === 0) return reduceLoss(sparseSoftmaxCrossEntropy(predictions, labels), reduction);
      const logp = logSoftmax(predictions, 1);
      perSample = neg(reshape(gather(logp, labels, 1), [batch]));
      perSample = add(mul(perSample, 1 - smoothing), mul(neg(mean(logp, { axis: 1 })), smoothing));
    }
    return reduceLoss(perSample, reduction);
  };
}

/** Registers {@linkcode softmaxCrossEntropy} as loss "softmax-cross-entropy". */
const plugin: Plugin<"loss", SoftmaxCrossEntropyOptions> = {
  apiVersion: 1,
  kind: "loss",
  name: "softmax-cross-entropy",
  description: "−Σ y·logSoftmax(o) from logits, with class indices or one-hot (probability) targets (stable).",
  defaults: { reduction: "mean", labelSmoothing: 0 },
  create: softmaxCrossEntropy,
};
export default plugin;
