/**
 * Every built-in backend's kernels against plain reference kernels written
 * in this file (`reference`), which share no code with any backend, so the
 * `js` backend is checked against something other than itself: matmul in
 * all four orientations and both dtypes against a float64 triple loop, on
 * fixed edge shapes (1×N, N×1, k = 1, odd sizes, sizes that cross the
 * packing blocks) and seeded random ones; every unary, binary (with every
 * kind of broadcast), reduce and bias kernel on special values (bit for bit,
 * the transcendental ones to a few ulps); the Adam step bit for bit against
 * the formula of `AdamStepScalars` written out per element (both dtypes,
 * lengths around the SIMD width and the small-call threshold, aliased
 * outputs, special values, and applied to a parameter); the contiguous
 * binary loops against the broadcast walk; and the float32 kernels the wasm
 * backend runs in WebAssembly (unary relu, step, neg, abs, square, sqrt;
 * binary add, sub, mul, div on equal lengths, scalars and row broadcasts;
 * biasActivation; ReLU's VJP; column sums; the finiteness check; 2×2 max
 * pooling) bit for bit, for both dtypes, lengths around
 * its threshold and chunks, special values in the SIMD lanes and in the
 * scalar tails, and aliased and overlapping outputs. A backend that cannot
 * be created here ("blas" without OpenBLAS or --allow-ffi) is ignored with
 * the reason printed, except under CI (`CI=true`), where the test fails.
 */

import assert from "node:assert/strict";
import {
  type AdamStepScalars,
  type Backend,
  type BinaryKernel,
  jsBackend,
  type UnaryKernel,
  type Window2d,
} from "../core/backend.ts";
import { Random } from "../core/random.ts";
import type { TypedArray } from "../core/tensor.ts";
import { backendPlugins } from "../plugins/backends/mod.ts";
import { createRegistry } from "../plugins/mod.ts";
import { wasm } from "../plugins/backends/wasm.ts";
import { skipUnlessAvailable } from "./_skip.ts";

type Dtype = "float32" | "float64";

function values(rng: Random, length: number, dtype: Dtype): TypedArray {
  const out = dtype === "float32" ? new Float32Array(length) : new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.uniform(-1, 1);
  return out;
}

/** Checks `backend.matmul` on one shape and orientation against a float64 triple loop. */
function checkMatmul(
  backend: Backend,
  rng: Random,
  m: number,
  n: number,
  k: number,
  ta: boolean,
  tb: boolean,
  dtype: Dtype,
) {
  const a = values(rng, m * k, dtype), b = values(rng, k * n, dtype);
  const out = dtype === "float32" ? new Float32Array(m * n) : new Float64Array(m * n);
  out.fill(Number.NaN); // every element must be overwritten
  backend.matmul(a, b, out, m, n, k, ta, tb);
  const eps = dtype === "float32" ? 1.2e-7 : 2.3e-16;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0, magnitude = 0;
      for (let p = 0; p < k; p++) {
        const term = (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
        sum += term;
        magnitude += Math.abs(term);
      }
      const got = out[i * n + j];
      const tolerance = 2 * (k + 2) * eps * magnitude + 1e-30;
      if (!(Math.abs(got - sum) <= tolerance)) {
        assert.fail(
          `${backend.name} matmul ${dtype} m=${m} n=${n} k=${k} transposeA=${ta} transposeB=${tb}: ` +
            `out[${i}, ${j}] is ${got}, reference ${sum} (tolerance ${tolerance})`,
        );
      }
    }
  }
}

/** A number as a message shows it, −0 included. */
const showValue = (x: number) => (Object.is(x, -0) ? "-0" : String(x));

/** Asserts that two arrays hold the same values (`Object.is`: −0 ≠ 0, NaN = NaN), naming the first that differs. */
function assertSameValues(got: ArrayLike<number>, want: ArrayLike<number>, what: string) {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) {
      assert.fail(`${what}: element ${i} is ${showValue(got[i])}, expected ${showValue(want[i])}`);
    }
  }
}

/** A value rounded to the dtype, as storing it in an array of that dtype does. */
const round = (x: number, dtype: Dtype) => (dtype === "float32" ? Math.fround(x) : x);

/** The dtype of an array. */
const dtypeOf = (x: TypedArray): Dtype => (x instanceof Float32Array ? "float32" : "float64");

/**
 * Plain reference kernels, one element at a time, written here from the
 * kernels' documented semantics and sharing no code with any backend (so the
 * `js` backend is checked against something other than itself): NaN
 * propagates through relu, sign, maximum, minimum and max; ties in maximum
 * and minimum return the second operand; `step(NaN)` is 0; sums accumulate in
 * double in index order and round once; Adam follows `AdamStepScalars`
 * operation by operation (float32 rounding after each one on float32 arrays).
 */
const reference: Backend = {
  name: "reference",
  matmul(a, b, out, m, n, k, ta, tb) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
        out[i * n + j] = sum;
      }
    }
  },
  unary(op, x, out) {
    const f: Record<string, (v: number) => number> = {
      neg: (v) => -v,
      exp: Math.exp,
      log: Math.log,
      sqrt: Math.sqrt,
      sin: Math.sin,
      cos: Math.cos,
      tanh: Math.tanh,
      sigmoid: (v) => 1 / (1 + Math.exp(-v)),
      relu: (v) => (Number.isNaN(v) ? v : v > 0 ? v : 0),
      abs: Math.abs,
      square: (v) => v * v,
      sign: (v) => (Number.isNaN(v) ? v : v > 0 ? 1 : v < 0 ? -1 : 0),
      step: (v) => (v > 0 ? 1 : 0),
      isFinite: (v) => (Number.isFinite(v) ? 1 : 0),
    };
    for (let i = 0; i < out.length; i++) out[i] = f[op](x[i]);
  },
  binary(op, a, aShape, b, bShape, out, outShape) {
    const f: Record<BinaryKernel, (x: number, y: number) => number> = {
      add: (x, y) => x + y,
      sub: (x, y) => x - y,
      mul: (x, y) => x * y,
      div: (x, y) => x / y,
      maximum: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : x > y ? x : y),
      minimum: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : x < y ? x : y),
      pow: Math.pow,
      greater: (x, y) => (x > y ? 1 : 0),
      less: (x, y) => (x < y ? 1 : 0),
      equal: (x, y) => (x === y ? 1 : 0),
    };
    // The flat index of output element `i` in an operand of `shape`, aligned on the right, length-1 axes broadcast.
    const indexIn = (i: number, shape: readonly number[]) => {
      let index = 0, stride = 1, rest = i;
      for (let axis = outShape.length - 1, own = shape.length - 1; axis >= 0; axis--, own--) {
        const coordinate = rest % outShape[axis];
        rest = Math.floor(rest / outShape[axis]);
        if (own < 0) continue;
        if (shape[own] !== 1) index += coordinate * stride;
        stride *= shape[own];
      }
      return index;
    };
    for (let i = 0; i < out.length; i++) out[i] = f[op](a[indexIn(i, aShape)], b[indexIn(i, bShape)]);
  },
  reduce(op, x, outer, n, inner, out) {
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < inner; j++) {
        let acc = op === "sum" ? 0 : -Infinity;
        for (let k = 0; k < n; k++) {
          const v = x[(o * n + k) * inner + j];
          if (op === "sum") acc += v;
          else if (Number.isNaN(acc) || Number.isNaN(v)) acc = NaN;
          else if (v > acc) acc = v;
        }
        out[o * inner + j] = acc;
      }
    }
  },
  biasActivation(x, bias, out, rows, cols, activation) {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = x[r * cols + c] + bias[c];
        out[r * cols + c] = activation === "relu" && !Number.isNaN(v) && !(v > 0) ? 0 : v;
      }
    }
  },
  reluBackward(grad, x, out) {
    for (let i = 0; i < out.length; i++) out[i] = x[i] > 0 ? grad[i] : grad[i] * 0;
  },
  allFinite(x) {
    for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
    return true;
  },
  maxPool2d(x, out, indices, w) {
    let o = 0;
    for (let p = 0; p < w.batch * w.channels; p++) {
      for (let oh = 0; oh < w.outHeight; oh++) {
        for (let ow = 0; ow < w.outWidth; ow++, o++) {
          let best = -Infinity, at = -1;
          for (let i = 0; i < w.kernelHeight; i++) {
            for (let j = 0; j < w.kernelWidth; j++) {
              const row = oh * w.strideHeight - w.padTop + i * w.dilationHeight;
              const column = ow * w.strideWidth - w.padLeft + j * w.dilationWidth;
              if (row < 0 || row >= w.height || column < 0 || column >= w.width) continue;
              const index = (p * w.height + row) * w.width + column, v = x[index];
              // The first maximum in window order; a NaN replaces whatever came before.
              if (at === -1 || Number.isNaN(v) || (!Number.isNaN(best) && v > best)) [best, at] = [v, index];
            }
          }
          out[o] = best;
          indices[o] = at;
        }
      }
    }
  },
  adamStep(grad, m, v, outM, outV, outUpdate, s, param) {
    const single = [grad, m, v, outM, outV, outUpdate, ...(param ? [param] : [])].every((x) =>
      x instanceof Float32Array
    );
    for (let i = 0; i < grad.length; i++) {
      const [m1, v1, u] = single ? adamElementF32(grad[i], m[i], v[i], s) : adamElementF64(grad[i], m[i], v[i], s);
      const p = param?.[i];
      outM[i] = m1, outV[i] = v1, outUpdate[i] = p === undefined ? u : p + u;
    }
  },
};

/**
 * Asserts that two arrays of a transcendental kernel's results agree to a few
 * units in the last place of the dtype; NaN, infinities and zeros exactly.
 */
function assertClose(got: TypedArray, want: TypedArray, what: string) {
  const tolerance = dtypeOf(got) === "float32" ? 3e-7 : 4e-15;
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    const ok = Number.isFinite(w) && w !== 0 ? Math.abs(g - w) <= tolerance * Math.abs(w) : Object.is(g, w);
    if (!ok) assert.fail(`${what}: element ${i} is ${showValue(g)}, the reference gives ${showValue(w)}`);
  }
}

/** Values for kernel tests: mostly uniform in [-1, 1], with special values sprinkled in when `special`. */
function mixedValues(rng: Random, length: number, dtype: Dtype, special: boolean): TypedArray {
  const out = values(rng, length, dtype);
  if (!special) return out;
  const specials = [0, -0, Number.NaN, Infinity, -Infinity, 1e-40, -3e38, 1e300, 5e-324, 2, -2];
  for (let i = 0; i < length; i += 7) out[i] = specials[rng.int(specials.length)];
  return out;
}

const ADAM_SCALARS: AdamStepScalars[] = [
  // PyTorch's defaults at t = 1 and t = 1000, with a learning rate of 1e-3.
  { beta1: 0.9, beta2: 0.999, stepSize: 1e-3 / 0.1, biasCorrection2Sqrt: Math.sqrt(1 - 0.999), epsilon: 1e-8 },
  {
    beta1: 0.9,
    beta2: 0.999,
    stepSize: 1e-3 / (1 - 0.9 ** 1000),
    biasCorrection2Sqrt: Math.sqrt(1 - 0.999 ** 1000),
    epsilon: 1e-8,
  },
  // β₁ ≤ 0.5 (a weight of at least 0.5), ε = 0, and scalars that are not float32 numbers.
  { beta1: 0.3, beta2: 0.7, stepSize: 0.1 / 0.7, biasCorrection2Sqrt: Math.sqrt(0.51), epsilon: 0 },
];

/**
 * Lengths around the SIMD widths (2, 4), the wasm backend's small-call
 * threshold (1024) and its chunks (16384 float32, 8192 float64 elements).
 */
const ADAM_LENGTHS = [1, 2, 3, 5, 30, 1023, 1024, 1025, 1031, 4099, 20001];

/** Checks `backend.adamStep` against the {@linkcode reference}'s formula, with fresh and aliased outputs. */
function checkAdamStep(backend: Backend, rng: Random, n: number, dtype: Dtype, special: boolean) {
  const make = (length: number) => (dtype === "float32" ? new Float32Array(length) : new Float64Array(length));
  const g = mixedValues(rng, n, dtype, special), m = mixedValues(rng, n, dtype, special);
  const v = mixedValues(rng, n, dtype, special).map(Math.abs);
  for (const scalars of ADAM_SCALARS) {
    const what = `${backend.name} adamStep ${dtype} n=${n} beta1=${scalars.beta1}${
      special ? " with special values" : ""
    }`;
    const want = [make(n), make(n), make(n)];
    reference.adamStep!(g, m, v, want[0], want[1], want[2], scalars);
    const got = [make(n).fill(Number.NaN), make(n).fill(Number.NaN), make(n).fill(Number.NaN)];
    backend.adamStep!(g, m, v, got[0], got[1], got[2], scalars);
    assertSameValues(got[0], want[0], `${what}: m`);
    assertSameValues(got[1], want[1], `${what}: v`);
    assertSameValues(got[2], want[2], `${what}: update`);
    // outM === m, outV === v, outUpdate === grad.
    const gm = g.slice(), mm = m.slice(), vm = v.slice();
    backend.adamStep!(gm, mm, vm, mm, vm, gm, scalars);
    assertSameValues(mm, want[0], `${what} (aliased): m`);
    assertSameValues(vm, want[1], `${what} (aliased): v`);
    assertSameValues(gm, want[2], `${what} (aliased): update`);
    // With a parameter the step applies itself: outUpdate gets param + update, rounded to the dtype.
    const param = mixedValues(rng, n, dtype, special);
    const applied = make(n);
    for (let i = 0; i < n; i++) applied[i] = param[i] + want[2][i];
    const gp = g.slice(), mp = m.slice(), vp = v.slice(), pp = param.slice();
    backend.adamStep!(gp, mp, vp, mp, vp, pp, scalars, pp);
    assertSameValues(mp, want[0], `${what} (applied): m`);
    assertSameValues(vp, want[1], `${what} (applied): v`);
    assertSameValues(pp, applied, `${what} (applied): param`);
    assertSameValues(gp, g, `${what} (applied): the gradient is left alone`);
  }
}

const UNARY_KERNELS: UnaryKernel[] = [
  "neg",
  "exp",
  "log",
  "sqrt",
  "sin",
  "cos",
  "tanh",
  "sigmoid",
  "relu",
  "abs",
  "square",
  "sign",
  "step",
  "isFinite",
];

const BINARY_KERNELS: BinaryKernel[] = [
  "add",
  "sub",
  "mul",
  "div",
  "maximum",
  "minimum",
  "pow",
  "greater",
  "less",
  "equal",
];

/**
 * Checks the contiguous binary loops (equal lengths, scalar right, scalar
 * left, and out === a) against the broadcast walk, which they bypass: the
 * walk is forced by broadcasting over an extra leading axis of 2, or by a
 * column of copies of the scalar.
 */
function checkContiguousBinary(backend: Backend, rng: Random, op: BinaryKernel, dtype: Dtype) {
  const make = (length: number) => (dtype === "float32" ? new Float32Array(length) : new Float64Array(length));
  const rows = 7, cols = 9, n = rows * cols;
  const a = mixedValues(rng, n, dtype, true), b = mixedValues(rng, n, dtype, true);
  for (let i = 0; i < n; i += 5) b[i] = a[i]; // ties, for maximum, minimum and equal
  // Signed zeros and NaN on either side, which Math.max and Math.min would treat otherwise.
  const pairs = [[0, -0], [-0, 0], [Number.NaN, 1], [1, Number.NaN], [Infinity, Number.NaN], [-Infinity, -0]];
  pairs.forEach(([x, y], j) => (a[6 * j + 1] = x, b[6 * j + 1] = y));
  const what = `${backend.name} binary ${op} ${dtype}`;

  const same = make(n);
  backend.binary(op, a, [rows, cols], b, [rows, cols], same, [rows, cols]);
  const twice = make(2 * n);
  twice.set(a), twice.set(a, n);
  const walked = make(2 * n);
  backend.binary(op, twice, [2, rows, cols], b, [rows, cols], walked, [2, rows, cols]);
  assertSameValues(same, walked.subarray(0, n), `${what}: equal lengths`);
  assertSameValues(same, walked.subarray(n), `${what}: equal lengths`);

  const inPlace = a.slice();
  backend.binary(op, inPlace, [rows, cols], b, [rows, cols], inPlace, [rows, cols]);
  assertSameValues(inPlace, same, `${what}: out === a`);

  for (const s of [0.5, 0, -0, Number.NaN, Infinity, a[3]]) {
    const scalar = make(1).fill(s), column = make(rows).fill(s);
    const right = make(n), left = make(n), rightWalked = make(n), leftWalked = make(n);
    backend.binary(op, a, [rows, cols], scalar, [], right, [rows, cols]);
    backend.binary(op, a, [rows, cols], column, [rows, 1], rightWalked, [rows, cols]);
    assertSameValues(right, rightWalked, `${what}: scalar right ${s}`);
    backend.binary(op, scalar, [1, 1], a, [rows, cols], left, [rows, cols]);
    backend.binary(op, column, [rows, 1], a, [rows, cols], leftWalked, [rows, cols]);
    assertSameValues(left, leftWalked, `${what}: scalar left ${s}`);
  }
}

/**
 * Lengths around the wasm backend's elementwise threshold (512 float32
 * elements), its chunks (16384 elements), and not multiples of the SIMD width.
 */
const ELEMENTWISE_LENGTHS = [3, 511, 512, 513, 16387];

/** A length above the threshold whose last three elements are the SIMD kernels' scalar tail. */
const TAIL_LENGTH = 515;

/**
 * `[rows, cols]` shapes for row broadcasts, the fused bias and column sums:
 * tails of 1–3 columns, the MLP's 128×10, several chunks of whole rows, and
 * rows longer than a chunk.
 */
const ROW_SHAPES: [number, number][] = [[3, 5], [5, 103], [128, 10], [7, 73], [70, 257], [2, 16390]];

/**
 * NaN, ±Infinity, ±0, float32 subnormals and the smallest normal, and values
 * whose float32 square, sum or rounding overflows.
 */
const SPECIALS = [0, -0, Number.NaN, Infinity, -Infinity, 1e-40, -1.4e-45, 1.1754942e-38, 3.4e38, -3e38, 1e300, 5e-324];

/** Values for the elementwise kernels: a third of them {@linkcode SPECIALS}. */
function edgeValues(rng: Random, length: number, dtype: Dtype): TypedArray {
  const out = values(rng, length, dtype);
  for (let i = 0; i < length; i++) if (rng.int(3) === 0) out[i] = SPECIALS[rng.int(SPECIALS.length)];
  return out;
}

/**
 * Runs `call` on `backend` and on the plain {@linkcode reference}, each on its own
 * copies of `arrays` (outputs among them, so an output may be an input), and
 * compares every array afterwards bit for bit: the outputs, and the inputs,
 * which must be left alone.
 */
function sameAsReference(
  backend: Backend,
  what: string,
  arrays: TypedArray[],
  call: (be: Backend, xs: TypedArray[]) => void,
) {
  const got = arrays.map((x) => x.slice()), want = arrays.map((x) => x.slice());
  call(backend, got);
  call(reference, want);
  got.forEach((x, i) => assertSameValues(x, want[i], `${what}: array ${i}`));
}

const WASM_UNARY = ["relu", "step", "neg", "abs", "square", "sqrt"] as const;
const WASM_BINARY = ["add", "sub", "mul", "div"] as const;

/**
 * The unary kernels on fresh, aliased (out === x) and overlapping (out
 * shifted by 3 in x's buffer) outputs, and with every special value in the
 * scalar tail.
 */
function checkUnary(be: Backend, rng: Random, dtype: Dtype) {
  const make = (n: number) => (dtype === "float32" ? new Float32Array(n) : new Float64Array(n));
  for (const n of ELEMENTWISE_LENGTHS) {
    const x = edgeValues(rng, n, dtype);
    for (const op of WASM_UNARY) {
      const what = `${be.name} unary ${op} ${dtype} n=${n}`;
      sameAsReference(be, what, [x, make(n).fill(Number.NaN)], (b, [x, out]) => b.unary(op, x, out));
      sameAsReference(be, `${what} (out === x)`, [x], (b, [x]) => b.unary(op, x, x));
      const buffer = make(n + 3);
      buffer.set(x);
      sameAsReference(be, `${what} (overlapping)`, [buffer], (b, [s]) => b.unary(op, s.subarray(0, n), s.subarray(3)));
    }
  }
  for (let j = 0; j < SPECIALS.length; j += 3) {
    const x = edgeValues(rng, TAIL_LENGTH, dtype);
    x.set(SPECIALS.slice(j, j + 3), TAIL_LENGTH - 3);
    for (const op of WASM_UNARY) {
      const what = `${be.name} unary ${op} ${dtype} with ${SPECIALS.slice(j, j + 3)} in the tail`;
      sameAsReference(be, what, [x, make(TAIL_LENGTH)], (b, [x, out]) => b.unary(op, x, out));
    }
  }
}

/**
 * The binary kernels on equal lengths (out fresh, === a, === b), with a
 * scalar on either side, mixed dtypes and an overlapping output; then every
 * pair of special values in the scalar tail of each contiguous kernel.
 */
function checkBinary(be: Backend, rng: Random, dtype: Dtype) {
  const make = (n: number) => (dtype === "float32" ? new Float32Array(n) : new Float64Array(n));
  for (const n of ELEMENTWISE_LENGTHS) {
    const a = edgeValues(rng, n, dtype), b = edgeValues(rng, n, dtype), s = [n];
    for (const op of WASM_BINARY) {
      const what = `${be.name} binary ${op} ${dtype} n=${n}`;
      sameAsReference(be, what, [a, b, make(n)], (k, [a, b, out]) => k.binary(op, a, s, b, s, out, s));
      sameAsReference(be, `${what} (out === a)`, [a, b], (k, [a, b]) => k.binary(op, a, s, b, s, a, s));
      sameAsReference(be, `${what} (out === b)`, [a, b], (k, [a, b]) => k.binary(op, a, s, b, s, b, s));
      sameAsReference(be, `${what} (a === b === out)`, [a], (k, [a]) => k.binary(op, a, s, a, s, a, s));
      for (const y of [0.5, 0, -0, Number.NaN, Infinity, -Infinity, 1e-40, a[1]]) {
        const scalar = make(1).fill(y);
        sameAsReference(be, `${what} scalar right ${y}`, [a, scalar, make(n)], (k, [a, y, out]) => {
          k.binary(op, a, s, y, [], out, s);
          k.binary(op, a, s, y, [1], a, s);
        });
        sameAsReference(be, `${what} scalar left ${y}`, [a, scalar, make(n)], (k, [a, y, out]) => {
          k.binary(op, y, [], a, s, out, s);
          k.binary(op, y, [1], a, s, a, s);
        });
      }
      const other = dtype === "float32" ? Float64Array.from(b) : Float32Array.from(b);
      sameAsReference(be, `${what} with mixed dtypes`, [a, other, new Float64Array(n)], (k, [a, b, out]) => {
        k.binary(op, a, s, b, s, out, s);
        k.binary(op, b, s, a, s, out, s);
      });
      const buffer = make(n + 3);
      buffer.set(a);
      sameAsReference(be, `${what} (overlapping)`, [buffer, b], (k, [x, b]) => {
        k.binary(op, x.subarray(0, n), s, b, s, x.subarray(3), s);
        k.binary(op, b, s, x.subarray(3), s, x.subarray(0, n), s);
      });
    }
  }
  const n = TAIL_LENGTH, s = [n];
  for (const y of SPECIALS) {
    for (let j = 0; j < SPECIALS.length; j += 3) {
      const a = edgeValues(rng, n, dtype), b = edgeValues(rng, n, dtype), scalar = make(1).fill(y);
      a.set(SPECIALS.slice(j, j + 3), n - 3);
      b.fill(y, n - 3);
      for (const op of WASM_BINARY) {
        const what = `${be.name} binary ${op} ${dtype} with ${SPECIALS.slice(j, j + 3)} and ${y} in the tail`;
        sameAsReference(be, what, [a, b, scalar, make(n), make(n), make(n), make(n)], (k, [a, b, y, ...outs]) => {
          k.binary(op, a, s, b, s, outs[0], s);
          k.binary(op, b, s, a, s, outs[1], s);
          k.binary(op, a, s, y, [], outs[2], s);
          k.binary(op, y, [], a, s, outs[3], s);
        });
      }
    }
  }
}

/**
 * A `[80, 7]` matrix whose last three columns (the row kernels' scalar tail)
 * hold every special value, and rows `[7]` whose last three do in turn.
 */
function tailMatrices(rng: Random, dtype: Dtype): { matrix: TypedArray; rows: TypedArray[] } {
  const matrix = edgeValues(rng, 80 * 7, dtype);
  for (let r = 0; r < 80; r++) matrix.fill(SPECIALS[r % SPECIALS.length], r * 7 + 4, r * 7 + 7);
  const rows = [];
  for (let j = 0; j < SPECIALS.length; j += 3) {
    const row = edgeValues(rng, 7, dtype);
    row.set(SPECIALS.slice(j, j + 3), 4);
    rows.push(row);
  }
  return { matrix, rows };
}

/**
 * Row broadcasts `[rows, cols] op [cols]` and `[cols] op [rows, cols]`, as
 * rank 2 and 3, fresh and aliased, and with every pair of special values in
 * the row tails.
 */
function checkRows(be: Backend, rng: Random, dtype: Dtype) {
  const make = (n: number) => (dtype === "float32" ? new Float32Array(n) : new Float64Array(n));
  for (const [rows, cols] of ROW_SHAPES) {
    const n = rows * cols, m = edgeValues(rng, n, dtype), row = edgeValues(rng, cols, dtype);
    for (const op of WASM_BINARY) {
      const what = `${be.name} binary ${op} ${dtype} [${rows}, ${cols}] with [${cols}]`;
      for (const [ms, rs] of [[[rows, cols], [cols]], [[rows, cols], [1, cols]], [[1, rows, cols], [1, 1, cols]]]) {
        sameAsReference(be, `${what}: [${ms}] op [${rs}]`, [m, row, make(n).fill(Number.NaN)], (k, [m, r, out]) => {
          k.binary(op, m, ms, r, rs, out, ms);
        });
        sameAsReference(be, `${what}: [${rs}] op [${ms}]`, [m, row, make(n).fill(Number.NaN)], (k, [m, r, out]) => {
          k.binary(op, r, rs, m, ms, out, ms);
        });
        sameAsReference(be, `${what}: [${ms}] op [${rs}] into the matrix`, [m, row], (k, [m, r]) => {
          k.binary(op, m, ms, r, rs, m, ms);
          k.binary(op, r, rs, m, ms, m, ms);
        });
      }
    }
  }
  const { matrix, rows } = tailMatrices(rng, dtype), ms = [80, 7], rs = [7];
  for (const row of rows) {
    for (const op of WASM_BINARY) {
      const what = `${be.name} binary ${op} ${dtype} [80, 7] with special values in the row tails`;
      sameAsReference(be, what, [matrix, row, make(80 * 7), make(80 * 7)], (k, [m, r, out, outLeft]) => {
        k.binary(op, m, ms, r, rs, out, ms);
        k.binary(op, r, rs, m, ms, outLeft, ms);
      });
    }
  }
}

/**
 * The fused bias + activation, fresh and in place (out === x, as the linear
 * op calls it), and with every pair of special values in the row tails.
 */
function checkBiasActivation(be: Backend, rng: Random, dtype: Dtype) {
  const make = (n: number) => (dtype === "float32" ? new Float32Array(n) : new Float64Array(n));
  for (const [rows, cols] of [...ROW_SHAPES, [1, 600], [128, 256]] as [number, number][]) {
    const n = rows * cols, x = edgeValues(rng, n, dtype), bias = edgeValues(rng, cols, dtype);
    for (const activation of ["none", "relu"] as const) {
      const what = `${be.name} biasActivation ${activation} ${dtype} ${rows}×${cols}`;
      sameAsReference(be, what, [x, bias, make(n).fill(Number.NaN)], (k, [x, b, out]) => {
        k.biasActivation!(x, b, out, rows, cols, activation);
      });
      sameAsReference(
        be,
        `${what} (out === x)`,
        [x, bias],
        (k, [x, b]) => k.biasActivation!(x, b, x, rows, cols, activation),
      );
    }
  }
  const { matrix, rows } = tailMatrices(rng, dtype);
  for (const bias of rows) {
    for (const activation of ["none", "relu"] as const) {
      const what = `${be.name} biasActivation ${activation} ${dtype} 80×7 with special values in the row tails`;
      sameAsReference(be, what, [matrix, bias, make(80 * 7)], (k, [x, b, out]) => {
        k.biasActivation!(x, b, out, 80, 7, activation);
      });
    }
  }
}

/**
 * ReLU's VJP on fresh, aliased (out === grad, out === x) and overlapping
 * outputs, with mixed dtypes, and with every pair of special values (in the
 * cotangent and the input) in the scalar tail.
 */
function checkReluBackward(be: Backend, rng: Random, dtype: Dtype) {
  const make = (n: number) => (dtype === "float32" ? new Float32Array(n) : new Float64Array(n));
  for (const n of ELEMENTWISE_LENGTHS) {
    const g = edgeValues(rng, n, dtype), x = edgeValues(rng, n, dtype);
    const what = `${be.name} reluBackward ${dtype} n=${n}`;
    sameAsReference(be, what, [g, x, make(n).fill(Number.NaN)], (k, [g, x, out]) => k.reluBackward!(g, x, out));
    sameAsReference(be, `${what} (out === grad)`, [g, x], (k, [g, x]) => k.reluBackward!(g, x, g));
    sameAsReference(be, `${what} (out === x)`, [g, x], (k, [g, x]) => k.reluBackward!(g, x, x));
    const other = dtype === "float32" ? Float64Array.from(x) : Float32Array.from(x);
    sameAsReference(be, `${what} with mixed dtypes`, [g, other, new Float64Array(n)], (k, [g, x, out]) => {
      k.reluBackward!(g, x, out);
      k.reluBackward!(x, g, out);
    });
    const buffer = make(n + 3);
    buffer.set(g);
    sameAsReference(be, `${what} (overlapping)`, [buffer, x], (k, [s, x]) => {
      k.reluBackward!(s.subarray(0, n), x, s.subarray(3));
      k.reluBackward!(x, s.subarray(3), s.subarray(0, n));
    });
  }
  const n = TAIL_LENGTH;
  for (const y of SPECIALS) {
    for (let j = 0; j < SPECIALS.length; j += 3) {
      const g = edgeValues(rng, n, dtype), x = edgeValues(rng, n, dtype);
      g.set(SPECIALS.slice(j, j + 3), n - 3);
      x.fill(y, n - 3);
      const what = `${be.name} reluBackward ${dtype} with ${SPECIALS.slice(j, j + 3)} and ${y} in the tail`;
      sameAsReference(be, what, [g, x, make(n), make(n)], (k, [g, x, out, swapped]) => {
        k.reluBackward!(g, x, out);
        k.reluBackward!(x, g, swapped);
      });
    }
  }
}

/**
 * The finiteness check on finite arrays (with ±0, subnormals and the largest
 * finite values) of lengths around the wasm threshold, its chunks (16384
 * float32, 8192 float64 elements) and the SIMD widths, then with one NaN or
 * infinity at the first element, in the SIMD lanes, in the last chunk and in
 * the scalar tail; and on the backend's resident buffers, where it has them.
 */
function checkAllFinite(be: Backend, rng: Random, dtype: Dtype) {
  const largest = dtype === "float32" ? 3.4028234663852886e38 : Number.MAX_VALUE;
  for (const n of [...ELEMENTWISE_LENGTHS, 8191, 8193, 16384, 40000]) {
    const x = values(rng, n, dtype);
    for (let i = 0; i < n; i += 5) x[i] = [0, -0, 1e-40, -largest, largest, 5e-324][rng.int(6)];
    const what = `${be.name} allFinite ${dtype} n=${n}`;
    assert.equal(be.allFinite!(x), reference.allFinite!(x), what);
    assert.equal(be.allFinite!(x), true, what);
    for (const at of new Set([0, 1, 6, n >> 1, n - 4, n - 3, n - 1].filter((i) => i >= 0 && i < n))) {
      for (const bad of [Number.NaN, Infinity, -Infinity]) {
        const y = x.slice();
        y[at] = bad;
        assert.equal(be.allFinite!(y), reference.allFinite!(y), `${what} with ${bad} at ${at}`);
        assert.equal(be.allFinite!(y), false, `${what} with ${bad} at ${at}`);
        assert.equal(be.allFinite!(y.subarray(at + 1)), true, `${what} after ${bad} at ${at}`);
      }
    }
    const resident = be.allocate?.(dtype, n) ?? null;
    if (resident !== null) {
      resident.set(x);
      assert.equal(be.allFinite!(resident), true, `${what} (resident)`);
      resident[n - 1] = Number.NaN;
      assert.equal(be.allFinite!(resident), false, `${what} (resident, NaN last)`);
      resident[n - 1] = 0;
      resident[0] = -Infinity;
      assert.equal(be.allFinite!(resident), false, `${what} (resident, −Infinity first)`);
    }
  }
}

/** A max-pooling window over `[batch, channels, height, width]` (no dilation), as the pooling ops compute it. */
function poolWindow(
  [batch, channels, height, width]: number[],
  [kh, kw]: number[],
  [sh, sw]: number[],
  [ph, pw]: number[],
): Window2d {
  const outHeight = Math.floor((height + 2 * ph - kh) / sh) + 1, outWidth = Math.floor((width + 2 * pw - kw) / sw) + 1;
  return {
    batch,
    channels,
    height,
    width,
    kernelHeight: kh,
    kernelWidth: kw,
    strideHeight: sh,
    strideWidth: sw,
    dilationHeight: 1,
    dilationWidth: 1,
    padTop: ph,
    padLeft: pw,
    outHeight,
    outWidth,
  };
}

/**
 * Max pooling against the reference, maxima and indices: 2×2 windows with
 * stride 2 (the wasm kernel's case) on even and odd sizes, planes that cross
 * its chunks of 16384 elements and a plane larger than one, other windows
 * (padding, stride 1, 3×3), values with ties (the first maximum wins), NaN
 * (the last one wins), ±0 and infinities; and the backend's resident buffers.
 */
function checkMaxPool(be: Backend, rng: Random, dtype: Dtype) {
  const make = (n: number) => (dtype === "float32" ? new Float32Array(n) : new Float64Array(n));
  const cases: [number[], number[], number[], number[]][] = [
    [[2, 3, 28, 28], [2, 2], [2, 2], [0, 0]],
    [[4, 32, 28, 28], [2, 2], [2, 2], [0, 0]],
    [[2, 90, 15, 15], [2, 2], [2, 2], [0, 0]],
    [[4, 16, 14, 14], [2, 2], [2, 2], [0, 0]],
    [[3, 5, 7, 7], [2, 2], [2, 2], [0, 0]],
    [[2, 7, 9, 13], [2, 2], [2, 2], [0, 0]],
    [[1, 1, 130, 131], [2, 2], [2, 2], [0, 0]],
    [[2, 40, 6, 10], [2, 2], [2, 2], [0, 0]],
    [[2, 3, 9, 8], [3, 3], [1, 1], [1, 1]],
    [[2, 3, 8, 8], [2, 2], [2, 2], [1, 1]],
    [[2, 3, 8, 9], [2, 3], [2, 2], [0, 0]],
  ];
  for (const [shape, kernel, stride, padding] of cases) {
    const w = poolWindow(shape, kernel, stride, padding);
    const n = shape.reduce((p, k) => p * k, 1), outSize = w.batch * w.channels * w.outHeight * w.outWidth;
    // Small integers tie often; a tenth of the values are special.
    const x = make(n);
    for (let i = 0; i < n; i++) x[i] = rng.int(10) === 0 ? SPECIALS[rng.int(SPECIALS.length)] : rng.int(7) - 3;
    const what = `${be.name} maxPool2d ${dtype} [${shape}] window ${kernel} stride ${stride} padding ${padding}`;
    const want = make(outSize), wantAt = new Int32Array(outSize);
    reference.maxPool2d!(x, want, wantAt, w);
    for (const input of [x, be.allocate?.(dtype, n)?.fill(0) ?? null]) {
      if (input === null) continue;
      input.set(x);
      const got = make(outSize).fill(Number.NaN), at = new Int32Array(outSize).fill(-7);
      be.maxPool2d!(input, got, at, w);
      const where = input === x ? what : `${what} (resident input)`;
      assertSameValues(got, want, `${where}: maxima`);
      assertSameValues(at, wantAt, `${where}: indices`);
    }
  }
}

/**
 * Sums over the middle axis of `[outer, n, inner]`: column sums (several
 * chunks of rows, rows longer than a chunk, several outer blocks), row sums,
 * and special values; and in both the SIMD columns and the scalar tail, a
 * column of −0 (the sum is +0), one whose sum overflows float32 only when
 * rounded, and one of subnormals.
 */
function checkSums(be: Backend, rng: Random, dtype: Dtype) {
  const make = (n: number) => (dtype === "float32" ? new Float32Array(n) : new Float64Array(n));
  const shapes: [number, number, number][] = [
    [1, 128, 256],
    [1, 128, 10],
    [3, 37, 29],
    [1, 300, 70],
    [2, 5, 16390],
    [1, 80, 7],
    [1, 513, 1],
    [4, 600, 1],
  ];
  for (const [outer, n, inner] of shapes) {
    for (const special of [false, true]) {
      const x = special ? edgeValues(rng, outer * n * inner, dtype) : values(rng, outer * n * inner, dtype);
      if (!special && inner === 7) {
        // Columns 0–2 are SIMD lanes, 4–6 the scalar tail; the other shapes keep ordinary values there.
        for (let k = 0; k < outer * n; k++) {
          x.set([-0, 3e38, 1e-40], k * inner), x.set([-0, 3e38, 1e-40], k * inner + 4);
        }
      }
      const what = `${be.name} reduce sum ${dtype} [${outer}, ${n}, ${inner}]${special ? " with special values" : ""}`;
      sameAsReference(be, what, [x, make(outer * inner).fill(Number.NaN)], (k, [x, out]) => {
        k.reduce("sum", x, outer, n, inner, out);
      });
    }
  }
}

/** Edge shapes [m, n, k]: vectors, k = 1, odd sizes, k across two packed blocks, m across two row blocks. */
const EDGE_SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 37, 19],
  [37, 1, 19],
  [1, 1, 300],
  [23, 29, 1],
  [4, 8, 16],
  [13, 17, 300],
  [33, 65, 513],
  [131, 9, 7],
  [5, 300, 3],
  [130, 10, 128],
  [3, 5, 0],
];

function randomShapes(rng: Random, count: number): [number, number, number][] {
  const size = () => (rng.uniform(0, 1) < 0.2 ? 1 : 1 + rng.int(70));
  return Array.from({ length: count }, () => [size(), size(), size()]);
}

interface Candidate {
  name: string;
  backend?: Backend;
  why?: string;
}

const candidates: Candidate[] = backendPlugins.map((plugin) => {
  try {
    return { name: plugin.name, backend: plugin.create({}, createRegistry().context) as Backend };
  } catch (error) {
    return { name: plugin.name, why: (error as Error).message };
  }
});
// Both builds of the WebAssembly module, whichever the engine would pick.
candidates.push({ name: "wasm (plain SIMD128)", backend: wasm({ relaxed: false }) });

for (const { name, backend, why } of candidates) {
  const test = `backend "${name}" kernels match the plain reference on edge and random shapes`;
  Deno.test({
    name: test,
    // Outside CI, a backend that cannot be created here is ignored with the reason printed; under CI it fails.
    ignore: skipUnlessAvailable(test, why),
    fn: async (t) => {
      if (backend === undefined) throw new Error(`Cannot create backend "${name}": ${why}`);
      const be = backend;
      await t.step("matmul in all orientations and both dtypes", () => {
        const rng = new Random(7);
        for (const [m, n, k] of [...EDGE_SHAPES, ...randomShapes(rng, 24)]) {
          for (const dtype of ["float32", "float64"] as const) {
            for (const ta of [false, true]) {
              for (const tb of [false, true]) checkMatmul(be, rng, m, n, k, ta, tb, dtype);
            }
          }
        }
      });

      await t.step("matmul gives the same result when called twice with other sizes in between", () => {
        const rng = new Random(11);
        const a = values(rng, 40 * 50, "float32"), b = values(rng, 50 * 60, "float32");
        const first = new Float32Array(40 * 60), again = new Float32Array(40 * 60);
        be.matmul(a, b, first, 40, 60, 50, false, false);
        checkMatmul(be, rng, 200, 150, 300, true, false, "float32");
        be.matmul(a, b, again, 40, 60, 50, false, false);
        assert.deepEqual(again, first);
      });

      await t.step("contiguous binary loops agree with the broadcast walk, NaN and infinities included", () => {
        const rng = new Random(5);
        for (const dtype of ["float32", "float64"] as const) {
          for (const op of BINARY_KERNELS) checkContiguousBinary(be, rng, op, dtype);
        }
      });

      if (be.adamStep !== undefined) {
        await t.step(
          "adamStep gives the reference formula's bits for both dtypes, all lengths and aliased outputs",
          () => {
            const rng = new Random(13);
            for (const dtype of ["float32", "float64"] as const) {
              for (const n of ADAM_LENGTHS) checkAdamStep(be, rng, n, dtype, false);
              for (const n of [30, 1031]) checkAdamStep(be, rng, n, dtype, true);
            }
          },
        );
      }

      if (be.allocate !== undefined) {
        await t.step("allocate gives zeroed buffers that stay intact, and adamStep on them gives the same bits", () => {
          const rng = new Random(29);
          for (const n of [1024, 5000, 40000]) {
            const m = be.allocate!("float32", n), v = be.allocate!("float32", n);
            if (m === null || v === null) continue; // this backend has no resident memory for this size
            assert.ok(m.every((x) => x === 0) && v.every((x) => x === 0), "zeroed");
            const g = mixedValues(rng, n, "float32", false) as Float32Array;
            m.set(mixedValues(rng, n, "float32", false));
            v.set(mixedValues(rng, n, "float32", false).map(Math.abs));
            const want = [m.slice(), v.slice(), new Float32Array(n)];
            reference.adamStep!(g, want[0], want[1], want[0], want[1], want[2], ADAM_SCALARS[1]);
            const update = new Float32Array(n);
            be.adamStep!(g, m, v, m, v, update, ADAM_SCALARS[1]);
            assertSameValues(m, want[0], `resident m, n=${n}`);
            assertSameValues(v, want[1], `resident v, n=${n}`);
            assertSameValues(update, want[2], `update from resident moments, n=${n}`);
            // Kernels that use the scratch region (a large product) leave the resident buffers alone.
            const before = m.slice();
            const a = values(rng, 300 * 300, "float32");
            be.matmul(a, a, new Float32Array(300 * 300), 300, 300, 300, false, false);
            assertSameValues(m, before, `resident m after a product, n=${n}`);
          }
          assert.equal(be.allocate!("float64", 5000), null, "float64 stays in ordinary arrays");
        });
      }

      await t.step(
        "unary, binary, bias and sum kernels give the reference kernels' bits around the wasm thresholds",
        async (t) => {
          const rng = new Random(23);
          for (const dtype of ["float32", "float64"] as const) {
            await t.step(
              `unary ${dtype}: special values, aliased and overlapping outputs`,
              () => checkUnary(be, rng, dtype),
            );
            await t.step(
              `binary ${dtype}: equal lengths and scalars, aliased and mixed`,
              () => checkBinary(be, rng, dtype),
            );
            await t.step(`binary ${dtype}: row broadcasts`, () => checkRows(be, rng, dtype));
            if (be.biasActivation !== undefined) {
              await t.step(`biasActivation ${dtype}`, () => checkBiasActivation(be, rng, dtype));
            }
            if (be.reluBackward !== undefined) {
              await t.step(`reluBackward ${dtype}`, () => checkReluBackward(be, rng, dtype));
            }
            if (be.allFinite !== undefined) {
              await t.step(`allFinite ${dtype}`, () => checkAllFinite(be, rng, dtype));
            }
            if (be.maxPool2d !== undefined) {
              await t.step(`maxPool2d ${dtype}`, () => checkMaxPool(be, rng, dtype));
            }
            await t.step(`reduce sum ${dtype}: columns and rows`, () => checkSums(be, rng, dtype));
          }
        },
      );

      await t.step("every unary, binary, reduce and bias kernel agrees with the plain reference", () => {
        const rng = new Random(3);
        const exact = new Set(["neg", "relu", "abs", "square", "sign", "step", "isFinite", "sqrt"]);
        for (const dtype of ["float32", "float64"] as const) {
          const make = (n: number) => (dtype === "float32" ? new Float32Array(n) : new Float64Array(n));
          // Every special value, then ordinary ones; large enough for the wasm kernels (512 elements).
          const x = edgeValues(rng, 600, dtype);
          x.set(SPECIALS.map((v) => round(v, dtype)));
          for (const op of UNARY_KERNELS) {
            const got = make(x.length).fill(Number.NaN), want = make(x.length);
            be.unary(op, x, got);
            reference.unary(op, x, want);
            const what = `${be.name} unary ${op} ${dtype}`;
            if (exact.has(op)) assertSameValues(got, want, what);
            else assertClose(got, want, what);
          }
          // Broadcasts of every kind: equal shapes, rows, columns, scalars, an outer product, leading axes.
          const pairs: [number[], number[]][] = [
            [[6, 100], [6, 100]],
            [[6, 100], [100]],
            [[100], [6, 100]],
            [[6, 100], [6, 1]],
            [[6, 1], [1, 100]],
            [[2, 3, 100], [3, 1]],
            [[1, 3, 1], [2, 1, 100]],
            [[6, 100], []],
            [[], [6, 100]],
          ];
          for (const op of BINARY_KERNELS) {
            for (const [as, bs] of pairs) {
              const size = (s: number[]) => s.reduce((p, n) => p * n, 1);
              const rank = Math.max(as.length, bs.length);
              const outShape = Array.from(
                { length: rank },
                (_, i) => Math.max(as[i - rank + as.length] ?? 1, bs[i - rank + bs.length] ?? 1),
              );
              const a = edgeValues(rng, size(as), dtype), b = edgeValues(rng, size(bs), dtype);
              for (let i = 0; i < Math.min(a.length, b.length); i += 9) b[i] = a[i]; // ties
              const got = make(size(outShape)).fill(Number.NaN), want = make(size(outShape));
              be.binary(op, a, as, b, bs, got, outShape);
              reference.binary(op, a, as, b, bs, want, outShape);
              assertSameValues(got, want, `${be.name} binary ${op} ${dtype} [${as}] with [${bs}]`);
            }
          }
          for (const [outer, n, inner] of [[1, 600, 1], [3, 7, 1], [1, 40, 30], [4, 5, 9], [2, 1, 3]]) {
            const data = edgeValues(rng, outer * n * inner, dtype);
            for (const op of ["sum", "max"] as const) {
              for (const input of [values(rng, outer * n * inner, dtype), data]) {
                const got = make(outer * inner).fill(Number.NaN), want = make(outer * inner);
                be.reduce(op, input, outer, n, inner, got);
                reference.reduce(op, input, outer, n, inner, want);
                assertSameValues(got, want, `${be.name} reduce ${op} ${dtype} [${outer}, ${n}, ${inner}]`);
              }
            }
          }
          if (be.biasActivation !== undefined) {
            const [rows, cols] = [30, 25], m = edgeValues(rng, rows * cols, dtype), bias = edgeValues(rng, cols, dtype);
            for (const activation of ["none", "relu"] as const) {
              const got = make(rows * cols).fill(Number.NaN), want = make(rows * cols);
              be.biasActivation(m, bias, got, rows, cols, activation);
              reference.biasActivation!(m, bias, want, rows, cols, activation);
              assertSameValues(got, want, `${be.name} biasActivation ${activation} ${dtype}`);
            }
          }
        }
      });
    },
  });
}

/**
 * The float32 formula of `AdamStepScalars` for one element, written out: every
 * operation rounded to float32, the scalars rounded first.
 */
function adamElementF32(g: number, m: number, v: number, s: AdamStepScalars): [number, number, number] {
  const f = Math.fround;
  const w1 = f(1 - s.beta1), b2 = f(s.beta2), w2 = f(1 - s.beta2), bc = f(s.biasCorrection2Sqrt);
  const eps = f(s.epsilon), negStep = f(-s.stepSize);
  const diff = f(g - m);
  const m1 = f(m + f(w1 * diff));
  const decayed = f(v * b2);
  const wg = f(w2 * g);
  const v1 = f(decayed + f(wg * g));
  const root = f(Math.sqrt(v1));
  const d = f(f(root / bc) + eps);
  const u = f(f(negStep * m1) / d);
  return [m1, v1, u];
}

/** The float64 formula of `AdamStepScalars` for one element, written out in double. */
function adamElementF64(g: number, m: number, v: number, s: AdamStepScalars): [number, number, number] {
  const m1 = m + (1 - s.beta1) * (g - m);
  const v1 = v * s.beta2 + ((1 - s.beta2) * g) * g;
  return [m1, v1, (-s.stepSize * m1) / (Math.sqrt(v1) / s.biasCorrection2Sqrt + s.epsilon)];
}

Deno.test("jsBackend.adamStep on float32 arrays rounds every operation to float32 as the formula says", () => {
  const rng = new Random(17);
  const n = 2000;
  const g = mixedValues(rng, n, "float32", false), m = mixedValues(rng, n, "float32", false);
  const v = mixedValues(rng, n, "float32", false).map(Math.abs);
  let differsFromDouble = 0;
  for (const scalars of ADAM_SCALARS) {
    const got = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    jsBackend.adamStep!(g, m, v, got[0], got[1], got[2], scalars);
    for (let i = 0; i < n; i++) {
      const want = adamElementF32(g[i], m[i], v[i], scalars);
      for (let j = 0; j < 3; j++) {
        if (!Object.is(got[j][i], want[j])) {
          assert.fail(`${["m", "v", "update"][j]}[${i}] is ${got[j][i]}, the float32 formula gives ${want[j]}`);
        }
      }
      // The same formula in double, rounded once at the end.
      const m1 = m[i] + (1 - scalars.beta1) * (g[i] - m[i]);
      const v1 = v[i] * scalars.beta2 + (1 - scalars.beta2) * g[i] * g[i];
      const u = (-scalars.stepSize * m1) / (Math.sqrt(v1) / scalars.biasCorrection2Sqrt + scalars.epsilon);
      if (Math.fround(u) !== want[2] || Math.fround(v1) !== want[1] || Math.fround(m1) !== want[0]) differsFromDouble++;
    }
  }
  // The inputs are varied enough that float32 and double arithmetic tell apart.
  assert.ok(differsFromDouble > 0, "no element where float32 and double arithmetic differ");
});

Deno.test("jsBackend.adamStep on float64 arrays follows the formula in double", () => {
  const rng = new Random(19);
  const n = 500;
  const g = mixedValues(rng, n, "float64", true), m = mixedValues(rng, n, "float64", true);
  const v = mixedValues(rng, n, "float64", true).map(Math.abs);
  for (const s of ADAM_SCALARS) {
    const got = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
    jsBackend.adamStep!(g, m, v, got[0], got[1], got[2], s);
    const w1 = 1 - s.beta1, w2 = 1 - s.beta2;
    for (let i = 0; i < n; i++) {
      const m1 = m[i] + w1 * (g[i] - m[i]);
      const v1 = v[i] * s.beta2 + (w2 * g[i]) * g[i];
      const u = (-s.stepSize * m1) / (Math.sqrt(v1) / s.biasCorrection2Sqrt + s.epsilon);
      assertSameValues([got[0][i], got[1][i], got[2][i]], [m1, v1, u], `element ${i}`);
    }
  }
});

Deno.test("jsBackend.adamStep computes in double when the arrays mix float32 and float64", () => {
  const s = ADAM_SCALARS[2];
  const g = new Float32Array([0.1, -0.7, 0.3]),
    m = new Float64Array([0.2, 0.05, -0.4]),
    v = new Float64Array([0.3, 1, 2]);
  const outM = new Float64Array(3), outV = new Float64Array(3), outUpdate = new Float64Array(3);
  jsBackend.adamStep!(g, m, v, outM, outV, outUpdate, s);
  for (let i = 0; i < 3; i++) {
    const m1 = m[i] + (1 - s.beta1) * (g[i] - m[i]);
    const v1 = v[i] * s.beta2 + ((1 - s.beta2) * g[i]) * g[i];
    assertSameValues([outM[i], outV[i], outUpdate[i]], [
      m1,
      v1,
      (-s.stepSize * m1) / (Math.sqrt(v1) / s.biasCorrection2Sqrt + s.epsilon),
    ], `element ${i}`);
  }
});
