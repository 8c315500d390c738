/**
 * Row selection for datasets: the batch axis is axis 0.
 *
 * @module
 */

import { allocate, Tensor } from "../../core/tensor.ts";
import { firstNonFinite } from "../diagnostics.ts";

/** Inputs and targets with one sample per row (axis 0). */
export interface Dataset {
  /** The inputs, `[samples, ...inputShape]`. */
  x: Tensor;
  /** The targets, `[samples, ...]`. */
  y: Tensor;
}

/**
 * Copies the rows of `x` at `indices` into a new tensor (no flow-graph node).
 *
 * @param x A tensor of rank ≥ 1.
 * @param indices Row numbers in [0, x.shape[0]).
 * @returns A tensor of shape `[indices.length, ...x.shape.slice(1)]`.
 * @throws {RangeError} When an index is out of range.
 *
 * @example
 * ```ts
 * import { takeRows } from "./_rows.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(takeRows(tensor([[1, 2], [3, 4], [5, 6]]), [2, 0]).toArray(), [[5, 6], [1, 2]]);
 * ```
 */
export function takeRows(x: Tensor, indices: ArrayLike<number>): Tensor {
  const rows = x.shape[0];
  const width = rows === 0 ? 0 : x.size / rows;
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i];
    if (!Number.isInteger(r) || r < 0 || r >= rows) {
      throw new RangeError(`Cannot take rows as every index must be an integer in [0, ${rows}): current value is ${r}`);
    }
  }
  // Every element is written: a reused buffer need not be zeroed first.
  const out = allocate(x.dtype, indices.length * width, false);
  // The trainer gathers every batch's inputs and targets: a row copy (memcpy) for wide rows, a loop for narrow ones
  // (a one-hot target row of 10 would cost more in its subarray view than in the copy).
  const data = x.data;
  if (width >= 64) {
    for (let i = 0; i < indices.length; i++) {
      out.set(data.subarray(indices[i] * width, (indices[i] + 1) * width), i * width);
    }
  } else {
    for (let i = 0, o = 0; i < indices.length; i++) {
      for (let j = indices[i] * width, end = j + width; j < end; j++) out[o++] = data[j];
    }
  }
  return new Tensor(out, [indices.length, ...x.shape.slice(1)]);
}

/**
 * Checks that a value is a dataset whose inputs and targets have the same number of rows.
 *
 * @param what What the caller was doing, for the message ("train", …).
 * @param name The option's name ("data", "validation").
 * @param data The value given.
 * @returns The dataset.
 * @throws {TypeError} When `x` or `y` is not a tensor.
 * @throws {RangeError} When the row counts differ or there are no rows.
 *
 * @example
 * ```ts
 * import { checkDataset } from "./_rows.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => checkDataset("train", "data", { x: tensor([[1], [2]]), y: tensor([[1]]) }), RangeError);
 * ```
 */
export function checkDataset(what: string, name: string, data: unknown): Dataset {
  const d = data as Partial<Dataset> | null | undefined;
  if (!(d?.x instanceof Tensor) || !(d?.y instanceof Tensor)) {
    throw new TypeError(
      `Cannot ${what} as ${name} must be { x: Tensor, y: Tensor }: current value is ${
        d === null ? "null" : typeof d === "object" ? `{ ${Object.keys(d).join(", ")} }` : typeof d
      }`,
    );
  }
  if (d.x.rank < 1 || d.y.rank < 1 || d.x.shape[0] !== d.y.shape[0]) {
    throw new RangeError(
      `Cannot ${what} as ${name}.x and ${name}.y must have the same number of rows (axis 0): current shapes are [${d.x.shape}] and [${d.y.shape}]`,
    );
  }
  if (d.x.shape[0] === 0) {
    throw new RangeError(`Cannot ${what} as ${name} must hold at least one sample: current shape is [${d.x.shape}]`);
  }
  for (const key of ["x", "y"] as const) {
    const t = d[key]!;
    const i = firstNonFinite(t.data);
    if (i !== -1) {
      const perRow = t.size / t.shape[0];
      throw new RangeError(
        `Cannot ${what} as ${name}.${key} must hold finite numbers: row ${Math.floor(i / perRow)}, element ${
          i % perRow
        } is ${t.data[i]}`,
      );
    }
  }
  return { x: d.x, y: d.y };
}

/**
 * Concatenates tensors along the batch axis (plain copy, no flow-graph node).
 *
 * @param parts Tensors with equal shapes after axis 0.
 * @returns One tensor.
 *
 * @example
 * ```ts
 * import { concatRows } from "./_rows.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(concatRows([tensor([[1]]), tensor([[2], [3]])]).toArray(), [[1], [2], [3]]);
 * ```
 */
export function concatRows(parts: readonly Tensor[]): Tensor {
  if (parts.length === 1) return parts[0];
  const size = parts.reduce((s, p) => s + p.size, 0), rows = parts.reduce((s, p) => s + p.shape[0], 0);
  const data = parts[0].dtype === "float32" ? new Float32Array(size) : new Float64Array(size);
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.size;
  }
  return new Tensor(data, [rows, ...parts[0].shape.slice(1)]);
}
