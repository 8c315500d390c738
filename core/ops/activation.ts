/**
 * The activations of PyTorch's `torch.nn.functional` beyond ReLU, sigmoid
 * and tanh: `leakyRelu`, `elu`, `gelu` (exact and tanh), `softplus`, `silu`,
 * and the error function `erf` that the exact GELU needs. Each gradient is
 * built from ops, so they are differentiable to any order.
 *
 * @module
 */

import { record } from "../graph.ts";
import * as libm from "../libm.ts";
import { allocate, Tensor } from "../tensor.ts";
import { add, exp, greater, mul, neg, sigmoid, square, tanh, where } from "./elementwise.ts";

function checkInput(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`Cannot apply ${op} as the input must be a Tensor: current value is ${typeof x}`);
  }
}

function checkFinite(op: string, option: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`Cannot apply ${op} as ${option} must be a finite number: current value is ${value}`);
  }
}

const TWO_OVER_SQRT_PI = 1.1283791670955126, SQRT_PI = 1.7724538509055159;

/**
 * erf(x) in double precision (within 3 ulps of the correctly rounded value):
 * below |x| = 2 the series erf(x) = (2/√π)·e^{−x²}·Σₙ (2x²)ⁿ·x / (1·3·…·(2n + 1)),
 * whose terms are all positive (no cancellation); from 2 to 6, 1 − erfc(x) with
 * erfc(x) = (e^{−x²}/√π) / (x + ½/(x + 1/(x + (3/2)/(x + …)))), the continued
 * fraction evaluated by Lentz's method (at most about 60 terms); beyond 6, ±1.
 */
function erfScalar(x: number): number {
  const a = Math.abs(x);
  if (!(a < 6)) return a === a ? (x > 0 ? 1 : -1) : x;
  let r: number;
  if (a < 2) {
    const x2 = 2 * a * a;
    let term = a, total = a;
    for (let n = 1; n < 100; n++) {
      term *= x2 / (2 * n + 1);
      total += term;
      if (term <= total * 1e-17) break;
    }
    r = TWO_OVER_SQRT_PI * libm.exp(-a * a) * total;
  } else {
    let f = a, c = a, d = 0;
    for (let n = 1; n < 200; n++) {
      d = 1 / (a + (n / 2) * d);
      c = a + n / 2 / c;
      const delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    r = 1 - libm.exp(-a * a) / (SQRT_PI * f);
  }
  return x < 0 ? -r : r;
}

/**
 * The error function erf(x) = (2/√π)∫₀ˣ e^{−t²} dt, elementwise (PyTorch's
 * `torch.erf`), within 3 ulps in float64. Its derivative
 * (2/√π)·e^{−x²} is built from ops.
 *
 * @param x The input.
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { erf } from "./activation.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const y = erf(tensor([0, 1, -2]));
 * assert.ok(Math.abs(y.data[1] - 0.8427007929497149) < 1e-15);
 * assert.ok(Math.abs(y.data[2] + 0.9953222650189527) < 1e-15);
 * ```
 */
export function erf(x: Tensor): Tensor {
  checkInput("erf", x);
  const data = allocate(x.dtype, x.size), v = x.data;
  for (let i = 0; i < v.length; i++) data[i] = erfScalar(v[i]);
  return record("erf", data, x.shape, [x], (g) => [mul(g, mul(exp(neg(square(x))), TWO_OVER_SQRT_PI))]);
}

/**
 * The leaky ReLU `x if x > 0, else negativeSlope·x` (PyTorch's
 * `F.leaky_relu`; Maas, Hannun and Ng 2013). At 0 the derivative is taken as
 * `negativeSlope`, as PyTorch does.
 *
 * @param x The input.
 * @param negativeSlope The slope for x ≤ 0. @default {0.01}
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { leakyRelu } from "./activation.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(leakyRelu(tensor([-2, 3]), 0.1).toArray(), [-0.2, 3]);
 * ```
 */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  checkInput("leakyRelu", x);
  checkFinite("leakyRelu", "negativeSlope", negativeSlope);
  return where(greater(x, 0), x, mul(x, negativeSlope));
}

/**
 * The exponential linear unit `x if x > 0, else α·(eˣ − 1)` (PyTorch's
 * `F.elu`; Clevert, Unterthiner and Hochreiter 2016), with `eˣ − 1` computed
 * as `expm1` (exact near 0; libm.ts's, the same bits on every engine). Its derivative `1` or `α·eˣ = elu(x) + α` is
 * built from ops on the output, as PyTorch's backward is.
 *
 * @param x The input.
 * @param alpha α, the value approached as x → −∞ is −α. @default {1}
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { elu } from "./activation.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(elu(tensor([2, 0])).toArray(), [2, 0]);
 * assert.ok(Math.abs(elu(tensor([-1])).item() - (Math.exp(-1) - 1)) < 1e-15);
 * ```
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  checkInput("elu", x);
  checkFinite("elu", "alpha", alpha);
  const data = allocate(x.dtype, x.size), v = x.data;
  for (let i = 0; i < v.length; i++) {
    const u = v[i];
    data[i] = u > 0 ? u : u === u ? alpha * libm.expm1(u) : u;
  }
  const out: Tensor = record("elu", data, x.shape, [x], (g) => [mul(g, where(greater(x, 0), 1, add(out, alpha)))]);
  return out;
}

/** Options of {@linkcode gelu}. */
export interface GeluOptions {
  /** `"none"`: the exact x·Φ(x); `"tanh"`: Hendrycks and Gimpel's tanh approximation. @default {"none"} */
  approximate?: "none" | "tanh";
}

/**
 * The Gaussian error linear unit (PyTorch's `F.gelu`; Hendrycks and Gimpel
 * 2016): exactly `x·Φ(x) = ½·x·(1 + erf(x/√2))`, or with
 * `approximate: "tanh"`, `½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`. Both
 * are compositions of ops, so every derivative is exact.
 *
 * @param x The input.
 * @param options `approximate`.
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { gelu } from "./activation.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const exact = gelu(tensor([1])).item(), approx = gelu(tensor([1]), { approximate: "tanh" }).item();
 * assert.ok(Math.abs(exact - 0.8413447460685429) < 1e-15);
 * assert.ok(Math.abs(approx - exact) < 1e-3);
 * ```
 */
export function gelu(x: Tensor, options: GeluOptions = {}): Tensor {
  checkInput("gelu", x);
  const approximate = options.approximate ?? "none";
  if (approximate === "tanh") {
    const inner = mul(add(x, mul(mul(square(x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  if (approximate !== "none") {
    throw new RangeError(
      `Cannot apply gelu as approximate must be one of "none", "tanh": current value is ${JSON.stringify(approximate)}`,
    );
  }
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}

/** Options of {@linkcode softplus}. */
export interface SoftplusOptions {
  /** β: the function is (1/β)·log(1 + e^{βx}). @default {1} */
  beta?: number;
  /** Above βx = threshold the function is x itself (for numerical stability). @default {20} */
  threshold?: number;
}

/**
 * Softplus `(1/β)·log(1 + e^{βx})`, and `x` where `βx > threshold` (PyTorch's
 * `F.softplus`), computed with `log1p` (libm.ts's exp and log1p). Its derivative `σ(βx)` (1 above the
 * threshold) is built from ops.
 *
 * @param x The input.
 * @param options `beta`, `threshold`.
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { softplus } from "./activation.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const y = softplus(tensor([0, 30, -800]));
 * assert.deepEqual([y.data[0], y.data[1], y.data[2]], [Math.LN2, 30, 0]);
 * ```
 */
export function softplus(x: Tensor, options: SoftplusOptions = {}): Tensor {
  checkInput("softplus", x);
  const beta = options.beta ?? 1, threshold = options.threshold ?? 20;
  checkFinite("softplus", "beta", beta);
  checkFinite("softplus", "threshold", threshold);
  if (beta === 0) throw new RangeError("Cannot apply softplus as beta must not be 0: current value is 0");
  const data = allocate(x.dtype, x.size), v = x.data;
  for (let i = 0; i < v.length; i++) {
    const z = beta * v[i];
    data[i] = z > threshold ? v[i] : libm.log1p(libm.exp(z)) / beta;
  }
  return record("softplus", data, x.shape, [x], (g) => {
    const z = mul(x, beta);
    return [mul(g, where(greater(z, threshold), 1, sigmoid(z)))];
  });
}

/**
 * The sigmoid linear unit (swish) `x·σ(x)` (PyTorch's `F.silu`; Elfwing,
 * Uchibe and Doya 2018; Ramachandran, Zoph and Le 2017), a composition of ops.
 *
 * @param x The input.
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { silu } from "./activation.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(silu(tensor([0, 800])).toArray(), [0, 800]);
 * ```
 */
export function silu(x: Tensor): Tensor {
  checkInput("silu", x);
  return mul(x, sigmoid(x));
}
