/**
 * Ops that move elements without arithmetic: `reshape`, `transpose`, `slice`,
 * `concat`, `gather` (and its VJP `scatterAdd`).
 *
 * @module
 */

import { record } from "../graph.ts";
import { allocate, type NestedArray, shapesEqual, sizeOf, stridesOf, Tensor, tensor } from "../tensor.ts";

function checkTensor(op: string, x: unknown, which = "the input"): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(
      `Cannot ${op} as ${which} must be a Tensor: current value is ${x === null ? "null" : typeof x}`,
    );
  }
}

function checkAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new RangeError(
      `Cannot ${op} as axis must be an integer in [${-rank}, ${
        rank - 1
      }] for a rank-${rank} tensor: current value is ${axis}`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * The same elements in a new shape (row-major order is kept; no copy is made).
 * One axis may be `-1`, to be inferred.
 *
 * @param x The input.
 * @param shape The new shape, with the same number of elements.
 * @returns A new tensor sharing the buffer of `x`.
 * @throws {RangeError} When the element counts differ (both shapes are named).
 *
 * @example
 * ```ts
 * import { reshape } from "./shape.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(reshape(tensor([1, 2, 3, 4]), [2, -1]).toArray(), [[1, 2], [3, 4]]);
 * ```
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor("reshape", x);
  const target = [...shape];
  const infer = target.indexOf(-1);
  if (infer !== -1 && target.indexOf(-1, infer + 1) === -1) {
    const rest = target.reduce((p, n, i) => (i === infer ? p : p * n), 1);
    if (rest > 0 && x.size % rest === 0) target[infer] = x.size / rest;
  }
  const size = sizeOf(target, `reshape [${x.shape}] to [${shape}]`);
  if (size !== x.size) {
    throw new RangeError(
      `Cannot reshape a tensor of shape [${x.shape}] (${x.size} elements) to [${shape}]: the new shape holds ${size}`,
    );
  }
  if (shapesEqual(target, x.shape)) return x;
  return record("reshape", x.data, target, [x], (g) => [reshape(g, x.shape)]);
}

/**
 * Permutes the axes. With no permutation, reverses them (a matrix transpose).
 *
 * @param x The input.
 * @param perm The new order of the axes: output axis `i` is input axis `perm[i]`.
 * @returns A new tensor.
 * @throws {RangeError} When `perm` is not a permutation of the axes.
 *
 * @example
 * ```ts
 * import { transpose } from "./shape.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(transpose(tensor([[1, 2, 3]])).toArray(), [[1], [2], [3]]);
 * ```
 */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  checkTensor("transpose", x);
  const p = perm ? [...perm] : x.shape.map((_, i) => x.rank - 1 - i);
  const seen = new Set(p);
  if (p.length !== x.rank || seen.size !== x.rank || p.some((a) => !Number.isInteger(a) || a < 0 || a >= x.rank)) {
    throw new RangeError(
      `Cannot transpose a tensor of shape [${x.shape}] as perm must be a permutation of 0..${
        x.rank - 1
      }: current value is [${perm}]`,
    );
  }
  const shape = p.map((a) => x.shape[a]);
  const inStrides = stridesOf(x.shape);
  const src = p.map((a) => inStrides[a]);
  const data = allocate(x.dtype, x.size);
  const r = shape.length;
  if (x.size > 0) {
    const counter = new Array<number>(r).fill(0);
    let offset = 0;
    for (let i = 0; i < data.length; i++) {
      data[i] = x.data[offset];
      for (let axis = r - 1; axis >= 0; axis--) {
        counter[axis]++;
        offset += src[axis];
        if (counter[axis] < shape[axis]) break;
        offset -= src[axis] * shape[axis];
        counter[axis] = 0;
      }
    }
  }
  const inverse = new Array<number>(r);
  p.forEach((a, i) => (inverse[a] = i));
  return record("transpose", data, shape, [x], (g) => [transpose(g, inverse)]);
}

/** Copies the box `begin…begin+size` of `src` (shape `srcShape`) to or from a dense buffer. */
function copyBox(
  src: Float32Array | Float64Array,
  srcShape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  dst: Float32Array | Float64Array,
  direction: "read" | "write",
): void {
  const total = sizeOf(size);
  if (total === 0) return;
  const strides = stridesOf(srcShape);
  const r = size.length;
  const counter = new Array<number>(r).fill(0);
  let offset = begin.reduce((s, b, i) => s + b * strides[i], 0);
  const n = r === 0 ? 1 : size[r - 1];
  for (let o = 0; o < total; o += n) {
    if (direction === "read") { for (let j = 0; j < n; j++) dst[o + j] = src[offset + j]; }
    else for (let j = 0; j < n; j++) src[offset + j] += dst[o + j];
    for (let axis = r - 2; axis >= 0; axis--) {
      counter[axis]++;
      offset += strides[axis];
      if (counter[axis] < size[axis]) break;
      offset -= strides[axis] * size[axis];
      counter[axis] = 0;
    }
  }
}

function resolveSlice(x: Tensor, begin: readonly number[], size?: readonly number[]): number[] {
  if (begin.length !== x.rank || (size !== undefined && size.length !== x.rank)) {
    throw new RangeError(
      `Cannot slice a tensor of shape [${x.shape}] as begin and size need ${x.rank} entries: current values are [${begin}] and [${size}]`,
    );
  }
  return x.shape.map((n, i) => {
    const b = begin[i];
    const s = size === undefined || size[i] === -1 ? n - b : size[i];
    if (!Number.isInteger(b) || !Number.isInteger(s) || b < 0 || s < 0 || b + s > n) {
      throw new RangeError(
        `Cannot slice a tensor of shape [${x.shape}] as axis ${i} must satisfy 0 ≤ begin ≤ begin + size ≤ ${n}: current begin is ${b}, size ${s}`,
      );
    }
    return s;
  });
}

/**
 * A box of `x`: `size[i]` elements from `begin[i]` along each axis (TF.js's
 * `slice`; a size of `-1` runs to the end of the axis).
 *
 * @param x The input.
 * @param begin The first index along each axis.
 * @param size The length along each axis (default: to the end).
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { slice } from "./shape.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(slice(tensor([[1, 2, 3], [4, 5, 6]]), [0, 1], [2, -1]).toArray(), [[2, 3], [5, 6]]);
 * ```
 */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  checkTensor("slice", x);
  const s = resolveSlice(x, begin, size);
  const data = allocate(x.dtype, sizeOf(s));
  copyBox(x.data, x.shape, begin, s, data, "read");
  return record("slice", data, s, [x], (g) => [padBox(g, x.shape, begin)]);
}

/** Places `x` at `begin` inside zeros of `shape`: the VJP of `slice`. */
function padBox(x: Tensor, shape: readonly number[], begin: readonly number[]): Tensor {
  const data = allocate(x.dtype, sizeOf(shape));
  copyBox(data, shape, begin, x.shape, x.data, "write");
  return record("pad", data, shape, [x], (g) => [slice(g, begin, x.shape)]);
}

/**
 * Joins tensors along an existing axis; all other axes must match.
 *
 * @param tensors The tensors, at least one.
 * @param axis The axis to join along. @default {0}
 * @returns A new tensor.
 * @throws {RangeError} When the other axes differ (the shapes are named).
 *
 * @example
 * ```ts
 * import { concat } from "./shape.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(concat([tensor([[1], [2]]), tensor([[3], [4]])], 1).toArray(), [[1, 3], [2, 4]]);
 * ```
 */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new RangeError(`Cannot concat as at least one tensor is needed: current count is ${tensors?.length ?? 0}`);
  }
  tensors.forEach((t, i) => checkTensor("concat", t, `tensor ${i}`));
  const first = tensors[0];
  const ax = checkAxis("concat", axis, first.rank);
  let total = 0;
  for (const t of tensors) {
    if (t.rank !== first.rank || t.shape.some((n: number, i: number) => i !== ax && n !== first.shape[i])) {
      throw new RangeError(
        `Cannot concat shapes [${first.shape}] and [${t.shape}] along axis ${ax}: every other axis must match`,
      );
    }
    total += t.shape[ax];
  }
  const shape = [...first.shape];
  shape[ax] = total;
  const dtype = tensors.some((t) => t.dtype === "float64") ? "float64" : "float32";
  const data = allocate(dtype, sizeOf(shape));
  const begins: number[][] = [];
  let at = 0;
  for (const t of tensors) {
    const begin = shape.map((_, i) => (i === ax ? at : 0));
    begins.push(begin);
    copyBox(data, shape, begin, t.shape, t.data, "write");
    at += t.shape[ax];
  }
  return record("concat", data, shape, tensors, (g) => tensors.map((t, i) => slice(g, begins[i], t.shape)));
}

function toIndices(op: string, indices: Tensor | NestedArray): Tensor {
  const t = indices instanceof Tensor ? indices : tensor(indices as NestedArray);
  for (const v of t.data) {
    if (!Number.isInteger(v)) {
      throw new TypeError(`Cannot ${op} as indices must be integers: found ${v}`);
    }
  }
  return t;
}

function checkGather(op: string, shape: readonly number[], index: Tensor, axis: number): void {
  if (index.rank !== shape.length || index.shape.some((n, i) => i !== axis && n > shape[i])) {
    throw new RangeError(
      `Cannot ${op} as indices must have the rank of the input and no longer axes outside axis ${axis}: shapes are [${shape}] and [${index.shape}]`,
    );
  }
  for (const v of index.data) {
    if (v < 0 || v >= shape[axis]) {
      throw new RangeError(
        `Cannot ${op} as every index must be in [0, ${shape[axis] - 1}] along axis ${axis}: found ${v}`,
      );
    }
  }
}

/** Visits each position of `index`: calls `visit(indexPosition, sourceOffset)`. */
function forEachGathered(
  shape: readonly number[],
  index: Tensor,
  axis: number,
  visit: (i: number, offset: number) => void,
): void {
  const strides = stridesOf(shape);
  const r = index.rank;
  const counter = new Array<number>(r).fill(0);
  for (let i = 0; i < index.size; i++) {
    let offset = 0;
    for (let a = 0; a < r; a++) offset += (a === axis ? index.data[i] : counter[a]) * strides[a];
    visit(i, offset);
    for (let a = r - 1; a >= 0; a--) {
      if (++counter[a] < index.shape[a]) break;
      counter[a] = 0;
    }
  }
}

/**
 * Picks elements along an axis by index, as PyTorch's `torch.gather`: for
 * `axis = 1`, `out[i][j] = x[i][indices[i][j]]`. The classic use is picking
 * each row's log-probability of its label.
 *
 * @param x The input.
 * @param indices Integer indices with the rank of `x` (a tensor or nested arrays).
 * @param axis The axis to index. @default {0}
 * @returns A new tensor of the shape of `indices`.
 * @throws {RangeError} When an index is out of range or the ranks differ.
 *
 * @example Pick one entry per row
 * ```ts
 * import { gather } from "./shape.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const x = tensor([[10, 11, 12], [20, 21, 22]]);
 * assert.deepEqual(gather(x, [[2], [0]], 1).toArray(), [[12], [20]]);
 * ```
 */
export function gather(x: Tensor, indices: Tensor | NestedArray, axis = 0): Tensor {
  checkTensor("gather", x);
  const ax = checkAxis("gather", axis, x.rank);
  const index = toIndices("gather", indices);
  checkGather("gather", x.shape, index, ax);
  const data = allocate(x.dtype, index.size);
  forEachGathered(x.shape, index, ax, (i, offset) => (data[i] = x.data[offset]));
  return record("gather", data, index.shape, [x], (g) => [scatterAdd(g, index, ax, x.shape)]);
}

/**
 * Adds `values` into zeros of `shape` at the positions `gather` would read:
 * the VJP of {@linkcode gather} (PyTorch's `scatter_add` onto zeros).
 *
 * @param values The values, with the shape of `indices`.
 * @param indices Integer indices, as for `gather`.
 * @param axis The indexed axis.
 * @param shape The output shape.
 * @returns A new tensor of `shape`.
 *
 * @example
 * ```ts
 * import { scatterAdd } from "./shape.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(scatterAdd(tensor([[5], [7]]), [[2], [0]], 1, [2, 3]).toArray(), [[0, 0, 5], [7, 0, 0]]);
 * ```
 */
export function scatterAdd(
  values: Tensor,
  indices: Tensor | NestedArray,
  axis: number,
  shape: readonly number[],
): Tensor {
  checkTensor("scatterAdd", values, "values");
  const ax = checkAxis("scatterAdd", axis, shape.length);
  const index = toIndices("scatterAdd", indices);
  checkGather("scatterAdd", shape, index, ax);
  if (!shapesEqual(values.shape, index.shape)) {
    throw new RangeError(`Cannot scatterAdd values of shape [${values.shape}] with indices of shape [${index.shape}]`);
  }
  const data = allocate(values.dtype, sizeOf(shape));
  forEachGathered(shape, index, ax, (i, offset) => (data[offset] += values.data[i]));
  return record("scatterAdd", data, shape, [values], (g) => [gather(g, index, ax)]);
}

function checkRowIndices(op: string, indices: Tensor, rows: number): void {
  const v = indices.data;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isInteger(v[i]) || v[i] < 0 || v[i] >= rows) {
      throw new RangeError(
        `Cannot ${op} as every index must be an integer in [0, ${rows}): current value is ${
          v[i]
        } (element ${i} of indices [${indices.shape}])`,
      );
    }
  }
}

/**
 * The rows of `table` picked by integer `indices` (PyTorch's `F.embedding`, or
 * `index_select` along axis 0): `out[i…] = table[indices[i…]]`, of shape
 * `[...indices.shape, ...table.shape.slice(1)]`. The indices get no gradient;
 * the table's gradient adds each output row's cotangent into the row it came
 * from ({@linkcode scatterRows}).
 *
 * @param table The table, `[rows, ...]`.
 * @param indices Integers in `[0, rows)`, any shape.
 * @returns A new tensor.
 * @throws {RangeError} When an index is not an integer in range (naming it and its position).
 *
 * @example
 * ```ts
 * import { gatherRows } from "./shape.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const table = tensor([[0, 0], [1, 10], [2, 20]]);
 * assert.deepEqual(gatherRows(table, tensor([[2, 1]])).toArray(), [[[2, 20], [1, 10]]]);
 * ```
 */
export function gatherRows(table: Tensor, indices: Tensor): Tensor {
  checkTensor("gatherRows", table, "the table");
  checkTensor("gatherRows", indices, "the indices");
  if (table.rank < 1) throw new RangeError("Cannot gatherRows from a rank-0 table: it has no rows");
  const rows = table.shape[0], width = table.size / Math.max(rows, 1);
  checkRowIndices("gatherRows", indices, rows);
  const data = allocate(table.dtype, indices.size * width);
  const src = table.data, at = indices.data;
  for (let i = 0; i < at.length; i++) data.set(src.subarray(at[i] * width, (at[i] + 1) * width), i * width);
  const shape = [...indices.shape, ...table.shape.slice(1)];
  return record("gatherRows", data, shape, [table], (g) => [scatterRows(g, indices, rows)]);
}

/**
 * Adds the rows of `values` into zeros of `[rows, ...]` at `indices`: the VJP
 * of {@linkcode gatherRows} (PyTorch's `index_add` onto zeros), whose own VJP is
 * `gatherRows` again.
 *
 * @param values `[...indices.shape, ...rowShape]`.
 * @param indices Integers in `[0, rows)`.
 * @param rows The number of rows of the result.
 * @returns A new `[rows, ...rowShape]` tensor.
 * @throws {RangeError} When the shapes do not fit or an index is out of range.
 *
 * @example
 * ```ts
 * import { scatterRows } from "./shape.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(scatterRows(tensor([[1, 2], [3, 4]]), tensor([1, 1]), 3).toArray(), [[0, 0], [4, 6], [0, 0]]);
 * ```
 */
export function scatterRows(values: Tensor, indices: Tensor, rows: number): Tensor {
  checkTensor("scatterRows", values, "values");
  checkTensor("scatterRows", indices, "the indices");
  const rowShape = values.shape.slice(indices.rank);
  if (!shapesEqual(values.shape.slice(0, indices.rank), indices.shape)) {
    throw new RangeError(
      `Cannot scatterRows values of shape [${values.shape}] with indices of shape [${indices.shape}]: the values must start with the indices' shape`,
    );
  }
  checkRowIndices("scatterRows", indices, rows);
  const width = sizeOf(rowShape);
  const data = allocate(values.dtype, rows * width);
  const src = values.data, at = indices.data;
  for (let i = 0; i < at.length; i++) {
    const d = at[i] * width, s = i * width;
    for (let j = 0; j < width; j++) data[d + j] += src[s + j];
  }
  return record("scatterRows", data, [rows, ...rowShape], [values], (g) => [gatherRows(g, indices)]);
}
