/**
 * Class-label targets shared by the classification losses
 * (`softmax-cross-entropy`, `multiclass-hinge`): shape checks, range checks,
 * and the constant one-hot mask.
 *
 * @module
 */

import { allocate, Tensor } from "../../core/tensor.ts";

/**
 * Checks that the predictions are a tensor of logits of shape `[batch, classes]`
 * with at least two classes.
 *
 * @param owner Who is asking, e.g. `loss "multiclass-hinge"`.
 * @param logits The predictions.
 * @param targets The targets (only checked to be a tensor).
 * @throws {TypeError} When either is not a Tensor.
 * @throws {RangeError} When the logits are not of rank 2 with at least two classes.
 *
 * @example
 * ```ts
 * import { checkLogits } from "./_labels.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => checkLogits('loss "x"', tensor([1, 2]), tensor([0])), /\[batch, classes\]/);
 * assert.throws(() => checkLogits('loss "x"', tensor([[1], [2]]), tensor([0, 1])), /at least 2 classes/);
 * ```
 */
export function checkLogits(owner: string, logits: Tensor, targets: Tensor): void {
  if (!(logits instanceof Tensor) || !(targets instanceof Tensor)) {
    throw new TypeError(`Cannot compute ${owner} as predictions and targets must be Tensors`);
  }
  if (logits.rank !== 2 || logits.shape[1] < 2) {
    // One class would make every loss 0 (the softmax of one logit is 1): a model with one output unit
    // against labels 0..2, say, must fail here rather than train silently on nothing.
    throw new RangeError(
      `Cannot compute ${owner} as predictions must be logits of shape [batch, classes] with at least 2 classes: current shape is [${logits.shape}]${
        logits.rank === 2 ? " (one output unit: give the last layer one unit per class)" : ""
      }`,
    );
  }
}

/**
 * Checks integer class labels against logits of shape `[batch, classes]`:
 * labels of shape `[batch]` or `[batch, 1]`, each an integer in `[0, classes)`.
 *
 * @param owner Who is asking.
 * @param logits Logits of shape `[batch, classes]` (already checked by {@linkcode checkLogits}).
 * @param labels The labels.
 * @returns The labels as an index tensor of shape `[batch, 1]`, for `gather` along axis 1.
 * @throws {RangeError} Naming both shapes when they do not fit, or the first label out of range.
 *
 * @example
 * ```ts
 * import { checkLabels } from "./_labels.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const logits = tensor([[1, 2, 3], [4, 5, 6]]);
 * assert.deepEqual(checkLabels('loss "x"', logits, tensor([2, 0])).shape, [2, 1]);
 * assert.throws(() => checkLabels('loss "x"', logits, tensor([2, 3])), /\[0, 3\).*current value is 3/);
 * ```
 */
export function checkLabels(owner: string, logits: Tensor, labels: Tensor): Tensor {
  const [batch, classes] = logits.shape;
  const fits = (labels.rank === 1 && labels.shape[0] === batch) ||
    (labels.rank === 2 && labels.shape[0] === batch && labels.shape[1] === 1);
  if (!fits) {
    throw new RangeError(
      `Cannot compute ${owner} for predictions of shape [${logits.shape}] and targets of shape [${labels.shape}]: targets must be labels of shape [${batch}] or [${batch}, 1], or probabilities of shape [${logits.shape}]`,
    );
  }
  const data = labels.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new RangeError(
        `Cannot compute ${owner} as every label must be an integer in [0, ${classes}) for ${classes} classes: current value is ${v} (sample ${i})`,
      );
    }
  }
  return new Tensor(Float64Array.from(data), [batch, 1]);
}

/**
 * A constant one-hot mask: row `i` has a 1 in column `indices[i]`.
 *
 * @param indices Labels as returned by {@linkcode checkLabels}, shape `[batch, 1]`.
 * @param classes The number of classes.
 * @param like A tensor whose dtype the mask takes (so float32 logits stay float32).
 * @returns A tensor of shape `[batch, classes]`.
 *
 * @example
 * ```ts
 * import { oneHot } from "./_labels.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(oneHot(tensor([[1], [0]]), 2, tensor([0])).toArray(), [[0, 1], [1, 0]]);
 * ```
 */
export function oneHot(indices: Tensor, classes: number, like: Tensor): Tensor {
  const batch = indices.size;
  const data = allocate(like.dtype, batch * classes);
  for (let i = 0; i < batch; i++) data[i * classes + indices.data[i]] = 1;
  return new Tensor(data, [batch, classes]);
}
