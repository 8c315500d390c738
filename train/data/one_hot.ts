/**
 * One-hot encoding of class labels.
 *
 * @module
 */

import { type DType, Tensor } from "../../core/tensor.ts";
import { dataArray } from "./_dtype.ts";

/**
 * Encodes class numbers as one-hot rows: label k becomes a row of zeros with a
 * 1 in column k (the targets of softmax cross-entropy, seed 000).
 *
 * @param labels Class numbers: a tensor of shape `[n]` or `[n, 1]`, or an array.
 * @param classes The number of classes. @default {the largest label + 1}
 * @param dtype The element type. @default {the labels tensor's dtype; float32 for an array}
 * @returns A tensor of shape `[n, classes]`.
 * @throws {RangeError} When a label is not an integer in [0, classes).
 *
 * @example
 * ```ts
 * import { oneHot } from "./one_hot.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(oneHot([2, 0], 3).toArray(), [[0, 0, 1], [1, 0, 0]]);
 * ```
 */
export function oneHot(labels: Tensor | ArrayLike<number>, classes?: number, dtype?: DType): Tensor {
  const values = labels instanceof Tensor ? labels.data : labels;
  if (labels instanceof Tensor && labels.size !== labels.shape[0]) {
    throw new RangeError(
      `Cannot one-hot encode as labels must have shape [n] or [n, 1]: current shape is [${labels.shape}]`,
    );
  }
  let k = classes;
  if (k === undefined) {
    k = 0;
    for (let i = 0; i < values.length; i++) k = Math.max(k, Math.floor(values[i]) + 1);
  }
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`Cannot one-hot encode as classes must be a positive integer: current value is ${k}`);
  }
  if (dtype !== undefined && dtype !== "float32" && dtype !== "float64") {
    throw new RangeError(
      `Cannot one-hot encode as dtype must be one of "float32", "float64": current value is ${JSON.stringify(dtype)}`,
    );
  }
  const out = dataArray(dtype ?? (labels instanceof Tensor ? labels.dtype : "float32"), values.length * k);
  for (let i = 0; i < values.length; i++) {
    const c = values[i];
    if (!Number.isInteger(c) || c < 0 || c >= k) {
      throw new RangeError(
        `Cannot one-hot encode as every label must be an integer in [0, ${k}): label ${i} is ${c}`,
      );
    }
    out[i * k + c] = 1;
  }
  return new Tensor(out, [values.length, k]);
}
