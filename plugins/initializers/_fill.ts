/**
 * The checks and the fill loop shared by the initializers: every initializer
 * validates the shape, dtype and generator it is called with the same way, so
 * a bad call gets the same kind of message from each.
 *
 * @module
 */

import type { Random } from "../../core/random.ts";
import { allocate, type DType, Tensor } from "../../core/tensor.ts";

function show(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "an object";
  return String(value);
}

/**
 * Checks the arguments an initializer is called with and returns the element
 * count.
 *
 * @param owner The initializer, e.g. `initializer "normal"`.
 * @param shape The requested shape.
 * @param dtype The requested dtype.
 * @param rng The generator, or `undefined` when the initializer draws nothing.
 * @param needsRng Whether the initializer draws random numbers.
 * @returns The number of elements of `shape`.
 * @throws {TypeError} When `shape` is not an array, or `rng` is not a `Random` and one is needed.
 * @throws {RangeError} When an axis length is not a non-negative integer, or `dtype` is not float32/float64.
 *
 * @example
 * ```ts
 * import { checkInitArgs } from "./_fill.ts";
 * import { Random } from "../../core/random.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkInitArgs('initializer "normal"', [2, 3], "float64", new Random(0), true), 6);
 * assert.throws(() => checkInitArgs('initializer "normal"', [2, -3], "float64", new Random(0), true), RangeError);
 * ```
 */
export function checkInitArgs(
  owner: string,
  shape: unknown,
  dtype: unknown,
  rng: unknown,
  needsRng: boolean,
): number {
  if (!Array.isArray(shape)) {
    throw new TypeError(
      `Cannot initialize with ${owner} as shape must be an array of axis lengths: current value is ${show(shape)}`,
    );
  }
  let size = 1;
  for (const n of shape) {
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
      throw new RangeError(
        `Cannot initialize with ${owner} as every axis length must be a non-negative integer: current shape is ${
          show(shape)
        }`,
      );
    }
    size *= n;
  }
  if (dtype !== "float32" && dtype !== "float64") {
    throw new RangeError(
      `Cannot initialize with ${owner} as dtype must be "float32" or "float64": current value is ${show(dtype)}`,
    );
  }
  // Duck-typed, so a Random from another copy of gradflow (imported by URL) still works.
  const r = rng as Partial<Random> | null | undefined;
  if (needsRng && (typeof r?.uniform !== "function" || typeof r?.normal !== "function")) {
    throw new TypeError(
      `Cannot initialize with ${owner} as rng must be a Random (new Random(seed)): current value is ${show(rng)}`,
    );
  }
  return size;
}

/**
 * Makes a tensor whose elements are successive values of `draw`, in row-major
 * order, after checking the arguments with {@linkcode checkInitArgs}.
 *
 * @param owner The initializer, for messages.
 * @param shape The shape.
 * @param dtype The dtype (values are drawn in float64, then stored).
 * @param rng The generator passed to `draw`.
 * @param draw One value per call.
 * @returns The new tensor.
 *
 * @example
 * ```ts
 * import { fillTensor } from "./_fill.ts";
 * import { Random } from "../../core/random.ts";
 * import assert from "node:assert/strict";
 *
 * const t = fillTensor('initializer "uniform"', [2], "float32", new Random(0), (r) => r.uniform(0, 1));
 * assert.equal(t.dtype, "float32");
 * ```
 */
export function fillTensor(
  owner: string,
  shape: readonly number[],
  dtype: DType,
  rng: Random,
  draw: (rng: Random) => number,
): Tensor {
  const size = checkInitArgs(owner, shape, dtype, rng, true);
  const data = allocate(dtype, size);
  for (let i = 0; i < size; i++) data[i] = draw(rng);
  return new Tensor(data, shape);
}
