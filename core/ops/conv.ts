/**
 * Two-dimensional convolution over NCHW tensors (PyTorch's `F.conv2d`),
 * computed as im2col and one matrix product on the backend, with a backward
 * pass built from two more ops of the same kind, so gradients of gradients work.
 *
 * @module
 */

import { getBackend, jsBackend, type Window2d } from "../backend.ts";
import { layoutKernels } from "../backend_conv.ts";
import { record } from "../graph.ts";
import { allocate, type DType, recycle, Tensor, type TypedArray } from "../tensor.ts";
import { cast } from "./elementwise.ts";
import { broadcastTo } from "./reduce.ts";
import { reshape } from "./shape.ts";

export type { Window2d } from "../backend.ts";

/** A length for both spatial axes, or `[height, width]`. */
export type Pair = number | readonly [number, number];

/** Options of {@linkcode conv2d}. */
export interface ConvolutionOptions {
  /** Rows and columns between neighbouring windows. @default {1} */
  stride?: Pair;
  /**
   * Zeros added around the input: a number of rows and columns on every side,
   * `[rows, columns]`, `"valid"` (none) or `"same"` (the output keeps the
   * input's size; stride 1 only; when the total is odd the extra row or
   * column goes at the bottom or right, as in PyTorch). @default {0}
   */
  padding?: Pair | "valid" | "same";
  /** Rows and columns between a window's neighbouring taps (an à trous convolution above 1). @default {1} */
  dilation?: Pair;
}

/** The input shape and window options {@linkcode window2d} resolves. */
export interface WindowRequest {
  /** The op or layer asking, for messages (`conv2d`, `layer "conv2d"`). */
  owner: string;
  /** `[N, C, H, W]`. */
  inputShape: readonly number[];
  /** `[kh, kw]`. */
  kernel: readonly [number, number];
  /** As {@linkcode ConvolutionOptions}. */
  stride?: Pair;
  /** As {@linkcode ConvolutionOptions}. */
  padding?: Pair | "valid" | "same";
  /** As {@linkcode ConvolutionOptions}. */
  dilation?: Pair;
}

/**
 * Reads a spatial option: a positive (or, with `min` 0, non-negative) integer
 * or a pair of them.
 *
 * @param owner Who is asking, for the message.
 * @param option The option's name.
 * @param value The value given.
 * @param fallback The value when it is undefined.
 * @param min The least allowed value (1, or 0 for padding).
 * @returns `[height, width]`.
 * @throws {RangeError} When it is not such a number or pair.
 *
 * @example
 * ```ts
 * import { pair } from "./conv.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(pair("conv2d", "stride", 2, 1, 1), [2, 2]);
 * assert.deepEqual(pair("conv2d", "stride", [1, 3], 1, 1), [1, 3]);
 * assert.throws(() => pair("conv2d", "stride", 0, 1, 1), /stride must be an integer ≥ 1/);
 * ```
 */
export function pair(owner: string, option: string, value: unknown, fallback: number, min: number): [number, number] {
  const v = value === undefined ? fallback : value;
  const both = typeof v === "number" ? [v, v] : v;
  if (
    !Array.isArray(both) || both.length !== 2 || !both.every((n) => Number.isInteger(n) && n >= min)
  ) {
    throw new RangeError(
      `Cannot ${
        owner.startsWith("layer") ? `create ${owner}` : `apply ${owner}`
      } as ${option} must be an integer ≥ ${min} or a pair [height, width] of them: current value is ${
        JSON.stringify(value)
      }`,
    );
  }
  return [both[0], both[1]];
}

/**
 * Resolves a sliding window over an NCHW input: stride, padding (`"same"`
 * and `"valid"` included) and dilation, and the output size
 * `⌊(H + padding − dilation·(k − 1) − 1) / stride⌋ + 1` along each axis.
 *
 * @param request The input shape, kernel size and options.
 * @returns The window.
 * @throws {RangeError} When an option is out of range, `"same"` meets a stride above 1, or the output would be empty.
 *
 * @example A 3×3 kernel with padding 1 keeps a 28×28 image's size
 * ```ts
 * import { window2d } from "./conv.ts";
 * import assert from "node:assert/strict";
 *
 * const w = window2d({ owner: "conv2d", inputShape: [1, 1, 28, 28], kernel: [3, 3], padding: 1 });
 * assert.deepEqual([w.outHeight, w.outWidth], [28, 28]);
 * ```
 */
export function window2d(request: WindowRequest): Window2d {
  const { owner, inputShape, kernel } = request;
  const [batch, channels, height, width] = inputShape;
  const [strideHeight, strideWidth] = pair(owner, "stride", request.stride, 1, 1);
  const [dilationHeight, dilationWidth] = pair(owner, "dilation", request.dilation, 1, 1);
  const spanH = dilationHeight * (kernel[0] - 1) + 1, spanW = dilationWidth * (kernel[1] - 1) + 1;
  let pads: [number, number, number, number]; // top, bottom, left, right
  if (request.padding === "same") {
    if (strideHeight !== 1 || strideWidth !== 1) {
      throw new RangeError(
        `Cannot ${
          owner.startsWith("layer") ? `create ${owner}` : `apply ${owner}`
        } as padding "same" needs stride 1 (as in PyTorch): current stride is [${strideHeight}, ${strideWidth}]`,
      );
    }
    const th = spanH - 1, tw = spanW - 1;
    pads = [th >> 1, th - (th >> 1), tw >> 1, tw - (tw >> 1)];
  } else {
    const [ph, pw] = request.padding === "valid" ? [0, 0] : pair(owner, "padding", request.padding, 0, 0);
    pads = [ph, ph, pw, pw];
  }
  const outHeight = Math.floor((height + pads[0] + pads[1] - spanH) / strideHeight) + 1;
  const outWidth = Math.floor((width + pads[2] + pads[3] - spanW) / strideWidth) + 1;
  if (!(outHeight >= 1 && outWidth >= 1)) {
    throw new RangeError(
      `Cannot apply ${owner} to an input of shape [${inputShape}] with a ${kernel[0]}×${
        kernel[1]
      } window (dilation [${dilationHeight}, ${dilationWidth}], padding [${pads}]) as the output would be empty: the window spans ${spanH}×${spanW}`,
    );
  }
  return {
    batch,
    channels,
    height,
    width,
    kernelHeight: kernel[0],
    kernelWidth: kernel[1],
    strideHeight,
    strideWidth,
    dilationHeight,
    dilationWidth,
    padTop: pads[0],
    padLeft: pads[2],
    outHeight,
    outWidth,
  };
}

/** Gives scratch buffers that nothing else holds back to the allocator. */
function giveBack(...buffers: TypedArray[]): void {
  recycle(buffers.map((b) => new Tensor(b, [b.length])));
}

function dims(w: Window2d, filters: number) {
  const positions = w.outHeight * w.outWidth;
  return {
    taps: w.channels * w.kernelHeight * w.kernelWidth,
    positions,
    columns: w.batch * positions,
    filters,
  };
}

/**
 * The elements of im2col in one chunk (1 MiB of float32): the samples are taken in chunks so that each
 * chunk's im2col matrix is still in cache when the matrix product reads it (the whole batch's would be
 * 29 MB for the second convolution of the Fashion-MNIST CNN, written and read back through memory).
 */
const CHUNK_ELEMENTS = 1 << 18;

/** The chunks of samples `[start, count]` for this window. */
function chunks(win: Window2d, taps: number, positions: number): [number, number][] {
  const size = Math.max(1, Math.min(win.batch, Math.floor(CHUNK_ELEMENTS / Math.max(1, taps * positions))));
  const out: [number, number][] = [];
  for (let n = 0; n < win.batch; n += size) out.push([n, Math.min(size, win.batch - n)]);
  return out;
}

/** y = W·im2col(x) as `[N, O, outH, outW]`, plus the bias, chunk by chunk of samples. */
function forwardData(
  x: TypedArray,
  w: TypedArray,
  bias: TypedArray | null,
  win: Window2d,
  filters: number,
  dtype: DType,
): TypedArray {
  const backend = getBackend(), im2col = backend.im2col ?? jsBackend.im2col!;
  const { taps, positions } = dims(win, filters);
  const parts = chunks(win, taps, positions), most = parts[0]?.[1] ?? 0;
  const sampleIn = win.channels * win.height * win.width, sampleOut = filters * positions;
  const out = allocate(dtype, win.batch * sampleOut, false);
  const cols = allocate(dtype, taps * most * positions, false),
    product = allocate(dtype, filters * most * positions, false);
  for (const [n0, n] of parts) {
    const sub = { ...win, batch: n }, width = n * positions;
    const c = cols.subarray(0, taps * width), p = product.subarray(0, filters * width);
    im2col(x.subarray(n0 * sampleIn, (n0 + n) * sampleIn), c, sub);
    backend.matmul(w, c, p, filters, width, taps, false, false);
    layoutKernels.toBatchMajor(p, out.subarray(n0 * sampleOut, (n0 + n) * sampleOut), n, filters, positions, bias);
  }
  giveBack(cols, product);
  return out;
}

/**
 * The backward pass's products, chunk by chunk of samples: with `w`, ∂x = col2im(Wᵀ·ḡᵀ); with `x`,
 * ∂W = Σ_chunks ḡᵀ·im2col(x)ᵀ; with `biasGrad`, the cotangent's sums per channel (added to it), where
 * ḡᵀ is the chunk's cotangent `[n, O, P]` laid out as `[O, n·P]`.
 */
function backwardData(
  g: TypedArray,
  x: TypedArray | null,
  w: TypedArray | null,
  win: Window2d,
  filters: number,
  dtype: DType,
  biasGrad: Float64Array | null,
): { dx: TypedArray | null; dw: TypedArray | null } {
  const backend = getBackend();
  const im2col = backend.im2col ?? jsBackend.im2col!, col2im = backend.col2im ?? jsBackend.col2im!;
  const { taps, positions } = dims(win, filters);
  const parts = chunks(win, taps, positions), most = parts[0]?.[1] ?? 0;
  const sampleIn = win.channels * win.height * win.width, sampleOut = filters * positions;
  const gT = allocate(dtype, filters * most * positions, false);
  const cols = allocate(dtype, taps * most * positions, false);
  const dx = w === null ? null : allocate(dtype, win.batch * sampleIn, false);
  const dw = x === null ? null : allocate(dtype, filters * taps, false);
  const partial = x === null || parts.length < 2 ? null : allocate(dtype, filters * taps, false);
  for (const [k, [n0, n]] of parts.entries()) {
    const sub = { ...win, batch: n }, width = n * positions;
    const t = gT.subarray(0, filters * width), c = cols.subarray(0, taps * width);
    layoutKernels.toChannelMajor(g.subarray(n0 * sampleOut, (n0 + n) * sampleOut), t, n, filters, positions, biasGrad);
    if (x !== null) {
      im2col(x.subarray(n0 * sampleIn, (n0 + n) * sampleIn), c, sub);
      backend.matmul(t, c, k === 0 ? dw! : partial!, filters, taps, width, false, true);
      if (k > 0) layoutKernels.accumulate(partial!, dw!);
    }
    if (w !== null) {
      backend.matmul(w, t, c, taps, width, filters, true, false);
      col2im(c, dx!.subarray(n0 * sampleIn, (n0 + n) * sampleIn), sub);
    }
  }
  giveBack(gT, cols, ...(partial === null ? [] : [partial]));
  return { dx, dw };
}

function promoted(...tensors: Tensor[]): DType {
  return tensors.some((t) => t.dtype === "float64") ? "float64" : "float32";
}

function outputShape(win: Window2d, filters: number): number[] {
  return [win.batch, filters, win.outHeight, win.outWidth];
}

/*
 * The three ops are the partial derivatives of one trilinear form B(x, W, ȳ) = ⟨ȳ, conv(x, W)⟩:
 * conv(x, W) = ∂B/∂ȳ, backInput(ȳ, W) = ∂B/∂x, backWeight(x, ȳ) = ∂B/∂W. So each one's VJP is made of
 * the other two, and the family is closed under differentiation.
 */

function convOp(x: Tensor, w: Tensor, bias: Tensor | null, win: Window2d): Tensor {
  const dtype = promoted(x, w, ...(bias === null ? [] : [bias]));
  const [xc, wc, bc] = [cast(x, dtype), cast(w, dtype), bias === null ? null : cast(bias, dtype)];
  const filters = wc.shape[0];
  const out = forwardData(xc.data, wc.data, bc?.data ?? null, win, filters, dtype);
  const inputs = bc === null ? [xc, wc] : [xc, wc, bc];
  return record("conv2d", out, outputShape(win, filters), inputs, (g) => convVjp(cast(g, dtype), xc, wc, bc, win));
}

function convVjp(g: Tensor, x: Tensor, w: Tensor, bias: Tensor | null, win: Window2d): (Tensor | null)[] {
  const filters = w.shape[0], dtype = g.dtype;
  const needBias = bias !== null && bias._node !== null;
  const biasGrad = needBias ? new Float64Array(filters) : null;
  const { dx, dw } = backwardData(
    g.data,
    w._node === null ? null : x.data,
    x._node === null ? null : w.data,
    win,
    filters,
    dtype,
    biasGrad,
  );
  const parts = [
    dx === null ? null : backInputTensor(dx, g, w, win),
    dw === null ? null : backWeightTensor(dw, x, g, win),
  ];
  if (bias === null) return parts;
  let db: Tensor | null = null;
  if (biasGrad !== null) {
    const data = allocate(dtype, filters);
    data.set(biasGrad);
    db = record(
      "conv2dBiasGrad",
      data,
      [filters],
      [g],
      (gg) => [broadcastTo(reshape(gg, [1, filters, 1, 1]), g.shape)],
    );
  }
  return [...parts, db];
}

function backInputTensor(data: TypedArray, g: Tensor, w: Tensor, win: Window2d): Tensor {
  const shape = [win.batch, win.channels, win.height, win.width];
  return record("conv2dBackInput", data, shape, [g, w], (G) => [
    g._node === null ? null : convOp(G, w, null, win),
    w._node === null ? null : backWeight(G, g, win),
  ]);
}

function backWeightTensor(data: TypedArray, x: Tensor, g: Tensor, win: Window2d): Tensor {
  const shape = [g.shape[1], win.channels, win.kernelHeight, win.kernelWidth];
  return record("conv2dBackWeight", data, shape, [x, g], (G) => [
    x._node === null ? null : backInput(g, G, win),
    g._node === null ? null : convOp(x, G, null, win),
  ]);
}

/** ∂B/∂x for a cotangent `g` of the output and weight `w`. */
function backInput(g: Tensor, w: Tensor, win: Window2d): Tensor {
  const dtype = promoted(g, w);
  const [gc, wc] = [cast(g, dtype), cast(w, dtype)];
  const { dx } = backwardData(gc.data, null, wc.data, win, wc.shape[0], dtype, null);
  return backInputTensor(dx!, gc, wc, win);
}

/** ∂B/∂W for input `x` and a cotangent `g` of the output. */
function backWeight(x: Tensor, g: Tensor, win: Window2d): Tensor {
  const dtype = promoted(x, g);
  const [xc, gc] = [cast(x, dtype), cast(g, dtype)];
  const { dw } = backwardData(gc.data, xc.data, null, win, gc.shape[1], dtype, null);
  return backWeightTensor(dw!, xc, gc, win);
}

function checkTensor(what: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`Cannot apply conv2d as ${what} must be a Tensor: current value is ${typeof x}`);
  }
}

/**
 * The 2-D convolution of PyTorch's `F.conv2d` (strictly a cross-correlation,
 * as in every framework): for input `x` of shape `[N, C, H, W]`, weight
 * `[O, C, kh, kw]` and bias `[O]`,
 *   y[n, o, p, q] = b[o] + Σ_{c,i,j} W[o, c, i, j] · x[n, c, p·sₕ − padTop + i·dₕ, q·s_w − padLeft + j·d_w],
 * with zeros outside the input. It runs as im2col (the backend's kernel, or
 * the TypeScript one) and one matrix product `W·cols` on the backend
 * (WebAssembly SIMD, BLAS). The backward pass is two more products,
 * `∂W = ḡ·colsᵀ` and `∂cols = Wᵀ·ḡ` followed by col2im, each recorded as an
 * op whose own VJP is again a convolution or one of these two, so Hessian-vector
 * products are exact. The bias gradient is the cotangent summed over N, H and W.
 * `groups` (PyTorch's grouped and depthwise convolutions) is not supported.
 *
 * @param x The input, `[N, C, H, W]`.
 * @param weight The filters, `[O, C, kh, kw]`.
 * @param bias The bias `[O]`, or `null`/undefined for none.
 * @param options `stride`, `padding`, `dilation`.
 * @returns The output, `[N, O, outH, outW]`.
 * @throws {TypeError} When an input is not a Tensor.
 * @throws {RangeError} When the shapes do not fit, an option is out of range, or the output would be empty.
 *
 * @example A 2×2 box filter over a 3×3 image
 * ```ts
 * import { conv2d } from "./conv.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
 * const w = tensor([1, 1, 1, 1], [1, 1, 2, 2]);
 * assert.deepEqual(conv2d(x, w).toArray(), [[[[12, 16], [24, 28]]]]);
 * assert.deepEqual(conv2d(x, w, tensor([1]), { padding: "same" }).shape, [1, 1, 3, 3]);
 * ```
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvolutionOptions = {}): Tensor {
  checkTensor("x", x);
  checkTensor("weight", weight);
  if (bias !== undefined && bias !== null) checkTensor("bias", bias);
  if (x.rank !== 4 || weight.rank !== 4 || x.shape[1] !== weight.shape[1] || !(weight.shape[2] * weight.shape[3] > 0)) {
    throw new RangeError(
      `Cannot apply conv2d to x of shape [${x.shape}] and weight [${weight.shape}] as they must be [N, C, H, W] and [O, C, kh, kw] with the same C (and kh, kw ≥ 1)`,
    );
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new RangeError(
      `Cannot apply conv2d as the bias must have one entry per filter (${
        weight.shape[0]
      } for weight [${weight.shape}]): current shape is [${bias.shape}]`,
    );
  }
  const win = window2d({
    owner: "conv2d",
    inputShape: x.shape,
    kernel: [weight.shape[2], weight.shape[3]],
    ...options,
  });
  return convOp(x, weight, bias ?? null, win);
}
