/**
 * Max and average pooling over NCHW tensors (PyTorch's `F.max_pool2d` and
 * `F.avg_pool2d`) on the backend's window kernels. Both backward passes are
 * linear maps recorded as ops whose VJPs are the forward maps again, so
 * gradients of gradients work.
 *
 * @module
 */

import { getBackend, jsBackend, type Window2d } from "../backend.ts";
import { record } from "../graph.ts";
import { allocate, Tensor } from "../tensor.ts";
import { pair, window2d } from "./conv.ts";

/** Options of {@linkcode maxPool2d} and {@linkcode avgPool2d}. */
export interface PoolOptions {
  /** Rows and columns between neighbouring windows. @default {the pool size} */
  stride?: number | readonly [number, number];
  /** Padding on every side (−∞ for max, zeros for average), at most half the window. @default {0} */
  padding?: number | readonly [number, number];
  /** Rows and columns between a window's neighbouring taps (max pooling only). @default {1} */
  dilation?: number | readonly [number, number];
  /** Average pooling: divide by the whole window, padding included (PyTorch's default), or by the positions inside the input. @default {true} */
  countIncludePad?: boolean;
}

function checkInput(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`Cannot apply ${op} as the input must be a Tensor: current value is ${typeof x}`);
  }
  if (x.rank !== 4) {
    throw new RangeError(`Cannot apply ${op} as the input must be [N, C, H, W]: current shape is [${x.shape}]`);
  }
}

/** The pooling window, with PyTorch's limit on padding (at most half the span of the window). */
function poolWindow(op: string, x: Tensor, poolSize: unknown, options: PoolOptions, dilated: boolean): Window2d {
  const kernel = pair(op, "poolSize", poolSize, 0, 1);
  const strideOrKernel = options.stride === undefined ? kernel : pair(op, "stride", options.stride, 1, 1);
  const [ph, pw] = pair(op, "padding", options.padding, 0, 0);
  const [dh, dw] = dilated ? pair(op, "dilation", options.dilation, 1, 1) : [1, 1];
  if (!dilated && options.dilation !== undefined) {
    throw new TypeError(`Cannot apply ${op} as it has no dilation option (max pooling has)`);
  }
  const spanH = dh * (kernel[0] - 1) + 1, spanW = dw * (kernel[1] - 1) + 1;
  if (2 * ph > spanH || 2 * pw > spanW) {
    throw new RangeError(
      `Cannot apply ${op} as padding must be at most half the window (${spanH}×${spanW}), as in PyTorch: current value is [${ph}, ${pw}]`,
    );
  }
  return window2d({
    owner: op,
    inputShape: x.shape,
    kernel,
    stride: strideOrKernel,
    padding: [ph, pw],
    dilation: [dh, dw],
  });
}

/** Adds each `g[i]` into a zero tensor of `shape` at `indices[i]` (skipping −1): the VJP of the max. */
function scatterAt(g: Tensor, indices: Int32Array, shape: readonly number[]): Tensor {
  const data = allocate(g.dtype, shape.reduce((p, n) => p * n, 1));
  const v = g.data;
  for (let i = 0; i < indices.length; i++) {
    const at = indices[i];
    if (at >= 0) data[at] += v[i];
  }
  return record("maxPool2dBackward", data, shape, [g], (gg) => [gatherAt(gg, indices, g.shape)]);
}

/** `out[i] = x[indices[i]]` (0 for −1): the adjoint of {@linkcode scatterAt}. */
function gatherAt(x: Tensor, indices: Int32Array, shape: readonly number[]): Tensor {
  const data = allocate(x.dtype, indices.length, false);
  const v = x.data;
  for (let i = 0; i < indices.length; i++) {
    const at = indices[i];
    data[i] = at >= 0 ? v[at] : 0;
  }
  return record("maxPool2dGather", data, shape, [x], (g) => [scatterAt(g, indices, x.shape)]);
}

/**
 * Max pooling (PyTorch's `F.max_pool2d` without `ceil_mode`): the largest
 * value of each `kh×kw` window, the windows `stride` apart (by default the
 * pool size: no overlap), padding counting as −∞. The gradient goes to the
 * first position holding the maximum in row-major window order, as in
 * PyTorch's CPU kernel (its subgradient where values tie); NaN propagates.
 *
 * @param x The input, `[N, C, H, W]`.
 * @param poolSize The window, a number or `[kh, kw]`.
 * @param options `stride`, `padding`, `dilation`.
 * @returns `[N, C, outH, outW]`.
 * @throws {TypeError} When `x` is not a Tensor.
 * @throws {RangeError} When `x` is not rank 4, an option is out of range, or the output would be empty.
 *
 * @example
 * ```ts
 * import { maxPool2d } from "./pool.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const x = tensor([1, 5, 2, 0, 3, 4, 8, 6, 7, 1, 0, 2, 9, 3, 4, 4], [1, 1, 4, 4]);
 * assert.deepEqual(maxPool2d(x, 2).toArray(), [[[[5, 8], [9, 4]]]]);
 * ```
 */
export function maxPool2d(x: Tensor, poolSize: number | readonly [number, number], options: PoolOptions = {}): Tensor {
  checkInput("maxPool2d", x);
  if (options.countIncludePad !== undefined) {
    throw new TypeError("Cannot apply maxPool2d as it has no countIncludePad option (average pooling has)");
  }
  const win = poolWindow("maxPool2d", x, poolSize, options, true);
  const shape = [win.batch, win.channels, win.outHeight, win.outWidth];
  const size = shape.reduce((p, n) => p * n, 1);
  // The indices live in a pooled float32 buffer (the same bytes as an Int32Array), so that a training
  // step's arena gives them back with the activations.
  const data = allocate(x.dtype, size, false);
  const indices = new Int32Array(allocate("float32", size, false).buffer, 0, size);
  (getBackend().maxPool2d ?? jsBackend.maxPool2d!)(x.data, data, indices, win);
  return record("maxPool2d", data, shape, [x], (g) => [scatterAt(g, indices, x.shape)]);
}

function avgPoolBackward(g: Tensor, win: Window2d, countIncludePad: boolean): Tensor {
  const shape = [win.batch, win.channels, win.height, win.width];
  const data = allocate(g.dtype, shape.reduce((p, n) => p * n, 1), false);
  (getBackend().avgPool2dBackward ?? jsBackend.avgPool2dBackward!)(g.data, data, win, countIncludePad);
  return record("avgPool2dBackward", data, shape, [g], (gg) => [avgPoolOp(gg, win, countIncludePad)]);
}

function avgPoolOp(x: Tensor, win: Window2d, countIncludePad: boolean): Tensor {
  const shape = [win.batch, win.channels, win.outHeight, win.outWidth];
  const data = allocate(x.dtype, shape.reduce((p, n) => p * n, 1), false);
  (getBackend().avgPool2d ?? jsBackend.avgPool2d!)(x.data, data, win, countIncludePad);
  return record("avgPool2d", data, shape, [x], (g) => [avgPoolBackward(g, win, countIncludePad)]);
}

/**
 * Average pooling (PyTorch's `F.avg_pool2d` without `ceil_mode`): the mean
 * of each `kh×kw` window, the windows `stride` apart (by default the pool
 * size), padding counting as zeros in the mean (`countIncludePad`, PyTorch's
 * default) or left out of it. A linear map: its VJP spreads each cotangent
 * evenly over the window.
 *
 * @param x The input, `[N, C, H, W]`.
 * @param poolSize The window, a number or `[kh, kw]`.
 * @param options `stride`, `padding`, `countIncludePad`.
 * @returns `[N, C, outH, outW]`.
 * @throws {TypeError} When `x` is not a Tensor.
 * @throws {RangeError} When `x` is not rank 4, an option is out of range, or the output would be empty.
 *
 * @example
 * ```ts
 * import { avgPool2d } from "./pool.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const x = tensor([1, 5, 2, 0, 3, 4, 8, 6, 7, 1, 0, 2, 9, 3, 4, 4], [1, 1, 4, 4]);
 * assert.deepEqual(avgPool2d(x, 2).toArray(), [[[[3.25, 4], [5, 2.5]]]]);
 * ```
 */
export function avgPool2d(x: Tensor, poolSize: number | readonly [number, number], options: PoolOptions = {}): Tensor {
  checkInput("avgPool2d", x);
  const countIncludePad = options.countIncludePad ?? true;
  if (typeof countIncludePad !== "boolean") {
    throw new TypeError(
      `Cannot apply avgPool2d as countIncludePad must be true or false: current value is ${
        JSON.stringify(countIncludePad)
      }`,
    );
  }
  const win = poolWindow("avgPool2d", x, poolSize, options, false);
  return avgPoolOp(x, win, countIncludePad);
}
