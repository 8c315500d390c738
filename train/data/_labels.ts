/**
 * How the binary-classification generators encode their labels.
 *
 * @module
 */

import { checkChoice } from "../../core/options.ts";
import { type DType, Tensor } from "../../core/tensor.ts";
import { dataArray } from "./_dtype.ts";

/**
 * The target encodings of a two-class generator: `"binary"` gives `[n, 1]`
 * targets in {0, 1} (sigmoid output with MSE or cross-entropy), `"sign"` gives
 * {−1, +1} (hinge loss, seed 000), `"one-hot"` gives `[n, 2]` rows (softmax).
 */
export type LabelEncoding = "binary" | "sign" | "one-hot";

/**
 * Validates the `labels` option.
 *
 * @param owner Who is asking, e.g. `dataset "xor"`.
 * @param value The value given.
 * @returns The encoding (default `"binary"`).
 *
 * @example
 * ```ts
 * import { checkLabels } from "./_labels.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkLabels('dataset "xor"', undefined), "binary");
 * ```
 */
export function checkLabels(owner: string, value: unknown): LabelEncoding {
  return checkChoice(owner, "labels", value, "binary", ["binary", "sign", "one-hot"] as const);
}

/**
 * Encodes class numbers 0/1 as targets.
 *
 * @param classes One class number (0 or 1) per sample.
 * @param encoding The encoding.
 * @param dtype The targets' element type. @default {"float32"}
 * @returns `[n, 1]` or (one-hot) `[n, 2]` targets.
 *
 * @example
 * ```ts
 * import { encodeBinary } from "./_labels.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(encodeBinary([0, 1], "sign").toArray(), [[-1], [1]]);
 * assert.deepEqual(encodeBinary([0, 1], "one-hot").toArray(), [[1, 0], [0, 1]]);
 * ```
 */
export function encodeBinary(classes: readonly number[], encoding: LabelEncoding, dtype: DType = "float32"): Tensor {
  const n = classes.length;
  if (encoding === "one-hot") {
    const data = dataArray(dtype, 2 * n);
    classes.forEach((c, i) => (data[2 * i + c] = 1));
    return new Tensor(data, [n, 2]);
  }
  const data = dataArray(dtype, n);
  classes.forEach((c, i) => (data[i] = encoding === "sign" ? 2 * c - 1 : c));
  return new Tensor(data, [n, 1]);
}
