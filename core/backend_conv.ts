/**
 * The TypeScript kernels of convolution and pooling over NCHW data: `im2col`
 * and its adjoint `col2im` (a convolution is then one matrix product on the
 * backend), max pooling with the position of each maximum, and average
 * pooling with its adjoint. They are {@linkcode jsBackend}'s, and so every
 * backend's that does not bring its own.
 *
 * @module
 */

import type { TypedArray } from "./tensor.ts";

/**
 * Where a 2-D sliding window (of a convolution or a pooling) reads an NCHW
 * input: output position `(oh, ow)`, kernel offset `(i, j)` reads input row
 * `oh·strideHeight − padTop + i·dilationHeight` and column
 * `ow·strideWidth − padLeft + j·dilationWidth`; positions outside the input
 * are padding. Padding at the bottom and right is implied by `outHeight` and
 * `outWidth` (so "same" padding may be asymmetric, as PyTorch's).
 */
export interface Window2d {
  /** N, the samples. */
  readonly batch: number;
  /** C, the input channels. */
  readonly channels: number;
  /** H, the input height. */
  readonly height: number;
  /** W, the input width. */
  readonly width: number;
  /** The window's rows. */
  readonly kernelHeight: number;
  /** The window's columns. */
  readonly kernelWidth: number;
  /** Rows between neighbouring windows. */
  readonly strideHeight: number;
  /** Columns between neighbouring windows. */
  readonly strideWidth: number;
  /** Rows between a window's neighbouring taps. */
  readonly dilationHeight: number;
  /** Columns between a window's neighbouring taps. */
  readonly dilationWidth: number;
  /** Padding rows above the input. */
  readonly padTop: number;
  /** Padding columns left of the input. */
  readonly padLeft: number;
  /** The output height. */
  readonly outHeight: number;
  /** The output width. */
  readonly outWidth: number;
}

/**
 * im2col: `out[(c·kh + i)·kw + j, (n·outH + oh)·outW + ow]` is the input value
 * that kernel tap `(c, i, j)` of output position `(n, oh, ow)` reads (0 in the
 * padding): a `[C·kh·kw, N·outH·outW]` matrix, written in full.
 */
function im2col(x: TypedArray, out: TypedArray, g: Window2d): void {
  const { batch, channels, height, width, kernelHeight, kernelWidth, outHeight, outWidth } = g;
  const sh = g.strideHeight, sw = g.strideWidth, dh = g.dilationHeight, dw = g.dilationWidth;
  const plane = height * width, positions = outHeight * outWidth, columns = batch * positions;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < kernelHeight; i++) {
      for (let j = 0; j < kernelWidth; j++) {
        const row = ((c * kernelHeight + i) * kernelWidth + j) * columns;
        const offsetW = j * dw - g.padLeft;
        let first = offsetW >= 0 ? 0 : Math.ceil(-offsetW / sw);
        let last = width - 1 - offsetW < 0 ? 0 : Math.floor((width - 1 - offsetW) / sw) + 1;
        if (first > outWidth) first = outWidth;
        if (last > outWidth) last = outWidth;
        if (last < first) last = first;
        if (sh === 1 && sw === 1 && width === outWidth && last > first) {
          // Stride 1 and rows as wide as the input's ("same" padding across): the valid rows of one sample
          // are one contiguous run of the input, copied in a single loop; the padding columns it wraps
          // through are zeroed after.
          const offsetH = i * dh - g.padTop;
          const top = Math.min(outHeight, Math.max(0, -offsetH));
          const bottom = Math.max(top, Math.min(outHeight, height - offsetH));
          for (let n = 0; n < batch; n++) {
            const d = row + n * positions, source = (n * channels + c) * plane;
            for (let k = d; k < d + top * outWidth; k++) out[k] = 0;
            const begin = d + top * outWidth + first, end = d + (bottom - 1) * outWidth + last;
            const shift = source + (top + offsetH) * width + first + offsetW - begin;
            for (let k = begin; k < end; k++) out[k] = x[k + shift];
            if (first > 0 || last < outWidth) {
              for (let oh = top; oh < bottom; oh++) {
                const r = d + oh * outWidth;
                for (let ow = 0; ow < first; ow++) out[r + ow] = 0;
                for (let ow = last; ow < outWidth; ow++) out[r + ow] = 0;
              }
            }
            for (let k = d + bottom * outWidth; k < d + positions; k++) out[k] = 0;
          }
          continue;
        }
        for (let n = 0; n < batch; n++) {
          const source = (n * channels + c) * plane;
          let d = row + n * positions;
          for (let oh = 0; oh < outHeight; oh++, d += outWidth) {
            const ih = oh * sh - g.padTop + i * dh;
            if (ih < 0 || ih >= height) {
              for (let ow = 0; ow < outWidth; ow++) out[d + ow] = 0;
              continue;
            }
            const s = source + ih * width + offsetW;
            for (let ow = 0; ow < first; ow++) out[d + ow] = 0;
            if (sw === 1) {
              for (let ow = first; ow < last; ow++) out[d + ow] = x[s + ow];
            } else {
              for (let ow = first; ow < last; ow++) out[d + ow] = x[s + ow * sw];
            }
            for (let ow = last; ow < outWidth; ow++) out[d + ow] = 0;
          }
        }
      }
    }
  }
}

/**
 * col2im, the adjoint of {@linkcode im2col}: `out[n, c, h, w]` (written in
 * full) is the sum of the entries of `cols` that im2col would have copied from
 * that position.
 */
function col2im(cols: TypedArray, out: TypedArray, g: Window2d): void {
  const { batch, channels, height, width, kernelHeight, kernelWidth, outHeight, outWidth } = g;
  const sh = g.strideHeight, sw = g.strideWidth, dh = g.dilationHeight, dw = g.dilationWidth;
  const plane = height * width, positions = outHeight * outWidth, columns = batch * positions;
  out.fill(0);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < kernelHeight; i++) {
      for (let j = 0; j < kernelWidth; j++) {
        const row = ((c * kernelHeight + i) * kernelWidth + j) * columns;
        const offsetW = j * dw - g.padLeft;
        let first = offsetW >= 0 ? 0 : Math.ceil(-offsetW / sw);
        let last = width - 1 - offsetW < 0 ? 0 : Math.floor((width - 1 - offsetW) / sw) + 1;
        if (first > outWidth) first = outWidth;
        if (last > outWidth) last = outWidth;
        for (let n = 0; n < batch; n++) {
          const target = (n * channels + c) * plane;
          let d = row + n * positions;
          for (let oh = 0; oh < outHeight; oh++, d += outWidth) {
            const ih = oh * sh - g.padTop + i * dh;
            if (ih < 0 || ih >= height) continue;
            const t = target + ih * width + offsetW;
            if (sw === 1) {
              for (let ow = first; ow < last; ow++) out[t + ow] += cols[d + ow];
            } else {
              for (let ow = first; ow < last; ow++) out[t + ow * sw] += cols[d + ow];
            }
          }
        }
      }
    }
  }
}

/**
 * Max pooling: `out[n, c, oh, ow]` is the largest input value in the window
 * (padding never wins; NaN wins, as in PyTorch), and `indices` the flat
 * index into `x` of the first position holding it in row-major window order
 * (of the last NaN, when there is one, as PyTorch's CPU kernel)
 * (−1 when the window lies wholly in the padding, with −Infinity out).
 */
function maxPool2d(x: TypedArray, out: TypedArray, indices: Int32Array, g: Window2d): void {
  const { batch, channels, height, width, kernelHeight, kernelWidth, outHeight, outWidth } = g;
  const sh = g.strideHeight, sw = g.strideWidth, dh = g.dilationHeight, dw = g.dilationWidth;
  const plane = height * width, positions = outHeight * outWidth;
  if (
    kernelHeight === 2 && kernelWidth === 2 && sh === 2 && sw === 2 && dh === 1 && dw === 1 && g.padTop === 0 &&
    g.padLeft === 0
  ) {
    // The common 2×2 window with stride 2 and no padding: every tap is inside, in the same order as below.
    for (let p = 0; p < batch * channels; p++) {
      let o = p * positions;
      for (let oh = 0; oh < outHeight; oh++) {
        let r = p * plane + 2 * oh * width;
        for (let ow = 0; ow < outWidth; ow++, o++, r += 2) {
          let best = x[r], at = r;
          const b = x[r + 1], c = x[r + width], d = x[r + width + 1];
          if (b > best || b !== b) best = b, at = r + 1;
          if (c > best || c !== c) best = c, at = r + width;
          if (d > best || d !== d) best = d, at = r + width + 1;
          out[o] = best;
          indices[o] = at;
        }
      }
    }
    return;
  }
  for (let p = 0; p < batch * channels; p++) {
    const source = p * plane;
    let o = p * positions;
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * sh - g.padTop;
      for (let ow = 0; ow < outWidth; ow++, o++) {
        const left = ow * sw - g.padLeft;
        let best = -Infinity, at = -1;
        for (let i = 0; i < kernelHeight; i++) {
          const ih = top + i * dh;
          if (ih < 0 || ih >= height) continue;
          const r = source + ih * width;
          for (let j = 0; j < kernelWidth; j++) {
            const iw = left + j * dw;
            if (iw < 0 || iw >= width) continue;
            const v = x[r + iw];
            if (v > best || v !== v || at < 0) {
              best = v;
              at = r + iw;
            }
          }
        }
        out[o] = best;
        indices[o] = at;
      }
    }
  }
}

/**
 * Average pooling: `out[n, c, oh, ow]` is the mean of the window, dividing
 * by the whole window (`countIncludePad`, PyTorch's default: padding counts
 * as zeros) or by the positions inside the input.
 */
function avgPool2d(x: TypedArray, out: TypedArray, g: Window2d, countIncludePad: boolean): void {
  const { batch, channels, height, width, kernelHeight, kernelWidth, outHeight, outWidth } = g;
  const sh = g.strideHeight, sw = g.strideWidth;
  const plane = height * width, positions = outHeight * outWidth;
  for (let p = 0; p < batch * channels; p++) {
    const source = p * plane;
    let o = p * positions;
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * sh - g.padTop;
      const h0 = top < 0 ? 0 : top, h1 = top + kernelHeight > height ? height : top + kernelHeight;
      for (let ow = 0; ow < outWidth; ow++, o++) {
        const left = ow * sw - g.padLeft;
        const w0 = left < 0 ? 0 : left, w1 = left + kernelWidth > width ? width : left + kernelWidth;
        let total = 0;
        for (let ih = h0; ih < h1; ih++) {
          const r = source + ih * width;
          for (let iw = w0; iw < w1; iw++) total += x[r + iw];
        }
        const count = countIncludePad ? kernelHeight * kernelWidth : (h1 - h0) * (w1 - w0);
        out[o] = count > 0 ? total / count : 0;
      }
    }
  }
}

/** The adjoint of {@linkcode avgPool2d}: spreads each output cotangent evenly over its window (`out` written in full). */
function avgPool2dBackward(grad: TypedArray, out: TypedArray, g: Window2d, countIncludePad: boolean): void {
  const { batch, channels, height, width, kernelHeight, kernelWidth, outHeight, outWidth } = g;
  const sh = g.strideHeight, sw = g.strideWidth;
  const plane = height * width, positions = outHeight * outWidth;
  out.fill(0);
  for (let p = 0; p < batch * channels; p++) {
    const target = p * plane;
    let o = p * positions;
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * sh - g.padTop;
      const h0 = top < 0 ? 0 : top, h1 = top + kernelHeight > height ? height : top + kernelHeight;
      for (let ow = 0; ow < outWidth; ow++, o++) {
        const left = ow * sw - g.padLeft;
        const w0 = left < 0 ? 0 : left, w1 = left + kernelWidth > width ? width : left + kernelWidth;
        const count = countIncludePad ? kernelHeight * kernelWidth : (h1 - h0) * (w1 - w0);
        if (count === 0) continue;
        const share = grad[o] / count;
        for (let ih = h0; ih < h1; ih++) {
          const r = target + ih * width;
          for (let iw = w0; iw < w1; iw++) out[r + iw] += share;
        }
      }
    }
  }
}

/**
 * `out[n, o, p] = src[o, n, p] + bias[o]` (no bias: a copy): a convolution's
 * product `W·cols`, which comes out channel-major, in NCHW order.
 */
function toBatchMajor(
  src: TypedArray,
  out: TypedArray,
  batch: number,
  channels: number,
  positions: number,
  bias: TypedArray | null,
): void {
  for (let o = 0; o < channels; o++) {
    const b = bias === null ? 0 : bias[o];
    for (let n = 0; n < batch; n++) {
      const s = (o * batch + n) * positions, d = (n * channels + o) * positions;
      if (bias === null) {
        for (let p = 0; p < positions; p++) out[d + p] = src[s + p];
      } else {
        for (let p = 0; p < positions; p++) out[d + p] = src[s + p] + b;
      }
    }
  }
}

/**
 * `out[o, n, p] = src[n, o, p]`, and with `sums`, `sums[o] += Σ_{n,p} src[n, o, p]`
 * (in double, n then p in order): a convolution's cotangent, channel-major for
 * the products of the backward pass, and its bias gradient (summed over chunks).
 */
function toChannelMajor(
  src: TypedArray,
  out: TypedArray,
  batch: number,
  channels: number,
  positions: number,
  sums: Float64Array | null,
): void {
  for (let o = 0; o < channels; o++) {
    let total = 0;
    for (let n = 0; n < batch; n++) {
      const s = (n * channels + o) * positions, d = (o * batch + n) * positions;
      for (let p = 0; p < positions; p++) {
        const v = src[s + p];
        out[d + p] = v;
        total += v;
      }
    }
    if (sums !== null) sums[o] += total;
  }
}

/** `sum[i] += part[i]`: a convolution's weight gradient, summed over chunks of samples. */
function accumulate(part: TypedArray, sum: TypedArray): void {
  for (let i = 0; i < sum.length; i++) sum[i] += part[i];
}

/** The layout kernels of the convolution ops (data movement, not on the backend seam). */
export interface LayoutKernels {
  /** {@linkcode toBatchMajor}. */
  toBatchMajor(
    src: TypedArray,
    out: TypedArray,
    batch: number,
    channels: number,
    positions: number,
    bias: TypedArray | null,
  ): void;
  /** {@linkcode toChannelMajor}. */
  toChannelMajor(
    src: TypedArray,
    out: TypedArray,
    batch: number,
    channels: number,
    positions: number,
    sums: Float64Array | null,
  ): void;
  /** {@linkcode accumulate}. */
  accumulate(part: TypedArray, sum: TypedArray): void;
}

/** The window kernels, as the backend seam names them. */
export interface WindowKernels {
  /** {@linkcode im2col}. */
  im2col(x: TypedArray, out: TypedArray, window: Window2d): void;
  /** {@linkcode col2im}. */
  col2im(cols: TypedArray, out: TypedArray, window: Window2d): void;
  /** {@linkcode maxPool2d}. */
  maxPool2d(x: TypedArray, out: TypedArray, indices: Int32Array, window: Window2d): void;
  /** {@linkcode avgPool2d}. */
  avgPool2d(x: TypedArray, out: TypedArray, window: Window2d, countIncludePad: boolean): void;
  /** {@linkcode avgPool2dBackward}. */
  avgPool2dBackward(grad: TypedArray, out: TypedArray, window: Window2d, countIncludePad: boolean): void;
}

const source: WindowKernels = { im2col, col2im, maxPool2d, avgPool2d, avgPool2dBackward };

/**
 * A copy of `fn` compiled apart (see `recompile` in backend.ts: V8 slows a
 * loop that has met both Float32Array and Float64Array about fourfold), or
 * `fn` itself where code cannot be compiled at run time.
 */
function copyOf<F>(fn: F, tag: string): F {
  try {
    const name = `${(fn as { name: string }).name}_${tag}`;
    return new Function(`"use strict";\nconst ${name} = ${String(fn)};\nreturn ${name};`)() as F;
  } catch {
    return fn;
  }
}

function copies(tag: string): WindowKernels {
  return Object.fromEntries(Object.entries(source).map(([k, fn]) => [k, copyOf(fn, tag)])) as unknown as WindowKernels;
}

const float32Kernels = copies("float32"), float64Kernels = copies("float64");
const sourceLayout: LayoutKernels = { toBatchMajor, toChannelMajor, accumulate };
const layoutCopies = (tag: string) =>
  Object.fromEntries(Object.entries(sourceLayout).map(([k, fn]) => [k, copyOf(fn, tag)])) as unknown as LayoutKernels;
const float32Layout = layoutCopies("float32"), float64Layout = layoutCopies("float64");

function layoutFor(a: TypedArray, b: TypedArray): LayoutKernels {
  if (a.constructor !== b.constructor) return sourceLayout;
  return a instanceof Float32Array ? float32Layout : float64Layout;
}

/**
 * The layout kernels of the convolution ops, one compiled copy per dtype.
 *
 * @example A `[O = 2, N = 1, P = 2]` product in NCHW order with a bias
 * ```ts
 * import { layoutKernels } from "./backend_conv.ts";
 * import assert from "node:assert/strict";
 *
 * const out = new Float64Array(4);
 * layoutKernels.toBatchMajor(Float64Array.from([1, 2, 3, 4]), out, 1, 2, 2, Float64Array.from([10, 20]));
 * assert.deepEqual([...out], [11, 12, 23, 24]);
 * ```
 */
export const layoutKernels: LayoutKernels = {
  toBatchMajor: (src, out, n, c, p, bias) => layoutFor(src, out).toBatchMajor(src, out, n, c, p, bias),
  toChannelMajor: (src, out, n, c, p, sums) => layoutFor(src, out).toChannelMajor(src, out, n, c, p, sums),
  accumulate: (part, sum) => layoutFor(part, sum).accumulate(part, sum),
};

/** The copy of the kernels for an array's type (mixed calls take the source). */
function kernelsFor(a: TypedArray, b: TypedArray): WindowKernels {
  if (a.constructor !== b.constructor) return source;
  return a instanceof Float32Array ? float32Kernels : float64Kernels;
}

/**
 * The TypeScript window kernels, one compiled copy per dtype.
 *
 * @example im2col of a 1×1×3×3 input with a 2×2 window: four columns, one per output position
 * ```ts
 * import { windowKernels } from "./backend_conv.ts";
 * import assert from "node:assert/strict";
 *
 * const window = {
 *   batch: 1, channels: 1, height: 3, width: 3, kernelHeight: 2, kernelWidth: 2, strideHeight: 1, strideWidth: 1,
 *   dilationHeight: 1, dilationWidth: 1, padTop: 0, padLeft: 0, outHeight: 2, outWidth: 2,
 * };
 * const cols = new Float64Array(16);
 * windowKernels.im2col(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), cols, window);
 * assert.deepEqual([...cols], [1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9]);
 * ```
 */
export const windowKernels: WindowKernels = {
  im2col: (x, out, w) => kernelsFor(x, out).im2col(x, out, w),
  col2im: (cols, out, w) => kernelsFor(cols, out).col2im(cols, out, w),
  maxPool2d: (x, out, indices, w) => kernelsFor(x, out).maxPool2d(x, out, indices, w),
  avgPool2d: (x, out, w, c) => kernelsFor(x, out).avgPool2d(x, out, w, c),
  avgPool2dBackward: (g, out, w, c) => kernelsFor(g, out).avgPool2dBackward(g, out, w, c),
};
