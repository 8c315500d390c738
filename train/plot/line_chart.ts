/**
 * Line charts as SVG: loss or accuracy against epochs or iterations, one or
 * several runs per chart.
 *
 * @module
 */

import { _checkRange, _checkSize, _escapeXml, _px, _seriesStyle, _svgOpen, _textWidth } from "./_svg.ts";
import { type AxisTicks, formatTick, linearTicks, logTicks } from "./ticks.ts";

/** One line of a {@linkcode lineChart}: a named run or metric. */
export interface LineSeries {
  /** The name shown in the legend (`"adam"`, `"validation loss"`). */
  name: string;
  /** The values. Non-finite values (and values ≤ 0 on a log axis) leave a gap. */
  y: readonly number[];
  /** The x value of each point (epochs, iterations). @default {0, 1, 2, …} */
  x?: readonly number[];
  /** A CSS colour instead of the palette's. */
  color?: string;
  /** An SVG `stroke-dasharray` instead of a solid line, e.g. `"6 3"`. */
  dash?: string;
}

/** Options of {@linkcode lineChart}. */
export interface LineChartOptions {
  /** The heading. @default {""} */
  title?: string;
  /** The x-axis label. @default {""} */
  xLabel?: string;
  /** The y-axis label. @default {""} */
  yLabel?: string;
  /** A logarithmic y axis (for losses spanning decades). @default {false} */
  logY?: boolean;
  /** The image width in pixels. @default {720} */
  width?: number;
  /** The image height in pixels. @default {420} */
  height?: number;
  /** The x range `[lo, hi]`, instead of fitting the data. */
  xRange?: readonly [number, number];
  /** The y range `[lo, hi]`, instead of fitting the data (points outside are clipped). */
  yRange?: readonly [number, number];
  /** Draw a dot at each point: always, never, or when a series has at most 40 points. @default {"auto"} */
  markers?: boolean | "auto";
}

interface Point {
  x: number;
  y: number;
}

/** Keeps the first, lowest, highest and last point of each pixel column (the M4 reduction), in order. */
function decimate(run: Point[], limit: number): Point[] {
  if (run.length <= limit) return run;
  const out: Point[] = [];
  let i = 0;
  while (i < run.length) {
    const column = Math.floor(run[i].x);
    let j = i, lo = i, hi = i;
    while (j < run.length && Math.floor(run[j].x) === column) {
      if (run[j].y < run[lo].y) lo = j;
      if (run[j].y > run[hi].y) hi = j;
      j++;
    }
    for (const k of [...new Set([i, lo, hi, j - 1])].sort((a, b) => a - b)) out.push(run[k]);
    i = j;
  }
  return out;
}

function validateSeries(series: readonly LineSeries[]): void {
  if (!Array.isArray(series)) {
    throw new TypeError(`Cannot draw a line chart as series must be an array: current value is ${typeof series}`);
  }
  series.forEach((s, i) => {
    if (typeof s?.name !== "string") {
      throw new TypeError(
        `Cannot draw a line chart as series[${i}].name must be a string: current value is ${s?.name}`,
      );
    }
    if (!Array.isArray(s.y) || s.y.some((v: unknown) => typeof v !== "number")) {
      throw new TypeError(`Cannot draw a line chart as series[${i}].y must be an array of numbers: "${s.name}" is not`);
    }
    if (s.x !== undefined && (!Array.isArray(s.x) || s.x.length !== s.y.length)) {
      throw new RangeError(
        `Cannot draw a line chart as series[${i}].x must have one value per y value: current lengths are x ${
          Array.isArray(s.x) ? s.x.length : typeof s.x
        } and y ${s.y.length}`,
      );
    }
  });
}

function ellipsize(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - 1).join("") + "…";
}

/**
 * Draws one or more series as lines on shared axes and returns the SVG
 * document: ticks and grid lines at round values, axis labels, a title, a
 * legend (when there is more than one series, or the one has a name), and
 * an optional logarithmic y axis. Gaps in the data (NaN, ±∞, and values ≤ 0
 * on a log axis) break the line instead of failing. Very long series are
 * reduced to the points that change the picture (first, lowest, highest,
 * last of each pixel column), so a 100 000-step run stays a small file.
 *
 * @param series The lines to draw.
 * @param options `title`, `xLabel`, `yLabel`, `logY`, `width`, `height`, `xRange`, `yRange`, `markers`.
 * @returns A standalone SVG document (UTF-8 XML).
 * @throws {TypeError | RangeError} When a series or option is malformed (named with its value).
 *
 * @example Two runs' losses on a log scale
 * ```ts
 * import { lineChart } from "./line_chart.ts";
 * import assert from "node:assert/strict";
 *
 * const svg = lineChart([
 *   { name: "sgd", y: [0.7, 0.5, 0.4, 0.35] },
 *   { name: "adam", y: [0.7, 0.2, 0.05, 0.01] },
 * ], { title: "Training loss", xLabel: "epoch", yLabel: "loss", logY: true });
 * assert.ok(svg.startsWith("<?xml"));
 * assert.equal(svg.match(/<g class="series"/g)?.length, 2);
 * ```
 */
export function lineChart(series: readonly LineSeries[], options: LineChartOptions = {}): string {
  const owner = "a line chart";
  validateSeries(series);
  const width = _checkSize(owner, "width", options.width, 720, 200);
  const height = _checkSize(owner, "height", options.height, 420, 150);
  const xRange = _checkRange(owner, "xRange", options.xRange);
  const yRange = _checkRange(owner, "yRange", options.yRange);
  const logY = options.logY ?? false;
  if (logY && yRange && yRange[0] <= 0) {
    throw new RangeError(
      `Cannot draw ${owner} as yRange must be positive on a log axis: current value is [${yRange}]`,
    );
  }
  const title = options.title ?? "", xLabel = options.xLabel ?? "", yLabel = options.yLabel ?? "";

  // The points that can be drawn, and the data's extent.
  const usable = (x: number, y: number) => Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0);
  const raw = series.map((s) => s.y.map((y, i) => ({ x: s.x ? s.x[i] : i, y })));
  let xLo = Infinity, xHi = -Infinity, yLo = Infinity, yHi = -Infinity;
  for (const points of raw) {
    for (const p of points) {
      if (!usable(p.x, p.y)) continue;
      xLo = Math.min(xLo, p.x), xHi = Math.max(xHi, p.x), yLo = Math.min(yLo, p.y), yHi = Math.max(yHi, p.y);
    }
  }
  const empty = xLo > xHi;
  if (empty) [xLo, xHi, yLo, yHi] = [0, 1, logY ? 0.1 : 0, 1];
  const xCount = Math.max(2, Math.floor(width / 110));
  const xTicks: AxisTicks = xRange
    ? { domain: xRange, ticks: linearTicks(...xRange, xCount).ticks.filter((t) => t >= xRange[0] && t <= xRange[1]) }
    : linearTicks(xLo, xHi, xCount);
  // Epochs and iterations are whole numbers: no tick at 2.5.
  if (raw.every((points) => points.every((p) => Number.isInteger(p.x)))) {
    xTicks.ticks = xTicks.ticks.filter(Number.isInteger);
  }
  const yCount = Math.max(2, Math.floor(height / 70));
  const yTicks: AxisTicks = yRange
    ? {
      domain: yRange,
      ticks: (logY ? logTicks(...yRange) : linearTicks(...yRange, yCount)).ticks.filter((t) =>
        t >= yRange[0] * (1 - 1e-12) && t <= yRange[1] * (1 + 1e-12)
      ),
    }
    : logY
    ? logTicks(yLo, yHi)
    : linearTicks(yLo, yHi, yCount);

  // Layout: legend on the right, labels left and below, title on top.
  const font = 12;
  const named = series.length > 1 || (series.length === 1 && series[0].name !== "");
  const legendNames = series.map((s) => ellipsize(s.name, 32));
  const legendWidth = named ? 40 + Math.max(...legendNames.map((n) => _textWidth(n, font))) + 16 : 0;
  const yTickWidth = Math.max(...yTicks.ticks.map((t) => _textWidth(formatTick(t), 11)));
  const left = 14 + (yLabel ? 22 : 0) + yTickWidth + 8;
  const top = title ? 44 : 18;
  const bottom = 40 + (xLabel ? 18 : 0);
  const right = 18 + legendWidth;
  const plotW = Math.max(40, width - left - right), plotH = Math.max(40, height - top - bottom);
  const [x0, x1] = xTicks.domain;
  const [y0, y1] = yTicks.domain;
  const sx = (x: number) => left + (x - x0) / (x1 - x0) * plotW;
  const sy = logY
    ? (y: number) => top + plotH - (Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0)) * plotH
    : (y: number) => top + plotH - (y - y0) / (y1 - y0) * plotH;

  const parts: string[] = [_svgOpen(width, height, title || "Line chart")];
  parts.push(
    `<defs><clipPath id="gf-plot-area"><rect x="${_px(left)}" y="${_px(top)}" width="${_px(plotW)}" height="${
      _px(plotH)
    }"/></clipPath></defs>\n`,
  );

  // Grid and axes.
  const grid: string[] = [], axes: string[] = [];
  for (const t of yTicks.ticks) {
    const y = _px(sy(t));
    grid.push(`<line x1="${_px(left)}" y1="${y}" x2="${_px(left + plotW)}" y2="${y}"/>`);
    axes.push(
      `<text x="${_px(left - 6)}" y="${y}" text-anchor="end" dy="0.35em">${_escapeXml(formatTick(t))}</text>`,
    );
  }
  for (const t of xTicks.ticks) {
    const x = _px(sx(t));
    grid.push(`<line x1="${x}" y1="${_px(top)}" x2="${x}" y2="${_px(top + plotH)}"/>`);
    axes.push(`<text x="${x}" y="${_px(top + plotH + 18)}" text-anchor="middle">${_escapeXml(formatTick(t))}</text>`);
  }
  parts.push(`<g class="grid" stroke="#e3e3e3" stroke-width="1">\n${grid.join("\n")}\n</g>\n`);
  parts.push(
    `<rect class="frame" x="${_px(left)}" y="${_px(top)}" width="${_px(plotW)}" height="${
      _px(plotH)
    }" fill="none" stroke="#888888"/>\n`,
  );
  parts.push(`<g class="ticks" font-size="11" fill="#333333">\n${axes.join("\n")}\n</g>\n`);
  if (xLabel) {
    parts.push(
      `<text class="x-label" x="${_px(left + plotW / 2)}" y="${
        _px(height - 12)
      }" text-anchor="middle" font-size="${font}">${_escapeXml(xLabel)}</text>\n`,
    );
  }
  if (yLabel) {
    const cy = _px(top + plotH / 2);
    parts.push(
      `<text class="y-label" x="16" y="${cy}" transform="rotate(-90 16 ${cy})" text-anchor="middle" dy="0.35em" font-size="${font}">${
        _escapeXml(yLabel)
      }</text>\n`,
    );
  }
  if (title) {
    parts.push(
      `<text class="title" x="${_px(left + plotW / 2)}" y="26" text-anchor="middle" font-size="16" font-weight="600">${
        _escapeXml(title)
      }</text>\n`,
    );
  }
  if (empty) {
    parts.push(
      `<text class="no-data" x="${_px(left + plotW / 2)}" y="${
        _px(top + plotH / 2)
      }" text-anchor="middle" fill="#888888" font-size="${font}">no data</text>\n`,
    );
  }

  // The series, clipped to the plot area.
  parts.push(`<g clip-path="url(#gf-plot-area)">\n`);
  series.forEach((s, i) => {
    const style = _seriesStyle(i);
    const color = _escapeXml(s.color ?? style.color), dash = _escapeXml(s.dash ?? style.dash);
    const runs: Point[][] = [];
    let run: Point[] = [];
    for (const p of raw[i]) {
      if (usable(p.x, p.y)) run.push({ x: sx(p.x), y: sy(p.y) });
      else if (run.length) runs.push(run), run = [];
    }
    if (run.length) runs.push(run);
    const drawn = runs.map((r) => decimate(r, 4 * plotW));
    const d = drawn.map((r) => "M" + r.map((p) => `${_px(p.x)} ${_px(p.y)}`).join("L")).join("");
    const count = drawn.reduce((n, r) => n + r.length, 0);
    const markers = options.markers === "auto" || options.markers === undefined ? count <= 40 : options.markers;
    parts.push(`<g class="series" data-name="${_escapeXml(s.name)}">`);
    parts.push(
      `<path class="line" d="${d || "M0 0"}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round"${
        dash ? ` stroke-dasharray="${dash}"` : ""
      }${d ? "" : ' visibility="hidden"'}/>`,
    );
    if (markers) {
      for (const r of drawn) {
        for (const p of r) parts.push(`<circle cx="${_px(p.x)}" cy="${_px(p.y)}" r="2.5" fill="${color}"/>`);
      }
    }
    parts.push(`</g>\n`);
  });
  parts.push(`</g>\n`);

  // The legend.
  if (named) {
    const lx = left + plotW + 16;
    parts.push(`<g class="legend" font-size="${font}">\n`);
    series.forEach((s, i) => {
      const style = _seriesStyle(i);
      const color = _escapeXml(s.color ?? style.color), dash = _escapeXml(s.dash ?? style.dash);
      const y = top + 8 + i * 20;
      parts.push(
        `<g class="legend-item"><line x1="${_px(lx)}" y1="${_px(y)}" x2="${_px(lx + 28)}" y2="${
          _px(y)
        }" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ""}/><text x="${
          _px(lx + 36)
        }" y="${_px(y)}" dy="0.35em">${_escapeXml(legendNames[i])}</text></g>\n`,
      );
    });
    parts.push(`</g>\n`);
  }
  parts.push(`</svg>\n`);
  return parts.join("");
}
