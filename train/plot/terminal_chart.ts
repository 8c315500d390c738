/**
 * Small charts for the terminal: a one-line sparkline and a braille line
 * plot, for the end of a training run.
 *
 * @module
 */

import { formatTick } from "./ticks.ts";

const BLOCKS = "▁▂▃▄▅▆▇█";

/** Options of {@linkcode sparkline}. */
export interface SparklineOptions {
  /** At most this many characters; longer data is averaged in buckets. @default {60} */
  width?: number;
  /** Scale logarithmically (values ≤ 0 become gaps). @default {false} */
  logY?: boolean;
}

function checkWidth(owner: string, option: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new RangeError(`Cannot draw ${owner} as ${option} must be an integer ≥ ${min}: current value is ${value}`);
  }
  return value;
}

/** Averages `values` into `width` buckets (finite values only; an all-gap bucket stays NaN). */
function resample(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const out: number[] = [];
  for (let b = 0; b < width; b++) {
    const from = Math.floor(b * values.length / width), to = Math.floor((b + 1) * values.length / width);
    let sum = 0, count = 0;
    for (let i = from; i < to; i++) if (Number.isFinite(values[i])) sum += values[i], count++;
    out.push(count ? sum / count : NaN);
  }
  return out;
}

/**
 * A one-line chart of a sequence with the block characters ▁▂▃▄▅▆▇█, lowest
 * value at ▁ and highest at █. Non-finite values (and values ≤ 0 with
 * `logY`) are spaces; a constant sequence is a flat ▄ line.
 *
 * @param values The sequence, e.g. the loss per epoch.
 * @param options `width`, `logY`.
 * @returns The line (no newline).
 * @throws {RangeError} When `width` is not a positive integer.
 *
 * @example
 * ```ts
 * import { sparkline } from "./terminal_chart.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(sparkline([8, 4, 2, 1, NaN, 0]), "█▅▃▂ ▁");
 * assert.equal(sparkline([1000, 100, 10, 1], { logY: true }), "█▆▃▁");
 * ```
 */
export function sparkline(values: readonly number[], options: SparklineOptions = {}): string {
  const width = checkWidth("a sparkline", "width", options.width, 60, 1);
  const logY = options.logY ?? false;
  const v = resample(values, width).map((y) => logY ? (y > 0 ? Math.log10(y) : NaN) : y);
  const finite = v.filter(Number.isFinite);
  const lo = Math.min(...finite), hi = Math.max(...finite);
  return v.map((y) => {
    if (!Number.isFinite(y)) return " ";
    if (hi === lo) return BLOCKS[3];
    return BLOCKS[Math.min(7, Math.floor((y - lo) / (hi - lo) * 8))];
  }).join("");
}

/** One line of a {@linkcode terminalChart}. */
export interface TerminalSeries {
  /** The legend name. */
  name: string;
  /** The values; gaps for non-finite ones. */
  y: readonly number[];
  /** The x value of each point. @default {0, 1, 2, …} */
  x?: readonly number[];
}

/** Options of {@linkcode terminalChart}. */
export interface TerminalChartOptions {
  /** The plot's width in characters (each holds 2 × 4 braille dots). @default {60} */
  width?: number;
  /** The plot's height in lines. @default {10} */
  height?: number;
  /** A logarithmic y axis. @default {false} */
  logY?: boolean;
  /** A heading line. */
  title?: string;
  /** The x-axis label, after the x range. @default {""} */
  xLabel?: string;
  /** Colour each series with ANSI escapes (the caller checks `Deno.noColor` and whether it is a terminal). @default {false} */
  color?: boolean;
}

const ANSI = ["\x1b[34m", "\x1b[31m", "\x1b[32m", "\x1b[35m", "\x1b[33m", "\x1b[36m"];
const RESET = "\x1b[0m";
// Bit of each dot in a braille cell, by [column][row].
const DOTS = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];

/**
 * A line plot drawn with braille characters (2 × 4 dots per character),
 * with the y range on the left, the x range below and a legend when there
 * are several series. Consecutive points are joined, so a short run still
 * reads as a curve.
 *
 * @param series The lines.
 * @param options `width`, `height`, `logY`, `title`, `xLabel`, `color`.
 * @returns The chart as lines joined by `\n` (no trailing newline).
 * @throws {TypeError | RangeError} When a series or option is malformed.
 *
 * @example
 * ```ts
 * import { terminalChart } from "./terminal_chart.ts";
 * import assert from "node:assert/strict";
 *
 * const chart = terminalChart([{ name: "loss", y: [0.7, 0.4, 0.2, 0.1, 0.05] }], { width: 20, height: 4, logY: true });
 * const lines = chart.split("\n");
 * assert.equal(lines.length, 6);
 * assert.ok(lines[0].trimStart().startsWith("0.7 ┤"));
 * assert.ok(/[\u2801-\u28ff]/.test(chart));
 * ```
 */
export function terminalChart(series: readonly TerminalSeries[], options: TerminalChartOptions = {}): string {
  const owner = "a terminal chart";
  const width = checkWidth(owner, "width", options.width, 60, 4);
  const height = checkWidth(owner, "height", options.height, 10, 2);
  const logY = options.logY ?? false;
  if (!Array.isArray(series)) {
    throw new TypeError(`Cannot draw ${owner} as series must be an array: current value is ${typeof series}`);
  }
  series.forEach((s, i) => {
    if (typeof s?.name !== "string" || !Array.isArray(s.y) || (s.x !== undefined && s.x.length !== s.y.length)) {
      throw new TypeError(`Cannot draw ${owner} as series[${i}] must be { name, y, x? } with x and y of one length`);
    }
  });
  const ty = (y: number) => logY ? (y > 0 ? Math.log10(y) : NaN) : y;
  const pts = series.map((s: TerminalSeries) => s.y.map((y: number, i: number) => [s.x ? s.x[i] : i, ty(y)] as const));
  let xLo = Infinity, xHi = -Infinity, yLo = Infinity, yHi = -Infinity;
  for (const p of pts.flat()) {
    if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) continue;
    xLo = Math.min(xLo, p[0]), xHi = Math.max(xHi, p[0]), yLo = Math.min(yLo, p[1]), yHi = Math.max(yHi, p[1]);
  }
  const lines: string[] = [];
  if (options.title) lines.push(options.title);
  if (xLo > xHi) {
    lines.push("(no data)");
    return lines.join("\n");
  }
  if (xHi === xLo) xHi = xLo + 1;
  if (yHi === yLo) [yLo, yHi] = [yLo - 0.5, yHi + 0.5];
  const dotsW = width * 2, dotsH = height * 4;
  const cells = new Uint8Array(width * height);
  const owners = new Int16Array(width * height).fill(-1);
  const plot = (px: number, py: number, s: number) => {
    if (px < 0 || py < 0 || px >= dotsW || py >= dotsH) return;
    const c = Math.floor(px / 2), r = Math.floor(py / 4);
    cells[r * width + c] |= DOTS[px % 2][py % 4];
    owners[r * width + c] = s;
  };
  pts.forEach((points, s) => {
    let prev: [number, number] | null = null;
    for (const [x, y] of points) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        prev = null;
        continue;
      }
      const px = Math.round((x - xLo) / (xHi - xLo) * (dotsW - 1));
      const py = Math.round((yHi - y) / (yHi - yLo) * (dotsH - 1));
      if (prev === null) plot(px, py, s);
      else {
        const steps = Math.max(Math.abs(px - prev[0]), Math.abs(py - prev[1]), 1);
        for (let k = 1; k <= steps; k++) {
          plot(Math.round(prev[0] + (px - prev[0]) * k / steps), Math.round(prev[1] + (py - prev[1]) * k / steps), s);
        }
      }
      prev = [px, py];
    }
  });
  const label = (v: number) => formatTick(logY ? 10 ** v : v, 3);
  const labels = [label(yHi), label((yHi + yLo) / 2), label(yLo)];
  const pad = Math.max(...labels.map((l) => l.length));
  const mid = Math.floor((height - 1) / 2);
  for (let r = 0; r < height; r++) {
    const text = r === 0 ? labels[0] : r === height - 1 ? labels[2] : r === mid ? labels[1] : "";
    let row = `${text.padStart(pad)} ${text ? "┤" : "│"}`, open = -1;
    for (let c = 0; c < width; c++) {
      const bits = cells[r * width + c], who = bits ? owners[r * width + c] : -1;
      if (options.color && who !== open && bits) row += (open >= 0 ? RESET : "") + ANSI[who % ANSI.length], open = who;
      row += bits ? String.fromCharCode(0x2800 + bits) : " ";
    }
    lines.push(row.trimEnd() + (open >= 0 ? RESET : ""));
  }
  lines.push(`${" ".repeat(pad)} └${"─".repeat(width)}`);
  const xl = formatTick(xLo, 6), xr = formatTick(xHi, 6) + (options.xLabel ? ` ${options.xLabel}` : "");
  lines.push(`${" ".repeat(pad + 2)}${xl}${" ".repeat(Math.max(1, width - xl.length - xr.length))}${xr}`);
  if (series.length > 1) {
    lines.push(
      `${" ".repeat(pad + 2)}${
        series.map((s, i) => options.color ? `${ANSI[i % ANSI.length]}━━${RESET} ${s.name}` : s.name).join(
          options.color ? "  " : ", ",
        )
      }`,
    );
  }
  return lines.join("\n");
}
