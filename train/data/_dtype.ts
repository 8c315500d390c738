/**
 * The element type of the data sets the loaders and generators make.
 *
 * @module
 */

import { checkChoice } from "../../core/options.ts";
import type { DType, TypedArray } from "../../core/tensor.ts";

/**
 * Validates a loader's `dtype` option. Data sets are float32 unless told otherwise, as in
 * PyTorch and Keras (layers then follow the data's dtype); float64 is one option away.
 *
 * @param owner Who is asking, e.g. `dataset "xor"`.
 * @param value The value given.
 * @returns The dtype (default `"float32"`).
 * @throws {RangeError} For a value other than `"float32"` or `"float64"`.
 *
 * @example
 * ```ts
 * import { checkDataDtype } from "./_dtype.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkDataDtype('dataset "xor"', undefined), "float32");
 * assert.throws(() => checkDataDtype('dataset "xor"', "float16"), /dtype must be one of "float32", "float64"/);
 * ```
 */
export function checkDataDtype(owner: string, value: unknown): DType {
  return checkChoice(owner, "dtype", value, "float32", ["float32", "float64"] as const);
}

/**
 * A new zero-filled array of a dtype (not from the allocator's pool: a data set lives as long as its user keeps it).
 *
 * @param dtype The element type.
 * @param length The number of elements.
 * @returns A `Float32Array` or `Float64Array`.
 *
 * @example
 * ```ts
 * import { dataArray } from "./_dtype.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(dataArray("float32", 3) instanceof Float32Array);
 * ```
 */
export function dataArray(dtype: DType, length: number): TypedArray {
  return dtype === "float32" ? new Float32Array(length) : new Float64Array(length);
}
