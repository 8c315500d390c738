/**
 * Number and duration formatting for console output.
 *
 * @module
 */

/**
 * A metric value for a console line: accuracy-like keys as percentages, other
 * values with four significant digits (exponent form when tiny or huge).
 *
 * @param key The record key.
 * @param value The value.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { formatMetric } from "./_format.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatMetric("valAccuracy", 0.9125), "91.25%");
 * assert.equal(formatMetric("loss", 0.00001), "1.000e-5");
 * assert.equal(formatMetric("loss", 0.5), "0.5000");
 * ```
 */
export function formatMetric(key: string, value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (/accuracy/i.test(key)) return `${(value * 100).toFixed(2)}%`;
  const a = Math.abs(value);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return value.toExponential(3).replace("e+", "e");
  return value.toPrecision(4);
}

/**
 * A duration as `m:ss` or `h:mm:ss`.
 *
 * @param seconds The duration.
 * @returns The text (`"?"` when unknown).
 *
 * @example
 * ```ts
 * import { formatDuration } from "./_format.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatDuration(75.4), "1:15");
 * assert.equal(formatDuration(3725), "1:02:05");
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const ss = String(r).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/**
 * Whether the environment asks for plain output: `CI` set (read only when the
 * env permission for it is already granted, so nothing prompts) or `TERM=dumb`.
 *
 * @returns `true` under CI.
 *
 * @example
 * ```ts
 * import { plainOutputWanted } from "./_format.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(typeof plainOutputWanted(), "boolean");
 * ```
 */
export function plainOutputWanted(): boolean {
  const read = (name: string): string | undefined => {
    try {
      if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") return undefined;
      return Deno.env.get(name);
    } catch {
      return undefined;
    }
  };
  const ci = read("CI");
  return (ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false") || read("TERM") === "dumb";
}
