/**
 * Axis ticks for the charts: "nice" round values on linear and logarithmic
 * axes, and short labels for them.
 *
 * @module
 */

/** An axis's extent and the values to mark on it. */
export interface AxisTicks {
  /** The drawn range `[lo, hi]`, widened from the data to round values. */
  domain: [number, number];
  /** The tick values, ascending, all inside `domain`. */
  ticks: number[];
}

function clean(value: number): number {
  return Number.parseFloat(value.toPrecision(12));
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const n = raw / magnitude;
  return (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * magnitude;
}

function checkFinite(owner: string, lo: number, hi: number): void {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new RangeError(
      `Cannot compute ${owner} as lo and hi must be finite numbers: current value is [${lo}, ${hi}]`,
    );
  }
}

/**
 * Round tick values (1, 2 or 5 times a power of ten apart) covering
 * `[lo, hi]`, with the domain widened to the ticks just outside the data,
 * like d3's `scale.nice()`. A zero-width range is widened around its value.
 *
 * @param lo The smallest data value.
 * @param hi The largest data value.
 * @param count About how many ticks to make. @default {6}
 * @returns The widened domain and the ticks.
 * @throws {RangeError} When `lo` or `hi` is not finite.
 *
 * @example
 * ```ts
 * import { linearTicks } from "./ticks.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(linearTicks(0.03, 0.69, 6), { domain: [0, 0.7], ticks: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7] });
 * ```
 */
export function linearTicks(lo: number, hi: number, count = 6): AxisTicks {
  checkFinite("linear ticks", lo, hi);
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const step = niceStep(hi - lo, count);
  const first = Math.floor(clean(lo / step)), last = Math.ceil(clean(hi / step));
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) ticks.push(clean(i * step));
  // Rounding may leave an end tick a hair inside the data; the domain still covers the data exactly.
  return { domain: [Math.min(ticks[0], lo), Math.max(ticks[ticks.length - 1], hi)], ticks };
}

/**
 * Ticks for a logarithmic axis over `[lo, hi]` (both positive): powers of
 * ten (every k-th one when there are many decades), with 2 and 5 times them
 * added when the range spans less than about two decades. The domain is
 * widened to the nearest 1, 2 or 5 times a power of ten (to powers of ten
 * when it spans many decades).
 *
 * @param lo The smallest data value (> 0).
 * @param hi The largest data value (> 0).
 * @returns The widened domain and the ticks.
 * @throws {RangeError} When `lo` or `hi` is not a positive finite number.
 *
 * @example
 * ```ts
 * import { logTicks } from "./ticks.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(logTicks(0.004, 0.7), { domain: [0.002, 1], ticks: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1] });
 * assert.deepEqual(logTicks(1e-9, 3).ticks, [1e-9, 1e-7, 1e-5, 0.001, 0.1, 10]);
 * ```
 */
export function logTicks(lo: number, hi: number): AxisTicks {
  checkFinite("log ticks", lo, hi);
  if (lo > hi) [lo, hi] = [hi, lo];
  if (!(lo > 0)) {
    throw new RangeError(`Cannot compute log ticks as lo and hi must be positive: current value is [${lo}, ${hi}]`);
  }
  if (lo === hi) [lo, hi] = [lo / 2, hi * 2];
  const mantissas = [1, 2, 5, 10];
  const down = (v: number) => {
    const e = Math.floor(Math.log10(v));
    const m = mantissas.filter((k) => clean(k * 10 ** e) <= v * (1 + 1e-12)).pop()!;
    return clean(m * 10 ** e);
  };
  const up = (v: number) => {
    const e = Math.floor(Math.log10(v));
    const m = mantissas.find((k) => clean(k * 10 ** e) >= v * (1 - 1e-12))!;
    return clean(m * 10 ** e);
  };
  let domain: [number, number];
  let ticks: number[] = [];
  if (Math.log10(hi / lo) < 2.5) {
    domain = [down(lo), up(hi)];
    const e0 = Math.floor(Math.log10(domain[0]) + 1e-9), e1 = Math.ceil(Math.log10(domain[1]) - 1e-9);
    for (let e = e0; e <= e1; e++) for (const m of [1, 2, 5]) ticks.push(clean(m * 10 ** e));
  } else {
    const e0 = Math.floor(Math.log10(lo) + 1e-9), e1 = Math.ceil(Math.log10(hi) - 1e-9);
    domain = [clean(10 ** e0), clean(10 ** e1)];
    const every = Math.max(1, Math.ceil((e1 - e0) / 8));
    for (let e = e0; e <= e1; e += every) ticks.push(clean(10 ** e));
  }
  const inside = (v: number) => v >= domain[0] * (1 - 1e-12) && v <= domain[1] * (1 + 1e-12);
  ticks = ticks.filter(inside);
  if (ticks.length < 2) ticks = [domain[0], domain[1]];
  return { domain, ticks };
}

/**
 * A short label for a tick value: plain decimals for ordinary magnitudes,
 * `1e-5`-style exponents for very small or large ones, at most four
 * significant digits (by default).
 *
 * @param value The tick value.
 * @param digits The most significant digits to show. @default {4}
 * @returns The label.
 *
 * @example
 * ```ts
 * import { formatTick } from "./ticks.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([0, 0.25, 1500, 1e-5, 2.5e7, -3].map((v) => formatTick(v)), ["0", "0.25", "1500", "1e-5", "2.5e7", "−3"]);
 * assert.equal(formatTick(0.123456, 3), "0.123");
 * ```
 */
export function formatTick(value: number, digits = 4): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const sign = value < 0 ? "−" : "";
  const a = Math.abs(value);
  if (a >= 1e5 || a < 1e-3) {
    const [m, e] = a.toExponential(digits - 1).split("e");
    return `${sign}${Number.parseFloat(m)}e${Number.parseInt(e, 10)}`;
  }
  return sign + String(Number.parseFloat(a.toPrecision(digits)));
}
