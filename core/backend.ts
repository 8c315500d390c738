/**
 * The backend seam: the numeric kernels that ops call, behind one small interface.
 *
 * Ops and plugins never loop over data for the heavy work themselves; they call
 * the active {@linkcode Backend}. A faster backend (WebAssembly, native BLAS)
 * replaces some kernels and spreads the default for the rest:
 * `{ ...jsBackend, name: "mine", matmul: myMatmul }`.
 *
 * @module
 */

import type { DType, TypedArray } from "./tensor.ts";
import { createWasmBackend, wasmSimdSupported } from "./backend_wasm.ts";
import { type Window2d, windowKernels } from "./backend_conv.ts";
import * as libm from "./libm.ts";

export type { Window2d } from "./backend_conv.ts";

/** Elementwise functions of one argument that backends implement. */
export type UnaryKernel =
  | "neg"
  | "exp"
  | "log"
  | "sqrt"
  | "sin"
  | "cos"
  | "tanh"
  | "sigmoid"
  | "relu"
  | "abs"
  | "square"
  | "sign"
  | "step"
  | "isFinite";

/** Elementwise functions of two broadcast arguments that backends implement. */
export type BinaryKernel =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "maximum"
  | "minimum"
  | "pow"
  | "greater"
  | "less"
  | "equal";

/** Reductions along one axis that backends implement. */
export type ReduceKernel = "sum" | "max";

/**
 * The kernels every backend provides. All buffers are row-major; outputs are
 * preallocated by the caller and fully overwritten.
 */
export interface Backend {
  /** The backend's name, as given to `--backend`. */
  readonly name: string;
  /**
   * `out[m×n] = op(A) · op(B)` where `op(A)` is `m×k` (A stored `k×m` when
   * `transposeA`) and `op(B)` is `k×n` (B stored `n×k` when `transposeB`).
   */
  matmul(
    a: TypedArray,
    b: TypedArray,
    out: TypedArray,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
  ): void;
  /** `out[i] = f(x[i])`. */
  unary(op: UnaryKernel, x: TypedArray, out: TypedArray): void;
  /** `out = f(a, b)` with NumPy broadcasting of `aShape` and `bShape` to `outShape`. */
  binary(
    op: BinaryKernel,
    a: TypedArray,
    aShape: readonly number[],
    b: TypedArray,
    bShape: readonly number[],
    out: TypedArray,
    outShape: readonly number[],
  ): void;
  /** Reduces `x` viewed as `[outer, n, inner]` over its middle axis into `out[outer×inner]`. */
  reduce(op: ReduceKernel, x: TypedArray, outer: number, n: number, inner: number, out: TypedArray): void;
  /**
   * Optional fused kernel: `out[r, c] = act(x[r, c] + bias[c])` over a `rows×cols`
   * matrix, where `act` is the identity or ReLU (NaN stays NaN); `out` may be `x`.
   * The fused ops use {@linkcode jsBackend}'s when a backend lacks it.
   */
  biasActivation?(
    x: TypedArray,
    bias: TypedArray,
    out: TypedArray,
    rows: number,
    cols: number,
    activation: FusedActivation,
  ): void;
  /**
   * Optional fused kernel: ReLU's vector-Jacobian product in one pass,
   * `out[i] = grad[i]·(x[i] > 0 ? 1 : 0)`: `grad` where `x > 0`, else `grad·0`
   * (a zero of `grad`'s sign, or NaN for an infinite or NaN `grad`), the bits of
   * `mul(grad, step(x))` without the mask's pass and buffer. All three arrays
   * have one length; `out` may be `grad` or `x`. The ops use
   * {@linkcode jsBackend}'s when a backend lacks it.
   */
  reluBackward?(grad: TypedArray, x: TypedArray, out: TypedArray): void;
  /**
   * Optional: whether every element of `x` is finite (no NaN, no ±Infinity).
   * The trainer asks it of every gradient and of the new parameters at every
   * step. Callers use {@linkcode jsBackend}'s when a backend lacks it.
   */
  allFinite?(x: TypedArray): boolean;
  /**
   * Optional fused kernel: one Adam step for one parameter, in a single pass
   * (see {@linkcode AdamStepScalars} for the arithmetic and its rounding, which
   * every backend must reproduce bit for bit). `outM` may be `m`, `outV` may be
   * `v` and `outUpdate` may be `grad` (the same array, not an overlapping view):
   * a kernel reads all of an element's inputs before it writes any output.
   * With `param`, the step also applies itself: `outUpdate` receives the new
   * parameter `param + u` (one more rounding to the dtype, PyTorch's
   * `param.addcdiv_`) instead of `u`, and may be `param` (or `grad`). The fused
   * ops use {@linkcode jsBackend}'s when a backend lacks it.
   */
  adamStep?(
    grad: TypedArray,
    m: TypedArray,
    v: TypedArray,
    outM: TypedArray,
    outV: TypedArray,
    outUpdate: TypedArray,
    scalars: AdamStepScalars,
    param?: TypedArray,
  ): void;
  /**
   * Optional: a zeroed buffer of `size` elements in memory this backend's
   * kernels use without copying (the wasm backend's own memory), for state
   * that lives across many steps and is updated in place (Adam's moments).
   * `null` when the backend has none for this dtype and size. Any kernel must
   * still accept such a buffer, and ordinary arrays, everywhere.
   */
  allocate?(dtype: DType, size: number): TypedArray | null;
  /**
   * Optional window kernel of convolutions: im2col of an NCHW input into a
   * `[C·kh·kw, N·outH·outW]` matrix, row `(c·kh + i)·kw + j` holding what tap
   * `(c, i, j)` reads at each output position (0 in the padding; see
   * {@linkcode Window2d}). The convolution ops use {@linkcode jsBackend}'s when
   * a backend lacks it, as for every window kernel below.
   */
  im2col?(x: TypedArray, out: TypedArray, window: Window2d): void;
  /** Optional window kernel: the adjoint of `im2col`, summing each column entry back into its input position. */
  col2im?(cols: TypedArray, out: TypedArray, window: Window2d): void;
  /**
   * Optional window kernel: max pooling of an NCHW input, with the flat input
   * index of each maximum (the first in window order; −1 for a window wholly
   * in the padding). NaN propagates.
   */
  maxPool2d?(x: TypedArray, out: TypedArray, indices: Int32Array, window: Window2d): void;
  /** Optional window kernel: average pooling, dividing by the window's size or (without `countIncludePad`) its positions inside the input. */
  avgPool2d?(x: TypedArray, out: TypedArray, window: Window2d, countIncludePad: boolean): void;
  /** Optional window kernel: the adjoint of `avgPool2d`. */
  avgPool2dBackward?(grad: TypedArray, out: TypedArray, window: Window2d, countIncludePad: boolean): void;
}

/** The activations {@linkcode Backend.biasActivation} fuses. */
export type FusedActivation = "none" | "relu";

/**
 * The scalars of one Adam step (Kingma and Ba, 2015; seed 000, Algorithm 1) in
 * the operation order of PyTorch's `_single_tensor_adam` (`exp_avg.lerp_(g, 1 − β₁)`,
 * `exp_avg_sq.mul_(β₂).addcmul_(g, g, value=1 − β₂)`,
 * `denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(ε)`,
 * `param.addcdiv_(exp_avg, denom, value=−step_size)`). Per element, with
 * w₁ = 1 − β₁, w₂ = 1 − β₂ and bc = biasCorrection2Sqrt:
 *
 *   m′ = m + w₁·(g − m)
 *   v′ = (v·β₂) + ((w₂·g)·g)
 *   d  = (√v′ / bc) + ε
 *   u  = ((−stepSize)·m′) / d
 *
 * Every operation, as parenthesized, is rounded to the arrays' dtype: float32
 * arrays get float32 arithmetic, with w₁, β₂, w₂, bc, ε and −stepSize first
 * rounded to float32 (w₁ and w₂ are formed in double, then rounded), as PyTorch
 * does for a float32 tensor; float64 arrays get double arithmetic. When the
 * arrays (six, or seven with `param`) are not all float32, the kernel
 * computes in double. Here
 * `stepSize = α / (1 − β₁ᵗ)` and `biasCorrection2Sqrt = √(1 − β₂ᵗ)`, both formed
 * in double by the caller (PyTorch forms them as Python floats).
 *
 * Where PyTorch's CPU kernels round differently: `lerp_` with a weight of at
 * least 0.5 (β₁ ≤ 0.5) computes `g − (g − m)·(1 − w₁)` instead, and its
 * vectorized body is a fused multiply-add (`vec::fmadd`, one rounding) in
 * its AVX2 and AVX-512 builds, so m′ may differ from PyTorch's by an ulp.
 * The other operations are in PyTorch's order, with one rounding each; a
 * PyTorch build whose compiler contracts `v + (w₂·g)·g` or `p + (−s·m)/d`
 * into a fused multiply-add can differ by an ulp there too.
 */
export interface AdamStepScalars {
  /** β₁. */
  beta1: number;
  /** β₂. */
  beta2: number;
  /** α / (1 − β₁ᵗ). */
  stepSize: number;
  /** √(1 − β₂ᵗ). */
  biasCorrection2Sqrt: number;
  /** ε. */
  epsilon: number;
}

// ---------------------------------------------------------------- unary

type UnaryLoop = (x: TypedArray, out: TypedArray) => void;

/**
 * The loops are recompiled from their source text (see {@linkcode recompile}), so they reach gradflow's
 * elementary functions (libm.ts: the same bits on every engine, unlike `Math.exp`) through a global.
 */
const LIBM = Symbol.for("gradflow.libm@1");
(globalThis as Record<symbol, unknown>)[LIBM] ??= libm;
type Libm = typeof libm;

const unaryLoops: Record<UnaryKernel, UnaryLoop> = {
  neg: (x, o) => {
    for (let i = 0; i < x.length; i++) o[i] = -x[i];
  },
  exp: (x, o) => {
    const { exp } = (globalThis as Record<symbol, Libm>)[Symbol.for("gradflow.libm@1")];
    for (let i = 0; i < x.length; i++) o[i] = exp(x[i]);
  },
  log: (x, o) => {
    const { log } = (globalThis as Record<symbol, Libm>)[Symbol.for("gradflow.libm@1")];
    for (let i = 0; i < x.length; i++) o[i] = log(x[i]);
  },
  sqrt: (x, o) => {
    for (let i = 0; i < x.length; i++) o[i] = Math.sqrt(x[i]);
  },
  sin: (x, o) => {
    const { sin } = (globalThis as Record<symbol, Libm>)[Symbol.for("gradflow.libm@1")];
    for (let i = 0; i < x.length; i++) o[i] = sin(x[i]);
  },
  cos: (x, o) => {
    const { cos } = (globalThis as Record<symbol, Libm>)[Symbol.for("gradflow.libm@1")];
    for (let i = 0; i < x.length; i++) o[i] = cos(x[i]);
  },
  tanh: (x, o) => {
    const { tanh } = (globalThis as Record<symbol, Libm>)[Symbol.for("gradflow.libm@1")];
    for (let i = 0; i < x.length; i++) o[i] = tanh(x[i]);
  },
  sigmoid: (x, o) => {
    const { exp } = (globalThis as Record<symbol, Libm>)[Symbol.for("gradflow.libm@1")];
    // Stable in both tails: never exponentiates a large positive number.
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v >= 0) o[i] = 1 / (1 + exp(-v));
      else {
        const e = exp(v);
        o[i] = e / (1 + e);
      }
    }
  },
  relu: (x, o) => {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      o[i] = v > 0 ? v : (v === v ? 0 : v);
    }
  },
  abs: (x, o) => {
    for (let i = 0; i < x.length; i++) o[i] = Math.abs(x[i]);
  },
  square: (x, o) => {
    for (let i = 0; i < x.length; i++) o[i] = x[i] * x[i];
  },
  sign: (x, o) => {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      o[i] = v > 0 ? 1 : v < 0 ? -1 : v === v ? 0 : v;
    }
  },
  step: (x, o) => {
    for (let i = 0; i < x.length; i++) o[i] = x[i] > 0 ? 1 : 0;
  },
  isFinite: (x, o) => {
    for (let i = 0; i < x.length; i++) o[i] = Number.isFinite(x[i]) ? 1 : 0;
  },
};

// ---------------------------------------------------------------- binary

/** One contiguous run of a broadcast loop: strides are 0 (broadcast) or 1. */
type BinaryRun = (
  a: TypedArray,
  ao: number,
  as: number,
  b: TypedArray,
  bo: number,
  bs: number,
  out: TypedArray,
  oo: number,
  n: number,
) => void;

const binaryRuns: Record<BinaryKernel, BinaryRun> = {
  add: (a, ao, as, b, bo, bs, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as] + b[bo + i * bs];
  },
  sub: (a, ao, as, b, bo, bs, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as] - b[bo + i * bs];
  },
  mul: (a, ao, as, b, bo, bs, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as] * b[bo + i * bs];
  },
  div: (a, ao, as, b, bo, bs, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as] / b[bo + i * bs];
  },
  maximum: (a, ao, as, b, bo, bs, o, oo, n) => {
    for (let i = 0; i < n; i++) {
      const x = a[ao + i * as], y = b[bo + i * bs];
      o[oo + i] = x > y ? x : (y >= x ? y : NaN);
    }
  },
  minimum: (a, ao, as, b, bo, bs, o, oo, n) => {
    for (let i = 0; i < n; i++) {
      const x = a[ao + i * as], y = b[bo + i * bs];
      o[oo + i] = x < y ? x : (y <= x ? y : NaN);
    }
  },
  pow: (a, ao, as, b, bo, bs, o, oo, n) => {
    // C's pow (and PyTorch's): 1ʸ = 1 and (−1)^±∞ = 1, where JavaScript's gives NaN.
    for (let i = 0; i < n; i++) {
      const x = a[ao + i * as], y = b[bo + i * bs];
      o[oo + i] = x === 1 || (x === -1 && Math.abs(y) === Infinity) ? 1 : Math.pow(x, y);
    }
  },
  greater: (a, ao, as, b, bo, bs, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as] > b[bo + i * bs] ? 1 : 0;
  },
  less: (a, ao, as, b, bo, bs, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as] < b[bo + i * bs] ? 1 : 0;
  },
  equal: (a, ao, as, b, bo, bs, o, oo, n) => {
    for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as] === b[bo + i * bs] ? 1 : 0;
  },
};

/** A loop over contiguous indices: `out[i] = f(a[i], b[i])`, or with one side a scalar. */
type ContiguousLoop = (a: TypedArray, b: TypedArray, out: TypedArray) => void;

/** `out[i] = f(a[i], b[i])`, all three of one length. */
const sameLoops: Record<BinaryKernel, ContiguousLoop> = {
  add: (a, b, o) => {
    for (let i = 0; i < o.length; i++) o[i] = a[i] + b[i];
  },
  sub: (a, b, o) => {
    for (let i = 0; i < o.length; i++) o[i] = a[i] - b[i];
  },
  mul: (a, b, o) => {
    for (let i = 0; i < o.length; i++) o[i] = a[i] * b[i];
  },
  div: (a, b, o) => {
    for (let i = 0; i < o.length; i++) o[i] = a[i] / b[i];
  },
  maximum: (a, b, o) => {
    for (let i = 0; i < o.length; i++) {
      const x = a[i], y = b[i];
      o[i] = x > y ? x : (y >= x ? y : NaN);
    }
  },
  minimum: (a, b, o) => {
    for (let i = 0; i < o.length; i++) {
      const x = a[i], y = b[i];
      o[i] = x < y ? x : (y <= x ? y : NaN);
    }
  },
  pow: (a, b, o) => {
    for (let i = 0; i < o.length; i++) {
      const x = a[i], y = b[i];
      o[i] = x === 1 || (x === -1 && Math.abs(y) === Infinity) ? 1 : Math.pow(x, y);
    }
  },
  greater: (a, b, o) => {
    for (let i = 0; i < o.length; i++) o[i] = a[i] > b[i] ? 1 : 0;
  },
  less: (a, b, o) => {
    for (let i = 0; i < o.length; i++) o[i] = a[i] < b[i] ? 1 : 0;
  },
  equal: (a, b, o) => {
    for (let i = 0; i < o.length; i++) o[i] = a[i] === b[i] ? 1 : 0;
  },
};

/** `out[i] = f(a[i], b[0])`: the right side is one element. */
const scalarRightLoops: Record<BinaryKernel, ContiguousLoop> = {
  add: (a, b, o) => {
    const y = b[0];
    for (let i = 0; i < o.length; i++) o[i] = a[i] + y;
  },
  sub: (a, b, o) => {
    const y = b[0];
    for (let i = 0; i < o.length; i++) o[i] = a[i] - y;
  },
  mul: (a, b, o) => {
    const y = b[0];
    for (let i = 0; i < o.length; i++) o[i] = a[i] * y;
  },
  div: (a, b, o) => {
    const y = b[0];
    for (let i = 0; i < o.length; i++) o[i] = a[i] / y;
  },
  maximum: (a, b, o) => {
    const y = b[0];
    for (let i = 0; i < o.length; i++) {
      const x = a[i];
      o[i] = x > y ? x : (y >= x ? y : NaN);
    }
  },
  minimum: (a, b, o) => {
    const y = b[0];
    for (let i = 0; i < o.length; i++) {
      const x = a[i];
      o[i] = x < y ? x : (y <= x ? y : NaN);
    }
  },
  pow: (a, b, o) => {
    const y = b[0];
    for (let i = 0; i < o.length; i++) {
      const x = a[i];
      o[i] = x === 1 || (x === -1 && Math.abs(y) === Infinity) ? 1 : Math.pow(x, y);
    }
  },
  greater: (a, b, o) => {
    const y = b[0];
    for (let i = 0; i < o.length; i++) o[i] = a[i] > y ? 1 : 0;
  },
  less: (a, b, o) => {
    const y = b[0];
    for (let i = 0; i < o.length; i++) o[i] = a[i] < y ? 1 : 0;
  },
  equal: (a, b, o) => {
    const y = b[0];
    for (let i = 0; i < o.length; i++) o[i] = a[i] === y ? 1 : 0;
  },
};

/** `out[i] = f(a[0], b[i])`: the left side is one element. */
const scalarLeftLoops: Record<BinaryKernel, ContiguousLoop> = {
  add: (a, b, o) => {
    const x = a[0];
    for (let i = 0; i < o.length; i++) o[i] = x + b[i];
  },
  sub: (a, b, o) => {
    const x = a[0];
    for (let i = 0; i < o.length; i++) o[i] = x - b[i];
  },
  mul: (a, b, o) => {
    const x = a[0];
    for (let i = 0; i < o.length; i++) o[i] = x * b[i];
  },
  div: (a, b, o) => {
    const x = a[0];
    for (let i = 0; i < o.length; i++) o[i] = x / b[i];
  },
  maximum: (a, b, o) => {
    const x = a[0];
    for (let i = 0; i < o.length; i++) {
      const y = b[i];
      o[i] = x > y ? x : (y >= x ? y : NaN);
    }
  },
  minimum: (a, b, o) => {
    const x = a[0];
    for (let i = 0; i < o.length; i++) {
      const y = b[i];
      o[i] = x < y ? x : (y <= x ? y : NaN);
    }
  },
  pow: (a, b, o) => {
    const x = a[0];
    for (let i = 0; i < o.length; i++) {
      const y = b[i];
      o[i] = x === 1 || (x === -1 && Math.abs(y) === Infinity) ? 1 : Math.pow(x, y);
    }
  },
  greater: (a, b, o) => {
    const x = a[0];
    for (let i = 0; i < o.length; i++) o[i] = x > b[i] ? 1 : 0;
  },
  less: (a, b, o) => {
    const x = a[0];
    for (let i = 0; i < o.length; i++) o[i] = x < b[i] ? 1 : 0;
  },
  equal: (a, b, o) => {
    const x = a[0];
    for (let i = 0; i < o.length; i++) o[i] = x === b[i] ? 1 : 0;
  },
};

function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const r = outShape.length;
  const strides = new Array<number>(r).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const axis = r - shape.length + i;
    strides[axis] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

/**
 * `out = op(a, b)`: a contiguous loop when both sides have the output's length
 * or one side is a single element (no stride arithmetic), else a broadcast walk.
 */
function binary(
  op: BinaryKernel,
  a: TypedArray,
  aShape: readonly number[],
  b: TypedArray,
  bShape: readonly number[],
  out: TypedArray,
  outShape: readonly number[],
): void {
  const size = out.length;
  if (size === 0) return;
  const k = loopsFor(a, b, out);
  if (a.length === size && b.length === size) return k.same[op](a, b, out);
  if (b.length === 1 && a.length === size) return k.scalarRight[op](a, b, out);
  if (a.length === 1 && b.length === size) return k.scalarLeft[op](a, b, out);
  binaryBroadcast(k.runs[op], a, aShape, b, bShape, out, outShape);
}

/** The broadcast walk: one {@linkcode BinaryRun} per run of the last axis. */
function binaryBroadcast(
  run: BinaryRun,
  a: TypedArray,
  aShape: readonly number[],
  b: TypedArray,
  bShape: readonly number[],
  out: TypedArray,
  outShape: readonly number[],
): void {
  const size = out.length;
  if (size === 0) return;
  const r = outShape.length;
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const n = outShape[r - 1];
  const ia = sa[r - 1], ib = sb[r - 1];
  const outer = size / n;
  const counter = new Int32Array(r);
  let offA = 0, offB = 0;
  for (let o = 0; o < outer; o++) {
    run(a, offA, ia, b, offB, ib, out, o * n, n);
    for (let axis = r - 2; axis >= 0; axis--) {
      counter[axis]++;
      offA += sa[axis];
      offB += sb[axis];
      if (counter[axis] < outShape[axis]) break;
      offA -= sa[axis] * outShape[axis];
      offB -= sb[axis] * outShape[axis];
      counter[axis] = 0;
    }
  }
}

// ---------------------------------------------------------------- reduce

function reduceSum(x: TypedArray, outer: number, n: number, inner: number, out: TypedArray): void {
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      let acc = 0;
      const base = o * n;
      for (let k = 0; k < n; k++) acc += x[base + k];
      out[o] = acc;
    }
    return;
  }
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    for (let k = 0; k < n; k++) {
      const base = (o * n + k) * inner;
      for (let j = 0; j < inner; j++) acc[j] += x[base + j];
    }
    out.set(acc, o * inner);
  }
}

function reduceMax(x: TypedArray, outer: number, n: number, inner: number, out: TypedArray): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let m = -Infinity;
      for (let k = 0; k < n; k++) {
        const v = x[(o * n + k) * inner + j];
        if (v > m || v !== v) m = v;
        if (m !== m) break;
      }
      out[o * inner + j] = m;
    }
  }
}

// ---------------------------------------------------------------- matmul

/** Copies a `rows×cols` row-major matrix into its `cols×rows` transpose. */
function transposeInto(src: TypedArray, rows: number, cols: number, dst: TypedArray): void {
  const block = 32;
  for (let i0 = 0; i0 < rows; i0 += block) {
    const i1 = Math.min(i0 + block, rows);
    for (let j0 = 0; j0 < cols; j0 += block) {
      const j1 = Math.min(j0 + block, cols);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) dst[j * rows + i] = src[i * cols + j];
      }
    }
  }
}

/**
 * `out = A · Btᵀ` with A `m×k` and Bt `n×k`, both row-major: every output is the
 * dot product of two contiguous rows. Columns are taken in panels that stay in
 * cache while every row block of A passes over them; each 4×4 output tile keeps
 * its sixteen sums in registers.
 */
function matmulRowsDot(a: TypedArray, bt: TypedArray, out: TypedArray, m: number, n: number, k: number): void {
  const panel = Math.max(4, Math.min(n, (Math.floor(65536 / Math.max(1, k)) >> 2) << 2));
  for (let j0 = 0; j0 < n; j0 += panel) {
    const j1 = Math.min(n, j0 + panel);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const a0 = i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
      let j = j0;
      for (; j + 4 <= j1; j += 4) {
        const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let p = 0; p < k; p++) {
          const x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
          const y0 = bt[b0 + p], y1 = bt[b1 + p], y2 = bt[b2 + p], y3 = bt[b3 + p];
          c00 += x0 * y0;
          c01 += x0 * y1;
          c02 += x0 * y2;
          c03 += x0 * y3;
          c10 += x1 * y0;
          c11 += x1 * y1;
          c12 += x1 * y2;
          c13 += x1 * y3;
          c20 += x2 * y0;
          c21 += x2 * y1;
          c22 += x2 * y2;
          c23 += x2 * y3;
          c30 += x3 * y0;
          c31 += x3 * y1;
          c32 += x3 * y2;
          c33 += x3 * y3;
        }
        const o0 = i * n + j, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
        out[o0] = c00;
        out[o0 + 1] = c01;
        out[o0 + 2] = c02;
        out[o0 + 3] = c03;
        out[o1] = c10;
        out[o1 + 1] = c11;
        out[o1 + 2] = c12;
        out[o1 + 3] = c13;
        out[o2] = c20;
        out[o2 + 1] = c21;
        out[o2 + 2] = c22;
        out[o2 + 3] = c23;
        out[o3] = c30;
        out[o3 + 1] = c31;
        out[o3 + 2] = c32;
        out[o3 + 3] = c33;
      }
      for (; j < j1; j++) {
        const b0 = j * k;
        let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        for (let p = 0; p < k; p++) {
          const y = bt[b0 + p];
          c0 += a[a0 + p] * y;
          c1 += a[a1 + p] * y;
          c2 += a[a2 + p] * y;
          c3 += a[a3 + p] * y;
        }
        out[i * n + j] = c0;
        out[(i + 1) * n + j] = c1;
        out[(i + 2) * n + j] = c2;
        out[(i + 3) * n + j] = c3;
      }
    }
    for (; i < m; i++) {
      const a0 = i * k;
      for (let j = j0; j < j1; j++) {
        const b0 = j * k;
        let c = 0;
        for (let p = 0; p < k; p++) c += a[a0 + p] * bt[b0 + p];
        out[i * n + j] = c;
      }
    }
  }
}

function jsMatmul(
  a: TypedArray,
  b: TypedArray,
  out: TypedArray,
  m: number,
  n: number,
  k: number,
  transposeA: boolean,
  transposeB: boolean,
): void {
  if (k === 0) {
    out.fill(0);
    return;
  }
  let rowsA = a;
  if (transposeA) {
    rowsA = a instanceof Float32Array ? new Float32Array(m * k) : new Float64Array(m * k);
    transposeInto(a, k, m, rowsA);
  }
  let rowsB = b;
  if (!transposeB) {
    rowsB = b instanceof Float32Array ? new Float32Array(n * k) : new Float64Array(n * k);
    transposeInto(b, k, n, rowsB);
  }
  matmulRowsDot(rowsA, rowsB, out, m, n, k);
}

// ---------------------------------------------------------------- fused

function biasActivation(
  x: TypedArray,
  bias: TypedArray,
  out: TypedArray,
  rows: number,
  cols: number,
  activation: FusedActivation,
): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    if (activation === "relu") {
      for (let c = 0; c < cols; c++) {
        const v = x[o + c] + bias[c];
        out[o + c] = v > 0 ? v : (v === v ? 0 : v);
      }
    } else {
      for (let c = 0; c < cols; c++) out[o + c] = x[o + c] + bias[c];
    }
  }
}

/** ReLU's VJP: g·1 or g·0, as the mask product computes (and without a branch on the sign of g). */
function reluBackward(g: TypedArray, x: TypedArray, o: TypedArray): void {
  for (let i = 0; i < o.length; i++) o[i] = g[i] * (x[i] > 0 ? 1 : 0);
}

/**
 * Whether every element is finite, in one unrolled pass: x·0 is 0 for a finite x and NaN otherwise, so four
 * independent sums of x·0 (the additions need not wait for one another) are 0 exactly when all is well.
 */
function allFinite(x: TypedArray): boolean {
  const n = x.length, whole = n - (n & 3);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let i = 0; i < whole; i += 4) {
    s0 += x[i] * 0;
    s1 += x[i + 1] * 0;
    s2 += x[i + 2] * 0;
    s3 += x[i + 3] * 0;
  }
  for (let i = whole; i < n; i++) s0 += x[i] * 0;
  return s0 + s1 + s2 + s3 === 0;
}

/**
 * The float32 Adam loop: every operation rounded to float32 (`Math.fround` after each
 * one; rounding the exact double result of +, −, ×, ÷ or √ of float32 operands to
 * float32 gives the correctly rounded float32 result, so this is float32 arithmetic).
 * Each element's inputs are read before its outputs are written, so outputs may alias inputs.
 */
function adamStepF32(
  grad: Float32Array,
  m: Float32Array,
  v: Float32Array,
  outM: Float32Array,
  outV: Float32Array,
  outUpdate: Float32Array,
  { beta1, beta2, stepSize, biasCorrection2Sqrt, epsilon }: AdamStepScalars,
  param: Float32Array | undefined,
): void {
  const f = Math.fround;
  const w1 = f(1 - beta1), b2 = f(beta2), w2 = f(1 - beta2), bc = f(biasCorrection2Sqrt), eps = f(epsilon);
  const negStep = f(-stepSize);
  const n = grad.length;
  for (let i = 0; i < n; i++) {
    const g = grad[i], mi = m[i], vi = v[i];
    const m1 = f(mi + f(w1 * f(g - mi)));
    const v1 = f(f(vi * b2) + f(f(w2 * g) * g));
    const d = f(f(f(Math.sqrt(v1)) / bc) + eps);
    outM[i] = m1;
    outV[i] = v1;
    const u = f(f(negStep * m1) / d);
    outUpdate[i] = param === undefined ? u : param[i] + u; // the store rounds the sum
  }
}

/** The float64 Adam loop: the same operations as {@linkcode adamStepF32} in double. */
function adamStepF64(
  grad: TypedArray,
  m: TypedArray,
  v: TypedArray,
  outM: TypedArray,
  outV: TypedArray,
  outUpdate: TypedArray,
  { beta1, beta2, stepSize, biasCorrection2Sqrt, epsilon }: AdamStepScalars,
  param: TypedArray | undefined,
): void {
  const w1 = 1 - beta1, w2 = 1 - beta2, negStep = -stepSize;
  const n = grad.length;
  for (let i = 0; i < n; i++) {
    const g = grad[i], mi = m[i], vi = v[i];
    const m1 = mi + w1 * (g - mi);
    const v1 = vi * beta2 + w2 * g * g;
    outM[i] = m1;
    outV[i] = v1;
    const u = (negStep * m1) / (Math.sqrt(v1) / biasCorrection2Sqrt + epsilon);
    outUpdate[i] = param === undefined ? u : param[i] + u;
  }
}

/** float32 arithmetic when all the arrays are float32, else double (see {@linkcode AdamStepScalars}). */
function adamStep(
  grad: TypedArray,
  m: TypedArray,
  v: TypedArray,
  outM: TypedArray,
  outV: TypedArray,
  outUpdate: TypedArray,
  scalars: AdamStepScalars,
  param?: TypedArray,
): void {
  if (
    grad instanceof Float32Array && m instanceof Float32Array && v instanceof Float32Array &&
    outM instanceof Float32Array && outV instanceof Float32Array && outUpdate instanceof Float32Array &&
    (param === undefined || param instanceof Float32Array)
  ) {
    adamStepF32(grad, m, v, outM, outV, outUpdate, scalars, param);
  } else {
    const loops = param === undefined
      ? loopsFor(grad, m, v, outM, outV, outUpdate)
      : loopsFor(grad, m, v, outM, outV, outUpdate, param);
    loops.adamStepF64(grad, m, v, outM, outV, outUpdate, scalars, param);
  }
}

// ---------------------------------------------------------------- one compiled copy per dtype

/** The loops that run over whole arrays, by kernel. */
interface Loops {
  unary: Record<UnaryKernel, UnaryLoop>;
  same: Record<BinaryKernel, ContiguousLoop>;
  scalarRight: Record<BinaryKernel, ContiguousLoop>;
  scalarLeft: Record<BinaryKernel, ContiguousLoop>;
  runs: Record<BinaryKernel, BinaryRun>;
  reduceSum: typeof reduceSum;
  reduceMax: typeof reduceMax;
  biasActivation: typeof biasActivation;
  reluBackward: typeof reluBackward;
  allFinite: typeof allFinite;
  adamStepF64: typeof adamStepF64;
}

const sourceLoops: Loops = {
  unary: unaryLoops,
  same: sameLoops,
  scalarRight: scalarRightLoops,
  scalarLeft: scalarLeftLoops,
  runs: binaryRuns,
  reduceSum,
  reduceMax,
  biasActivation,
  reluBackward,
  allFinite,
  adamStepF64,
};

/**
 * A new function literal with `fn`'s source, so that the engine keeps type
 * feedback for it apart from `fn`'s. The `tag` goes into the source (as the
 * name `${name}_${tag}`): the engine caches compiled code by source text, and
 * two copies with the same text would share their feedback again. `fn` must use only its parameters
 * and globals (libm.ts's functions through `Symbol.for("gradflow.libm@1")`). Where code cannot be compiled at run time (a content security
 * policy without `unsafe-eval`), `fn` itself: the same results, slower.
 */
function recompile<F>(fn: F, tag: string, name: string): F {
  try {
    // Named (`add_float32`) so that profiles tell the copies apart.
    return new Function(`"use strict";\nconst ${name}_${tag} = ${String(fn)};\nreturn ${name}_${tag};`)() as F;
  } catch {
    return fn;
  }
}

function recompileAll<K extends string, F>(table: Record<K, F>, tag: string, kind: string): Record<K, F> {
  const entries = Object.entries(table).map(([key, fn]) => [key, recompile(fn, tag, `${kind}_${key}`)]);
  return Object.fromEntries(entries) as Record<K, F>;
}

function copyLoops(loops: Loops, tag: string): Loops {
  return {
    unary: recompileAll(loops.unary, tag, "unary"),
    same: recompileAll(loops.same, tag, "binary"),
    scalarRight: recompileAll(loops.scalarRight, tag, "binaryScalarRight"),
    scalarLeft: recompileAll(loops.scalarLeft, tag, "binaryScalarLeft"),
    runs: recompileAll(loops.runs, tag, "binaryRun"),
    reduceSum: recompile(loops.reduceSum, tag, "reduceSum"),
    reduceMax: recompile(loops.reduceMax, tag, "reduceMax"),
    biasActivation: recompile(loops.biasActivation, tag, "biasActivation"),
    reluBackward: recompile(loops.reluBackward, tag, "reluBackward"),
    allFinite: recompile(loops.allFinite, tag, "allFinite"),
    adamStepF64: recompile(loops.adamStepF64, tag, "adamStepF64"),
  };
}

/**
 * V8 compiles a loop for the array types it has met: once a loop has run on
 * both Float32Array and Float64Array, its element accesses take a generic path
 * about four times slower (measured on `add` of 235 146 float32 elements: 1.1
 * against 4.4 ns per element). So each loop exists in three compiled copies:
 * one that only ever sees float32 arrays, one only float64, and the source for
 * mixed calls (the idea of scijs's `cwise`, which compiles a loop per array type).
 */
const float32Loops = copyLoops(sourceLoops, "float32"), float64Loops = copyLoops(sourceLoops, "float64");

/** The copy of the loops for these arrays' types. */
function loopsFor(...arrays: TypedArray[]): Loops {
  const type = arrays[0].constructor;
  for (let i = 1; i < arrays.length; i++) if (arrays[i].constructor !== type) return sourceLoops;
  return type === Float32Array ? float32Loops : type === Float64Array ? float64Loops : sourceLoops;
}

/**
 * The default backend: plain TypeScript loops over typed arrays, no native code.
 *
 * @example Multiply two 2×2 matrices with the kernel directly
 * ```ts
 * import { jsBackend } from "./backend.ts";
 * import assert from "node:assert/strict";
 *
 * const out = new Float64Array(4);
 * jsBackend.matmul(new Float64Array([1, 2, 3, 4]), new Float64Array([5, 6, 7, 8]), out, 2, 2, 2, false, false);
 * assert.deepEqual([...out], [19, 22, 43, 50]);
 * ```
 */
export const jsBackend: Backend = {
  name: "js",
  matmul: jsMatmul,
  unary(op, x, out) {
    loopsFor(x, out).unary[op](x, out);
  },
  binary,
  reduce(op, x, outer, n, inner, out) {
    const loops = loopsFor(x, out);
    if (op === "sum") loops.reduceSum(x, outer, n, inner, out);
    else loops.reduceMax(x, outer, n, inner, out);
  },
  biasActivation(x, bias, out, rows, cols, activation) {
    loopsFor(x, bias, out).biasActivation(x, bias, out, rows, cols, activation);
  },
  reluBackward(grad, x, out) {
    loopsFor(grad, x, out).reluBackward(grad, x, out);
  },
  allFinite(x) {
    return loopsFor(x).allFinite(x);
  },
  adamStep,
  ...windowKernels,
};

/**
 * The active backend, shared by every copy of this module in the process (a
 * plugin imported by URL brings its own copy of gradflow; its ops must use the
 * backend the host chose), as the flow graph's recording state is. `null`
 * until first asked for: then the default is chosen.
 */
const shared: { active: Backend | null } =
  ((globalThis as Record<symbol, unknown>)[Symbol.for("gradflow.backend@1")] ??= { active: null }) as {
    active: Backend | null;
  };

/**
 * The backend used when none was set: the wasm backend (WebAssembly SIMD
 * matrix product, Adam step and float32 elementwise kernels, TypeScript for
 * the rest) where the engine supports WebAssembly SIMD (every Deno 2), else
 * {@linkcode jsBackend}. Neither needs a permission or native code. The wasm
 * backend splits large products across all the machine's logical cores
 * (Web Workers), where the engine shares WebAssembly memory with them.
 *
 * @returns A new backend of that kind.
 *
 * @example
 * ```ts
 * import { defaultBackend } from "./backend.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(["wasm", "js"].includes(defaultBackend().name));
 * ```
 */
export function defaultBackend(): Backend {
  return wasmSimdSupported() ? createWasmBackend() : jsBackend;
}

/**
 * The backend that ops use now.
 *
 * @returns The active backend ({@linkcode defaultBackend} unless changed).
 *
 * @example
 * ```ts
 * import { getBackend } from "./backend.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(getBackend().name, "wasm");
 * ```
 */
export function getBackend(): Backend {
  return shared.active ??= defaultBackend();
}

/**
 * Makes `backend` the one ops use, and returns the previous one so the caller
 * can restore it. The choice is process-wide, like TF.js's `setBackend`.
 *
 * @param backend The backend to use.
 * @returns The backend that was active before.
 * @throws {TypeError} When `backend` lacks one of the kernels.
 *
 * @example Swap in a backend and restore the previous one
 * ```ts
 * import { jsBackend, setBackend } from "./backend.ts";
 *
 * const previous = setBackend({ ...jsBackend, name: "js-copy" });
 * setBackend(previous);
 * ```
 */
export function setBackend(backend: Backend): Backend {
  for (const key of ["matmul", "unary", "binary", "reduce"] as const) {
    if (typeof backend?.[key] !== "function") {
      throw new TypeError(
        `Cannot set the backend as it must implement ${key}(): current value is ${typeof backend?.[key]}`,
      );
    }
  }
  const previous = getBackend();
  shared.active = backend;
  return previous;
}
