/**
 * Reductions (`sum`, `mean`, `max`, `logSumExp`), the softmax family, and the
 * broadcast pair `broadcastTo` / `sumTo` whose VJPs are each other.
 *
 * @module
 */

import { getBackend, type ReduceKernel } from "../backend.ts";
import { record } from "../graph.ts";
import { allocate, broadcastShapes, shapesEqual, sizeOf, stridesOf, Tensor } from "../tensor.ts";
import { add, div, equal, exp, isFinite, log, mul, sub, where } from "./elementwise.ts";
import { reshape } from "./shape.ts";
import { stopGradient } from "./custom.ts";

/** Options of the reductions. */
export interface ReduceOptions {
  /** The axis or axes to reduce (negative counts from the end). @default {all axes} */
  axis?: number | readonly number[];
  /** Keep reduced axes with length 1, so the result broadcasts against the input. @default {false} */
  keepDims?: boolean;
}

/**
 * Resolves an `axis` option to sorted, distinct, non-negative axes.
 *
 * @param op The op name, for the error message.
 * @param rank The input's rank.
 * @param axis The axis option (all axes when undefined).
 * @returns The axes.
 * @throws {RangeError} When an axis is not an integer in [−rank, rank).
 *
 * @example
 * ```ts
 * import { normalizeAxes } from "./reduce.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(normalizeAxes("sum", 3, -1), [2]);
 * assert.deepEqual(normalizeAxes("sum", 2, undefined), [0, 1]);
 * ```
 */
export function normalizeAxes(op: string, rank: number, axis: number | readonly number[] | undefined): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : [...axis];
  const out = new Set<number>();
  for (const a of list) {
    if (!Number.isInteger(a) || a < -rank || a >= Math.max(rank, 1)) {
      throw new RangeError(
        `Cannot ${op} as axis must be an integer in [${-rank}, ${
          Math.max(rank, 1) - 1
        }] for a rank-${rank} tensor: current value is ${a}`,
      );
    }
    if (rank > 0) out.add(a < 0 ? a + rank : a);
  }
  return [...out].sort((x, y) => x - y);
}

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((n, i) => (axes.includes(i) ? 1 : n));
}

function droppedShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.filter((_, i) => !axes.includes(i));
}

/** Runs a backend reduction over each axis in turn; returns data of the kept shape. */
function reduceAxes(kernel: ReduceKernel, x: Tensor, axes: readonly number[]): Float32Array | Float64Array {
  let data = x.data;
  const shape = [...x.shape];
  for (const axis of axes) {
    const n = shape[axis];
    const outer = shape.slice(0, axis).reduce((p, v) => p * v, 1);
    const inner = shape.slice(axis + 1).reduce((p, v) => p * v, 1);
    const out = allocate(x.dtype, outer * inner);
    if (n === 0) out.fill(kernel === "sum" ? 0 : -Infinity);
    else getBackend().reduce(kernel, data, outer, n, inner, out);
    data = out;
    shape[axis] = 1;
  }
  return axes.length === 0 ? data.slice() : data;
}

/**
 * The sum of elements over the given axes (all by default).
 *
 * @param x The input.
 * @param options `axis` and `keepDims`.
 * @returns A new tensor.
 *
 * @example Column sums of a matrix
 * ```ts
 * import { sum } from "./reduce.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const x = tensor([[1, 2], [3, 4]]);
 * assert.deepEqual(sum(x, { axis: 0 }).toArray(), [4, 6]);
 * assert.equal(sum(x).item(), 10);
 * ```
 */
export function sum(x: Tensor, options: ReduceOptions = {}): Tensor {
  const axes = normalizeAxes("sum", x.rank, options.axis);
  const kept = keptShape(x.shape, axes);
  const shape = options.keepDims ? kept : droppedShape(x.shape, axes);
  const data = reduceAxes("sum", x, axes);
  return record("sum", data, shape, [x], (g) => [broadcastTo(reshape(g, kept), x.shape)]);
}

/**
 * The mean of elements over the given axes (all by default).
 *
 * @param x The input.
 * @param options `axis` and `keepDims`.
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { mean } from "./reduce.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(mean(tensor([[1, 2], [3, 4]]), { axis: 1 }).toArray(), [1.5, 3.5]);
 * ```
 */
export function mean(x: Tensor, options: ReduceOptions = {}): Tensor {
  const axes = normalizeAxes("mean", x.rank, options.axis);
  const count = axes.reduce((p, a) => p * x.shape[a], 1);
  return div(sum(x, options), count);
}

/**
 * The maximum over the given axes (all by default); NaN if any element is NaN.
 * The gradient is shared equally among tied maxima, like PyTorch's `amax`.
 *
 * @param x The input.
 * @param options `axis` and `keepDims`.
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { max } from "./reduce.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(max(tensor([[1, 7], [9, 2]]), { axis: 1 }).toArray(), [7, 9]);
 * ```
 */
export function max(x: Tensor, options: ReduceOptions = {}): Tensor {
  const axes = normalizeAxes("max", x.rank, options.axis);
  const kept = keptShape(x.shape, axes);
  const shape = options.keepDims ? kept : droppedShape(x.shape, axes);
  const data = reduceAxes("max", x, axes);
  const out: Tensor = record("max", data, shape, [x], (g) => {
    const mask = equal(x, new Tensor(data, kept));
    const count = sum(mask, { axis: axes, keepDims: true });
    return [mul(reshape(g, kept), div(mask, count))];
  });
  return out;
}

/**
 * `log Σ exp(x)` over the given axes (all by default), computed stably: the
 * maximum is subtracted before exponentiating, so `logSumExp([710, 0])` is 710.
 *
 * @param x The input.
 * @param options `axis` and `keepDims`.
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { logSumExp } from "./reduce.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(logSumExp(tensor([710, 0])).item(), 710);
 * ```
 */
export function logSumExp(x: Tensor, options: ReduceOptions = {}): Tensor {
  const axes = normalizeAxes("logSumExp", x.rank, options.axis);
  const shift = maxShift(x, axes);
  const out = add(log(sum(exp(sub(x, shift)), { axis: axes, keepDims: true })), shift);
  return options.keepDims ? out : reshape(out, droppedShape(x.shape, axes));
}

/** The (finite) maximum over `axes`, kept as a constant: subtracting it keeps `exp` from overflowing. */
function maxShift(x: Tensor, axes: readonly number[]): Tensor {
  const m = stopGradient(max(x, { axis: axes, keepDims: true }));
  return where(isFinite(m), m, 0);
}

/**
 * `log softmax(x)` along one axis: `x − logSumExp(x)`, computed as
 * `(x − m) − log Σ e^{x − m}` with m the maximum, stable for large inputs.
 *
 * @param x The input (logits).
 * @param axis The class axis. @default {-1}
 * @returns A new tensor of the same shape.
 *
 * @example
 * ```ts
 * import { logSoftmax } from "./reduce.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const y = logSoftmax(tensor([0, 0]));
 * assert.ok(Math.abs(y.data[0] - Math.log(0.5)) < 1e-12);
 * ```
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const axes = normalizeAxes("logSoftmax", x.rank, axis);
  const shifted = sub(x, maxShift(x, axes));
  return sub(shifted, log(sum(exp(shifted), { axis: axes, keepDims: true })));
}

/**
 * The softmax `e^{xₖ} / Σⱼ e^{xⱼ}` along one axis (seed 000, "Loss Functions"),
 * stable for large inputs: float32 `[89, 0]` gives no NaN.
 *
 * @param x The input (logits).
 * @param axis The class axis. @default {-1}
 * @returns A new tensor of the same shape whose slices along `axis` sum to 1.
 *
 * @example
 * ```ts
 * import { softmax } from "./reduce.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(softmax(tensor([1, 1])).toArray(), [0.5, 0.5]);
 * ```
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  const axes = normalizeAxes("softmax", x.rank, axis);
  const e = exp(sub(x, maxShift(x, axes)));
  return div(e, sum(e, { axis: axes, keepDims: true }));
}

/**
 * Repeats `x` along axes of length 1 (and new leading axes) to reach `shape`.
 *
 * @param x The input.
 * @param shape A shape that `x.shape` broadcasts to.
 * @returns `x` itself when the shape already matches, else a new tensor.
 * @throws {RangeError} When `x.shape` does not broadcast to `shape`.
 *
 * @example
 * ```ts
 * import { broadcastTo } from "./reduce.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(broadcastTo(tensor([1, 2]), [2, 2]).toArray(), [[1, 2], [1, 2]]);
 * ```
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(x.shape, shape)) return x;
  const target = broadcastShapes("broadcastTo", x.shape, shape);
  if (!shapesEqual(target, shape)) {
    throw new RangeError(
      `Cannot broadcastTo as shape [${x.shape}] does not broadcast to [${shape}]: the result would be [${target}]`,
    );
  }
  const size = sizeOf(shape);
  const data = allocate(x.dtype, size);
  const r = shape.length;
  const src = new Array<number>(r).fill(0);
  const xs = stridesOf(x.shape);
  for (let i = 0; i < x.rank; i++) src[r - x.rank + i] = x.shape[i] === 1 ? 0 : xs[i];
  const counter = new Array<number>(r).fill(0);
  let offset = 0;
  const last = r - 1;
  const n = r === 0 ? 1 : shape[last];
  const inner = r === 0 ? 0 : src[last];
  for (let o = 0; o < size; o += n) {
    for (let j = 0; j < n; j++) data[o + j] = x.data[offset + j * inner];
    for (let axis = last - 1; axis >= 0; axis--) {
      counter[axis]++;
      offset += src[axis];
      if (counter[axis] < shape[axis]) break;
      offset -= src[axis] * shape[axis];
      counter[axis] = 0;
    }
  }
  return record("broadcastTo", data, shape, [x], (g) => [sumTo(g, x.shape)]);
}

/**
 * Sums `x` over the axes that broadcasting added or stretched, to get back
 * `shape`: the VJP of broadcasting.
 *
 * @param x The input.
 * @param shape A shape that broadcasts to `x.shape`.
 * @returns `x` itself when the shape already matches, else a new tensor.
 *
 * @example
 * ```ts
 * import { sumTo } from "./reduce.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(sumTo(tensor([[1, 2], [3, 4]]), [2]).toArray(), [4, 6]);
 * ```
 */
export function sumTo(x: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(x.shape, shape)) return x;
  const lead = x.rank - shape.length;
  if (lead < 0) {
    throw new RangeError(`Cannot sumTo shape [${shape}] from the lower-rank shape [${x.shape}]`);
  }
  const axes: number[] = [];
  for (let i = 0; i < x.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && x.shape[i] !== 1)) axes.push(i);
    else if (shape[i - lead] !== x.shape[i]) {
      throw new RangeError(`Cannot sumTo shape [${shape}] from [${x.shape}]: axis ${i} has length ${x.shape[i]}`);
    }
  }
  return reshape(sum(x, { axis: axes, keepDims: true }), shape);
}
