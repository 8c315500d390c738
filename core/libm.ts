/**
 * gradflow's own elementary functions — exp, expm1, log, log1p, sin, cos,
 * tanh — that give the same bits on every JavaScript engine.
 *
 * `Math.exp` and its kin are only required to be approximately right, and
 * engines differ in the last bit: V8 in Chromium 156 and V8 in Deno 2.9 give
 * different `Math.exp` for about 1 input in 2 000, different `Math.expm1` and
 * `Math.log1p` for about 1 in 12, different `Math.sin` and `Math.cos` for
 * about 1 in 1 000. A training run feeds each result into the next step, so
 * one such bit changes the loss curve. These are ports of fdlibm (FreeBSD's
 * msun) using only IEEE-754 double arithmetic, which every engine rounds the
 * same way; like fdlibm (and Java's `StrictMath`, also fdlibm) they are within
 * 1 ulp of the exact value (tanh within 3; `exp(1)` is 2.7182818284590455). The
 * kernels, losses, initializers, schedules and data generators use them, so a
 * seed gives the same numbers in Deno and in a browser on the same backend.
 * (`Math.sqrt` is correctly rounded everywhere; `**` agrees across the
 * engines we test, and the playground's end-to-end test checks it.)
 *
 * sin and cos reduce their argument with three-part π/2 (Cody–Waite) for
 * |x| < 2²⁰·π/2 ≈ 1.6·10⁶; beyond that they are the engine's.
 *
 * Derived from FreeBSD msun (e_exp.c, s_expm1.c, e_log.c, s_log1p.c, k_sin.c,
 * k_cos.c, e_rem_pio2.c, s_tanh.c):
 * Copyright (C) 1993–2004 by Sun Microsystems, Inc. All rights reserved.
 * Developed at SunPro, a Sun Microsystems, Inc. business. Permission to use,
 * copy, modify, and distribute this software is freely granted, provided
 * that this notice is preserved.
 *
 * @example
 * ```ts
 * import { exp, log } from "./libm.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(log(Math.E), 1);
 * assert.equal(exp(Math.LN2), 2);
 * ```
 *
 * @module
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// The high word (sign, exponent, top of the mantissa) is the second on little-endian machines.
const [HI, LO] = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? [1, 0] : [0, 1];

function highWord(x: number): number {
  f64[0] = x;
  return u32[HI] | 0;
}

function fromWords(hi: number, lo: number): number {
  u32[HI] = hi;
  u32[LO] = lo;
  return f64[0];
}

/** The double whose high word is `hi` and low word 0: |x| ≥ this ⇔ high word of |x| ≥ hi. */
const above = (hi: number) => fromWords(hi, 0);

/** 2^k for k in [−1022, 1023], exactly. */
const POW2 = new Float64Array(2046);
for (let k = 0, p = 1; k <= 1023; k++, p *= 2) POW2[1022 + k] = p;
for (let k = 1, p = 0.5; k <= 1022; k++, p /= 2) POW2[1022 - k] = p;

/** y·2^k, exact while the result is a normal number (fdlibm adds k to y's exponent). */
function scale(y: number, k: number): number {
  if (k > 1023) return y * 2 * POW2[1022 + k - 1];
  if (k < -1021) return y * POW2[1022 + k + 1000] * TWO_M1000;
  return y * POW2[1022 + k];
}

const LN2_HI = 6.93147180369123816490e-01; // 0x3fe62e42 fee00000
const LN2_LO = 1.90821492927058770002e-10; // 0x3dea39ef 35793c76
const INV_LN2 = 1.44269504088896338700e+00;
const TWO54 = 1.80143985094819840000e+16;
const TWO_M1000 = 9.33263618503218878990e-302;
const O_THRESHOLD = 7.09782712893383973096e+02;
const U_THRESHOLD = -7.45133219101941108420e+02;

const EXP_BIG = above(0x40862E42); // |x| ≥ 709.78…
const HALF_LN2 = above(0x3fd62e43); // |x| > 0.5·ln 2
const THREE_HALVES_LN2 = above(0x3FF0A2B2); // |x| < 1.5·ln 2
const TINY_EXP = above(0x3e300000); // |x| < 2⁻²⁸

const P1 = 1.66666666666666019037e-01,
  P2 = -2.77777777770155933842e-03,
  P3 = 6.61375632143793436117e-05,
  P4 = -1.65339022054652515390e-06,
  P5 = 4.13813679705723846039e-08;

/**
 * e^x, within 1 ulp, the same on every engine (fdlibm's `exp`).
 *
 * @param x The exponent.
 * @returns e^x (`Infinity` above 709.78, 0 below −745.13).
 *
 * @example
 * ```ts
 * import { exp } from "./libm.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(exp(0), 1);
 * assert.ok(Math.abs(exp(-3) - Math.exp(-3)) <= 1e-16);
 * ```
 */
export function exp(x: number): number {
  if (x !== x) return x;
  const ax = Math.abs(x);
  if (ax >= EXP_BIG) {
    if (ax === Infinity) return x > 0 ? x : 0;
    if (x > O_THRESHOLD) return Infinity;
    if (x < U_THRESHOLD) return 0;
  }
  let hi = 0, lo = 0, k = 0;
  if (ax >= HALF_LN2) {
    if (ax < THREE_HALVES_LN2) {
      if (x > 0) hi = x - LN2_HI, lo = LN2_LO, k = 1;
      else hi = x + LN2_HI, lo = -LN2_LO, k = -1;
    } else {
      k = (INV_LN2 * x + (x > 0 ? 0.5 : -0.5)) | 0;
      hi = x - k * LN2_HI; // exact
      lo = k * LN2_LO;
    }
    x = hi - lo;
  } else if (ax < TINY_EXP) {
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2.0) - x);
  return scale(1 - ((lo - (x * c) / (2.0 - c)) - hi), k);
}

const Q1 = -3.33333333333331316428e-02,
  Q2 = 1.58730158725481460165e-03,
  Q3 = -7.93650757867487942473e-05,
  Q4 = 4.00821782732936239552e-06,
  Q5 = -2.01099218183624371326e-07;
const EXPM1_BIG = above(0x4043687A); // |x| ≥ 56·ln 2
const TINY_EXPM1 = above(0x3c900000); // |x| < 2⁻⁵⁴

/**
 * e^x − 1, within 1 ulp and accurate near 0, the same on every engine (fdlibm's `expm1`).
 *
 * @param x The exponent.
 * @returns e^x − 1.
 *
 * @example
 * ```ts
 * import { expm1 } from "./libm.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(expm1(1e-20), 1e-20);
 * assert.equal(expm1(-Infinity), -1);
 * ```
 */
export function expm1(x: number): number {
  if (x !== x) return x;
  const ax = Math.abs(x);
  if (ax >= EXPM1_BIG) {
    if (ax >= EXP_BIG) {
      if (ax === Infinity) return x > 0 ? x : -1;
      if (x > O_THRESHOLD) return Infinity;
    }
    if (x < 0) return -1;
  }
  let hi = 0, lo = 0, k = 0, c = 0;
  if (ax >= HALF_LN2) {
    if (ax < THREE_HALVES_LN2) {
      if (x > 0) hi = x - LN2_HI, lo = LN2_LO, k = 1;
      else hi = x + LN2_HI, lo = -LN2_LO, k = -1;
    } else {
      k = (INV_LN2 * x + (x > 0 ? 0.5 : -0.5)) | 0;
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    x = hi - lo;
    c = (hi - x) - lo;
  } else if (ax < TINY_EXPM1) {
    return x;
  }
  const hfx = 0.5 * x;
  const hxs = x * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  let t = 3.0 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6.0 - x * t));
  if (k === 0) return x - (x * e - hxs);
  e = x * (e - c) - c;
  e -= hxs;
  if (k === -1) return 0.5 * (x - e) - 0.5;
  if (k === 1) return x < -0.25 ? -2.0 * (e - (x + 0.5)) : 1 + 2.0 * (x - e);
  if (k <= -2 || k > 56) return scale(1 - (e - x), k) - 1;
  let y: number;
  if (k < 20) {
    t = 1 - POW2[1022 - k]; // 1 − 2^−k, exact
    y = scale(t - (e - x), k);
  } else {
    t = POW2[1022 - k]; // 2^−k
    y = scale(x - (e + t) + 1, k);
  }
  return y;
}

const LG1 = 6.666666666666735130e-01,
  LG2 = 3.999999999940941908e-01,
  LG3 = 2.857142874366239149e-01,
  LG4 = 2.222219843214978396e-01,
  LG5 = 1.818357216161805012e-01,
  LG6 = 1.531383769920937332e-01,
  LG7 = 1.479819860511658591e-01;

/**
 * The natural logarithm, within 1 ulp, the same on every engine (fdlibm's `log`).
 *
 * @param x A non-negative number.
 * @returns ln x (`-Infinity` at 0, `NaN` below 0).
 *
 * @example
 * ```ts
 * import { log } from "./libm.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(log(1), 0);
 * assert.equal(log(0), -Infinity);
 * assert.ok(Number.isNaN(log(-1)));
 * ```
 */
export function log(x: number): number {
  f64[0] = x;
  let hx = u32[HI] | 0;
  const lx = u32[LO];
  let k = 0;
  if (hx < 0x00100000) { // x < 2⁻¹⁰²² (or negative)
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54;
    x *= TWO54;
    hx = highWord(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  let i = (hx + 0x95f64) & 0x100000;
  f64[0] = x;
  u32[HI] = hx | (i ^ 0x3ff00000); // normalize x or x/2
  x = f64[0];
  k += i >> 20;
  const f = x - 1.0;
  if ((0x000fffff & (2 + hx)) < 3) { // −2⁻²⁰ ≤ f < 2⁻²⁰
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + k * LN2_LO;
    const R = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - R : k * LN2_HI - ((R - k * LN2_LO) - f);
  }
  const s = f / (2.0 + f);
  const dk = k;
  const z = s * s;
  i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  i |= j;
  const R = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + R)) : dk * LN2_HI - ((hfsq - (s * (hfsq + R) + dk * LN2_LO)) - f);
  }
  return k === 0 ? f - s * (f - R) : dk * LN2_HI - ((s * (f - R) - dk * LN2_LO) - f);
}

/**
 * ln(1 + x), within 1 ulp and accurate near 0, the same on every engine (fdlibm's `log1p`).
 *
 * @param x A number ≥ −1.
 * @returns ln(1 + x).
 *
 * @example
 * ```ts
 * import { log1p } from "./libm.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(log1p(1e-20), 1e-20);
 * assert.equal(log1p(-1), -Infinity);
 * ```
 */
export function log1p(x: number): number {
  const hx = highWord(x);
  const ax = hx & 0x7fffffff;
  let k = 1, f = 0, hu = 0, c = 0;
  if (hx < 0x3FDA827A) { // 1 + x < √2
    if (ax >= 0x3ff00000) return x === -1 ? -Infinity : NaN; // x ≤ −1
    if (ax < 0x3e200000) { // |x| < 2⁻²⁹
      return ax < 0x3c900000 ? x : x - x * x * 0.5;
    }
    if (hx > 0 || hx <= (0xbfd2bec4 | 0)) { // √2/2 ≤ 1 + x < √2
      k = 0;
      f = x;
      hu = 1;
    }
  }
  if (hx >= 0x7ff00000) return x + x;
  if (k !== 0) {
    let u: number;
    if (hx < 0x43400000) {
      u = 1.0 + x;
      hu = highWord(u);
      k = (hu >> 20) - 1023;
      c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0); // correction term
      c /= u;
    } else {
      u = x;
      hu = highWord(u);
      k = (hu >> 20) - 1023;
      c = 0;
    }
    hu &= 0x000fffff;
    f64[0] = u;
    if (hu < 0x6a09e) { // u < √2
      u32[HI] = hu | 0x3ff00000;
    } else {
      k += 1;
      u32[HI] = hu | 0x3fe00000;
      hu = (0x00100000 - hu) >> 2;
    }
    u = f64[0];
    f = u - 1.0;
  }
  const hfsq = 0.5 * f * f;
  if (hu === 0) { // |f| < 2⁻²⁰
    if (f === 0) return k === 0 ? 0 : k * LN2_HI + (c + k * LN2_LO);
    const R = hfsq * (1.0 - 0.66666666666666666 * f);
    return k === 0 ? f - R : k * LN2_HI - ((R - (k * LN2_LO + c)) - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  const R = z * (LG1 + z * (LG2 + z * (LG3 + z * (LG4 + z * (LG5 + z * (LG6 + z * LG7))))));
  return k === 0 ? f - (hfsq - s * (hfsq + R)) : k * LN2_HI - ((hfsq - (s * (hfsq + R) + (k * LN2_LO + c))) - f);
}

const S1 = -1.66666666666666324348e-01,
  S2 = 8.33333333332248946124e-03,
  S3 = -1.98412698298579493134e-04,
  S4 = 2.75573137070700676789e-06,
  S5 = -2.50507602534068634195e-08,
  S6 = 1.58969099521155010221e-10;

/** sin(x + y) for |x + y| ≤ π/4, y the tail of x (`tail` false: y is 0). */
function kernelSin(x: number, y: number, tail: boolean): number {
  const z = x * x, w = z * z;
  const r = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
  const v = z * x;
  if (!tail) return x + v * (S1 + z * r);
  return x - ((z * (0.5 * y - v * r) - y) - v * S1);
}

const C1 = 4.16666666666666019037e-02,
  C2 = -1.38888888888741095749e-03,
  C3 = 2.48015872894767294178e-05,
  C4 = -2.75573143513906633035e-07,
  C5 = 2.08757232129817482790e-09,
  C6 = -1.13596475577881948265e-11;

/** cos(x + y) for |x + y| ≤ π/4, y the tail of x. */
function kernelCos(x: number, y: number): number {
  const z = x * x;
  let w = z * z;
  const r = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
  const hz = 0.5 * z;
  w = 1 - hz;
  return w + (((1 - w) - hz) + (z * r - x * y));
}

const INV_PIO2 = 6.36619772367581382433e-01;
const PIO2_1 = 1.57079632673412561417e+00,
  PIO2_1T = 6.07710050650619224932e-11,
  PIO2_2 = 6.07710050630396597660e-11,
  PIO2_2T = 2.02226624879595063154e-21,
  PIO2_3 = 2.02226624871116645580e-21,
  PIO2_3T = 8.47842766036889956997e-32;
const ROUND = 6755399441055744; // 1.5·2⁵²: adding and subtracting it rounds to an integer
const PIO4 = above(0x3fe921fc); // |x| ≤ π/4 (high word ≤ 0x3fe921fb)
const REDUCIBLE = above(0x413921fb); // |x| < 2²⁰·π/2 (fdlibm's medium size)
const TINY_SIN = above(0x3e500000); // |x| < 2⁻²⁶: sin x = x
const TINY_COS = above(0x3e46a09e); // |x| < 2⁻²⁷·√2: cos x = 1
const reduced = new Float64Array(2);

/** x − n·π/2 as `reduced[0] + reduced[1]`, for |x| ≤ 2²⁰·π/2 (fdlibm's medium case); returns n. */
function remPio2(x: number): number {
  const fn = (x * INV_PIO2 + ROUND) - ROUND;
  let r = x - fn * PIO2_1;
  let w = fn * PIO2_1T;
  const j = (highWord(x) >> 20) & 0x7ff;
  let y0 = r - w;
  let i = j - ((highWord(y0) >> 20) & 0x7ff);
  if (i > 16) { // second round, good to 118 bits
    let t = r;
    w = fn * PIO2_2;
    r = t - w;
    w = fn * PIO2_2T - ((t - r) - w);
    y0 = r - w;
    i = j - ((highWord(y0) >> 20) & 0x7ff);
    if (i > 49) { // third round, 151 bits
      t = r;
      w = fn * PIO2_3;
      r = t - w;
      w = fn * PIO2_3T - ((t - r) - w);
      y0 = r - w;
    }
  }
  reduced[0] = y0;
  reduced[1] = (r - y0) - w;
  return fn;
}

/**
 * The sine, within 1 ulp, the same on every engine for |x| < 2²⁰·π/2 (fdlibm's `sin`).
 *
 * @param x An angle in radians.
 * @returns sin x.
 *
 * @example
 * ```ts
 * import { sin } from "./libm.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(sin(0), 0);
 * assert.ok(Math.abs(sin(Math.PI / 6) - 0.5) < 1e-15);
 * ```
 */
export function sin(x: number): number {
  const ax = Math.abs(x);
  if (ax < PIO4) return ax < TINY_SIN ? x : kernelSin(x, 0, false);
  if (!(ax < REDUCIBLE)) return ax === Infinity || x !== x ? NaN : Math.sin(x);
  const n = remPio2(x) & 3;
  const [y0, y1] = reduced;
  return n === 0
    ? kernelSin(y0, y1, true)
    : n === 1
    ? kernelCos(y0, y1)
    : n === 2
    ? -kernelSin(y0, y1, true)
    : -kernelCos(y0, y1);
}

/**
 * The cosine, within 1 ulp, the same on every engine for |x| < 2²⁰·π/2 (fdlibm's `cos`).
 *
 * @param x An angle in radians.
 * @returns cos x.
 *
 * @example
 * ```ts
 * import { cos } from "./libm.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(cos(0), 1);
 * assert.ok(Math.abs(cos(Math.PI / 3) - 0.5) < 1e-15);
 * ```
 */
export function cos(x: number): number {
  const ax = Math.abs(x);
  if (ax < PIO4) return ax < TINY_COS ? 1 : kernelCos(x, 0);
  if (!(ax < REDUCIBLE)) return ax === Infinity || x !== x ? NaN : Math.cos(x);
  const n = remPio2(x) & 3;
  const [y0, y1] = reduced;
  return n === 0
    ? kernelCos(y0, y1)
    : n === 1
    ? -kernelSin(y0, y1, true)
    : n === 2
    ? -kernelCos(y0, y1)
    : kernelSin(y0, y1, true);
}

/**
 * The hyperbolic tangent, within 3 ulps, the same on every engine (fdlibm's `tanh`, on {@linkcode expm1}).
 *
 * @param x A number.
 * @returns tanh x, in [−1, 1].
 *
 * @example
 * ```ts
 * import { tanh } from "./libm.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(tanh(0), 0);
 * assert.equal(tanh(30), 1);
 * assert.equal(tanh(-Infinity), -1);
 * ```
 */
export function tanh(x: number): number {
  if (x !== x) return x;
  const ax = Math.abs(x);
  let z: number;
  if (ax < 22) {
    if (ax < 3.725290298461914e-9) return x; // |x| < 2⁻²⁸
    if (ax >= 1) {
      const t = expm1(2 * ax);
      z = 1 - 2 / (t + 2);
    } else {
      const t = expm1(-2 * ax);
      z = -t / (t + 2);
    }
  } else {
    z = 1;
  }
  return x >= 0 ? z : -z;
}
