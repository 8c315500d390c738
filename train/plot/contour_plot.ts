/**
 * Contour plots of a function of two variables as SVG, with optimizer paths
 * drawn on top (the "optimizer race on Rosenbrock" picture).
 *
 * @module
 */

import { _checkRange, _checkSize, _escapeXml, _px, _seriesStyle, _svgOpen, _textWidth } from "./_svg.ts";
import { formatTick, linearTicks } from "./ticks.ts";

/** A sequence of points in the plane, such as an optimizer's iterates. */
export interface ContourPath {
  /** The name shown in the legend (`"adam"`). */
  name: string;
  /** The points `[x, y]`, in order. Drawing stops at the first non-finite point. */
  points: readonly (readonly number[])[];
  /** A CSS colour instead of the palette's. */
  color?: string;
}

/** Options of {@linkcode contourPlot}. */
export interface ContourPlotOptions {
  /** The x range `[lo, hi]`. Required. */
  x: readonly [number, number];
  /** The y range `[lo, hi]`. Required. */
  y: readonly [number, number];
  /** Paths to draw over the contours. @default {[]} */
  paths?: readonly ContourPath[];
  /** The number of contour levels, or the levels themselves. @default {14} */
  levels?: number | readonly number[];
  /**
   * How a number of levels is spread between the grid's minimum and maximum:
   * evenly, or geometrically above the minimum (for valleys such as
   * Rosenbrock's, where the interesting levels are small). @default {"linear"}
   */
  levelScale?: "linear" | "log";
  /** Grid cells along each axis. @default {120} */
  resolution?: number;
  /** A point to mark with a cross, such as the known minimum. */
  optimum?: readonly [number, number];
  /** The heading. @default {""} */
  title?: string;
  /** The x-axis label. @default {"x"} */
  xLabel?: string;
  /** The y-axis label. @default {"y"} */
  yLabel?: string;
  /** The image width in pixels. @default {720} */
  width?: number;
  /** The image height in pixels. @default {560} */
  height?: number;
}

type Pt = readonly [number, number];

// Viridis, sampled; contour colours are interpolated between these.
const VIRIDIS = ["#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#fde725"];

function viridis(t: number): string {
  const u = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u)), f = u - i;
  const parse = (h: string) => [1, 3, 5].map((k) => Number.parseInt(h.slice(k, k + 2), 16));
  const a = parse(VIRIDIS[i]), b = parse(VIRIDIS[i + 1]);
  return "#" + a.map((v, k) => Math.round(v + f * (b[k] - v)).toString(16).padStart(2, "0")).join("");
}

/**
 * Marching squares on a grid `values[j][i]` (row j = y index), returning the
 * polylines of one level in grid coordinates. Segments are joined through the
 * grid edges they share, so each contour is one polyline.
 */
function isolines(values: Float64Array, nx: number, ny: number, level: number): Pt[][] {
  const at = (i: number, j: number) => values[j * (nx + 1) + i];
  const hEdge = (i: number, j: number) => j * nx + i; // between (i, j) and (i + 1, j)
  const vEdge = (i: number, j: number) => (ny + 1) * nx + j * (nx + 1) + i; // between (i, j) and (i, j + 1)
  const points = new Map<number, Pt>();
  const crossing = (edge: number, p: Pt, q: Pt, vp: number, vq: number) => {
    if (!points.has(edge)) {
      const t = vq === vp ? 0.5 : (level - vp) / (vq - vp);
      points.set(edge, [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
    }
    return edge;
  };
  const segments: [number, number][] = [];
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const a = at(i, j), b = at(i + 1, j), c = at(i + 1, j + 1), d = at(i, j + 1);
      if (!(Number.isFinite(a) && Number.isFinite(b) && Number.isFinite(c) && Number.isFinite(d))) continue;
      const code = (a >= level ? 1 : 0) | (b >= level ? 2 : 0) | (c >= level ? 4 : 0) | (d >= level ? 8 : 0);
      if (code === 0 || code === 15) continue;
      const bottom = () => crossing(hEdge(i, j), [i, j], [i + 1, j], a, b);
      const right = () => crossing(vEdge(i + 1, j), [i + 1, j], [i + 1, j + 1], b, c);
      const top = () => crossing(hEdge(i, j + 1), [i, j + 1], [i + 1, j + 1], d, c);
      const left = () => crossing(vEdge(i, j), [i, j], [i, j + 1], a, d);
      if (code === 5 || code === 10) {
        const centerAbove = (a + b + c + d) / 4 >= level;
        // Separate the corners that the centre does not connect.
        if ((code === 5) === centerAbove) segments.push([bottom(), right()], [top(), left()]);
        else segments.push([left(), bottom()], [right(), top()]);
        continue;
      }
      const edges: number[] = [];
      if ((code & 1) !== (code >> 1 & 1)) edges.push(bottom());
      if ((code >> 1 & 1) !== (code >> 2 & 1)) edges.push(right());
      if ((code >> 2 & 1) !== (code >> 3 & 1)) edges.push(top());
      if ((code >> 3 & 1) !== (code & 1)) edges.push(left());
      segments.push([edges[0], edges[1]]);
    }
  }
  // Join segments that share an edge crossing.
  const byEdge = new Map<number, number[]>();
  segments.forEach(([p, q], k) => {
    for (const e of [p, q]) byEdge.set(e, [...(byEdge.get(e) ?? []), k]);
  });
  const used = new Uint8Array(segments.length);
  const lines: Pt[][] = [];
  const walk = (edge: number, out: number[]) => {
    for (;;) {
      const next = byEdge.get(edge)?.find((k) => !used[k]);
      if (next === undefined) return;
      used[next] = 1;
      edge = segments[next][0] === edge ? segments[next][1] : segments[next][0];
      out.push(edge);
    }
  };
  segments.forEach(([p, q], k) => {
    if (used[k]) return;
    used[k] = 1;
    const forward = [p, q], backward: number[] = [];
    walk(q, forward);
    walk(p, backward);
    lines.push([...backward.reverse(), ...forward].map((e) => points.get(e)!));
  });
  return lines;
}

function validate(f: unknown, options: ContourPlotOptions): void {
  if (typeof f !== "function") {
    throw new TypeError(`Cannot draw a contour plot as f must be a function of (x, y): current value is ${typeof f}`);
  }
  if (options === null || typeof options !== "object") {
    throw new TypeError(`Cannot draw a contour plot as options must be an object with x and y ranges`);
  }
  for (const key of ["x", "y"] as const) {
    if (options[key] === undefined) {
      throw new TypeError(
        `Cannot draw a contour plot as options.${key} must be a range [lo, hi]: current value is undefined`,
      );
    }
  }
  (options.paths ?? []).forEach((p, i) => {
    if (typeof p?.name !== "string" || !Array.isArray(p.points)) {
      throw new TypeError(
        `Cannot draw a contour plot as paths[${i}] must be { name, points: [[x, y], …] }: current value is ${
          JSON.stringify(p)?.slice(0, 80)
        }`,
      );
    }
  });
}

/**
 * Draws contour lines of `f` over a rectangle, coloured from low (purple)
 * to high (yellow), with paths drawn on top — each with its start marked by
 * a ring and its end by a dot — an optional cross at a known optimum, axes,
 * a legend of the paths and a colour bar of the levels.
 *
 * `f` is sampled on a `(resolution + 1)²` grid and contoured by marching
 * squares (saddles resolved by the cell's mean); non-finite samples leave
 * holes. Paths are clipped to the rectangle.
 *
 * @param f The function, of plain numbers.
 * @param options `x`, `y` (required ranges), `paths`, `levels`, `levelScale`, `resolution`, `optimum`, `title`, `xLabel`, `yLabel`, `width`, `height`.
 * @returns A standalone SVG document.
 * @throws {TypeError | RangeError} When `f` or an option is malformed.
 *
 * @example The Rosenbrock valley with one path
 * ```ts
 * import { contourPlot } from "./contour_plot.ts";
 * import assert from "node:assert/strict";
 *
 * const rosenbrock = (x: number, y: number) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
 * const svg = contourPlot(rosenbrock, {
 *   x: [-2, 2], y: [-1, 3], levelScale: "log", optimum: [1, 1],
 *   paths: [{ name: "sgd", points: [[-1.5, 2], [-1, 1], [0, 0.2], [0.8, 0.6]] }],
 * });
 * assert.equal(svg.match(/<path class="contour"/g)?.length, 14);
 * assert.equal(svg.match(/<g class="path"/g)?.length, 1);
 * ```
 */
export function contourPlot(f: (x: number, y: number) => number, options: ContourPlotOptions): string {
  validate(f, options);
  const owner = "a contour plot";
  const [xa, xb] = _checkRange(owner, "x", options.x)!;
  const [ya, yb] = _checkRange(owner, "y", options.y)!;
  const width = _checkSize(owner, "width", options.width, 720, 200);
  const height = _checkSize(owner, "height", options.height, 560, 150);
  const n = _checkSize(owner, "resolution", options.resolution, 120, 2);
  if (!Number.isInteger(n) || n > 1000) {
    throw new RangeError(`Cannot draw ${owner} as resolution must be an integer in [2, 1000]: current value is ${n}`);
  }
  const scale = options.levelScale ?? "linear";
  if (scale !== "linear" && scale !== "log") {
    throw new RangeError(`Cannot draw ${owner} as levelScale must be "linear" or "log": current value is ${scale}`);
  }
  const title = options.title ?? "", xLabel = options.xLabel ?? "x", yLabel = options.yLabel ?? "y";
  const paths = options.paths ?? [];

  // Sample f.
  const grid = new Float64Array((n + 1) * (n + 1));
  let vmin = Infinity, vmax = -Infinity;
  for (let j = 0; j <= n; j++) {
    for (let i = 0; i <= n; i++) {
      const v = Number(f(xa + (xb - xa) * i / n, ya + (yb - ya) * j / n));
      grid[j * (n + 1) + i] = v;
      if (Number.isFinite(v)) vmin = Math.min(vmin, v), vmax = Math.max(vmax, v);
    }
  }

  // Levels.
  let levels: number[];
  if (Array.isArray(options.levels)) {
    levels = [...(options.levels as readonly number[])].sort((p, q) => p - q);
    if (levels.some((v) => typeof v !== "number" || !Number.isFinite(v))) {
      throw new RangeError(`Cannot draw ${owner} as levels must be finite numbers: current value is [${levels}]`);
    }
  } else {
    const count = _checkSize(owner, "levels", options.levels, 14, 1);
    if (!Number.isInteger(count)) {
      throw new RangeError(
        `Cannot draw ${owner} as levels must be an integer count or an array: current value is ${count}`,
      );
    }
    levels = [];
    if (vmin < vmax) {
      const span = vmax - vmin;
      for (let k = 0; k < count; k++) {
        levels.push(
          scale === "log"
            ? vmin + span * 1e-4 * (0.9 / 1e-4) ** (k / Math.max(1, count - 1))
            : vmin + span * (k + 0.5) / count,
        );
      }
    }
  }
  const lo = levels[0], hi = levels[levels.length - 1];
  const colorOf = (level: number) => {
    if (levels.length < 2 || hi === lo) return viridis(0.3);
    const t = scale === "log" && lo - vmin > 0
      ? Math.log((level - vmin) / (lo - vmin)) / Math.log((hi - vmin) / (lo - vmin))
      : (level - lo) / (hi - lo);
    return viridis(t * 0.92);
  };

  // Layout.
  const font = 12;
  const names = paths.map((p) => p.name.length > 28 ? p.name.slice(0, 27) + "…" : p.name);
  const legendWidth = Math.max(90, ...names.map((s) => 40 + _textWidth(s, font) + 16));
  const xTicks = linearTicks(xa, xb, Math.max(2, Math.floor(width / 110))).ticks.filter((t) => t >= xa && t <= xb);
  const yTicks = linearTicks(ya, yb, Math.max(2, Math.floor(height / 70))).ticks.filter((t) => t >= ya && t <= yb);
  const left = 14 + 22 + Math.max(...yTicks.map((t) => _textWidth(formatTick(t), 11))) + 8;
  const top = title ? 44 : 18, bottom = 58, right = 18 + legendWidth;
  const plotW = Math.max(40, width - left - right), plotH = Math.max(40, height - top - bottom);
  const gx = (i: number) => left + i / n * plotW, gy = (j: number) => top + plotH - j / n * plotH;
  const sx = (x: number) => left + (x - xa) / (xb - xa) * plotW;
  const sy = (y: number) => top + plotH - (y - ya) / (yb - ya) * plotH;

  const parts: string[] = [_svgOpen(width, height, title || "Contour plot")];
  parts.push(
    `<defs><clipPath id="gf-plot-area"><rect x="${_px(left)}" y="${_px(top)}" width="${_px(plotW)}" height="${
      _px(plotH)
    }"/></clipPath>` +
      `<linearGradient id="gf-levels" x1="0" y1="1" x2="0" y2="0">${
        [0, 0.25, 0.5, 0.75, 1].map((t) => `<stop offset="${t}" stop-color="${viridis(t * 0.92)}"/>`).join("")
      }</linearGradient></defs>\n`,
  );
  parts.push(
    `<rect class="frame" x="${_px(left)}" y="${_px(top)}" width="${_px(plotW)}" height="${
      _px(plotH)
    }" fill="#fbfbfb" stroke="#888888"/>\n`,
  );

  // Contours.
  parts.push(`<g class="contours" clip-path="url(#gf-plot-area)" fill="none" stroke-width="1.1" opacity="0.85">\n`);
  for (const level of levels) {
    const d = isolines(grid, n, n, level)
      .map((line) => "M" + line.map(([i, j]) => `${_px(gx(i))} ${_px(gy(j))}`).join("L"))
      .join("");
    parts.push(
      `<path class="contour" data-level="${level}" stroke="${colorOf(level)}" d="${d || "M0 0"}"${
        d ? "" : ' visibility="hidden"'
      }/>\n`,
    );
  }
  parts.push(`</g>\n`);

  // Axes.
  const ticks: string[] = [];
  for (const t of xTicks) {
    ticks.push(
      `<line x1="${_px(sx(t))}" y1="${_px(top + plotH)}" x2="${_px(sx(t))}" y2="${
        _px(top + plotH + 4)
      }" stroke="#888888"/><text x="${_px(sx(t))}" y="${_px(top + plotH + 18)}" text-anchor="middle">${
        _escapeXml(formatTick(t))
      }</text>`,
    );
  }
  for (const t of yTicks) {
    ticks.push(
      `<line x1="${_px(left - 4)}" y1="${_px(sy(t))}" x2="${_px(left)}" y2="${_px(sy(t))}" stroke="#888888"/><text x="${
        _px(left - 6)
      }" y="${_px(sy(t))}" text-anchor="end" dy="0.35em">${_escapeXml(formatTick(t))}</text>`,
    );
  }
  parts.push(`<g class="ticks" font-size="11" fill="#333333">\n${ticks.join("\n")}\n</g>\n`);
  const cy = _px(top + plotH / 2);
  parts.push(
    `<text class="x-label" x="${_px(left + plotW / 2)}" y="${
      _px(height - 14)
    }" text-anchor="middle" font-size="${font}">${_escapeXml(xLabel)}</text>\n` +
      `<text class="y-label" x="16" y="${cy}" transform="rotate(-90 16 ${cy})" text-anchor="middle" dy="0.35em" font-size="${font}">${
        _escapeXml(yLabel)
      }</text>\n`,
  );
  if (title) {
    parts.push(
      `<text class="title" x="${_px(left + plotW / 2)}" y="26" text-anchor="middle" font-size="16" font-weight="600">${
        _escapeXml(title)
      }</text>\n`,
    );
  }

  // Paths and the optimum.
  parts.push(`<g clip-path="url(#gf-plot-area)">\n`);
  if (options.optimum) {
    const [ox, oy] = options.optimum.map((v) => Number(v));
    const px = sx(ox), py = sy(oy);
    parts.push(
      `<g class="optimum" stroke="#000000" stroke-width="2.5"><line x1="${_px(px - 7)}" y1="${_px(py - 7)}" x2="${
        _px(px + 7)
      }" y2="${_px(py + 7)}"/><line x1="${_px(px - 7)}" y1="${_px(py + 7)}" x2="${_px(px + 7)}" y2="${
        _px(py - 7)
      }"/></g>\n`,
    );
  }
  const finitePrefix = (p: ContourPath) => {
    const out: Pt[] = [];
    for (const q of p.points) {
      if (!(q.length >= 2 && Number.isFinite(q[0]) && Number.isFinite(q[1]))) break;
      out.push([sx(q[0]), sy(q[1])]);
    }
    return out;
  };
  paths.forEach((p, i) => {
    const color = _escapeXml(p.color ?? _seriesStyle(i).color);
    const pts = finitePrefix(p);
    parts.push(`<g class="path" data-name="${_escapeXml(p.name)}">`);
    if (pts.length) {
      parts.push(
        `<path d="M${
          pts.map(([x, y]) => `${_px(x)} ${_px(y)}`).join("L")
        }" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round" opacity="0.95"/>`,
      );
      if (pts.length <= 80) {
        for (const [x, y] of pts) parts.push(`<circle cx="${_px(x)}" cy="${_px(y)}" r="1.8" fill="${color}"/>`);
      }
      const [sx0, sy0] = pts[0], [ex, ey] = pts[pts.length - 1];
      parts.push(
        `<circle class="start" cx="${_px(sx0)}" cy="${
          _px(sy0)
        }" r="5" fill="#ffffff" stroke="${color}" stroke-width="2"/>`,
      );
      parts.push(
        `<circle class="end" cx="${_px(ex)}" cy="${
          _px(ey)
        }" r="4.5" fill="${color}" stroke="#ffffff" stroke-width="1.5"/>`,
      );
    }
    parts.push(`</g>\n`);
  });
  parts.push(`</g>\n`);

  // Legend and colour bar.
  const lx = left + plotW + 16;
  parts.push(`<g class="legend" font-size="${font}">\n`);
  paths.forEach((p, i) => {
    const color = _escapeXml(p.color ?? _seriesStyle(i).color), y = top + 8 + i * 20;
    parts.push(
      `<g class="legend-item"><line x1="${_px(lx)}" y1="${_px(y)}" x2="${_px(lx + 28)}" y2="${
        _px(y)
      }" stroke="${color}" stroke-width="2"/><text x="${_px(lx + 36)}" y="${_px(y)}" dy="0.35em">${
        _escapeXml(names[i])
      }</text></g>\n`,
    );
  });
  if (options.optimum) {
    const y = top + 8 + paths.length * 20;
    parts.push(
      `<g class="legend-item"><text x="${_px(lx + 8)}" y="${_px(y)}" dy="0.35em" font-weight="700">×</text><text x="${
        _px(lx + 36)
      }" y="${_px(y)}" dy="0.35em">optimum</text></g>\n`,
    );
  }
  if (levels.length) {
    const barTop = top + 8 + (paths.length + (options.optimum ? 1 : 0)) * 20 + 16;
    const barH = Math.min(160, top + plotH - barTop);
    if (barH >= 40) {
      parts.push(
        `<g class="colorbar" font-size="11"><text x="${_px(lx)}" y="${_px(barTop - 4)}">f (levels)</text><rect x="${
          _px(lx)
        }" y="${_px(barTop + 4)}" width="12" height="${_px(barH - 4)}" fill="url(#gf-levels)"/><text x="${
          _px(lx + 18)
        }" y="${_px(barTop + 8)}" dy="0.35em">${_escapeXml(formatTick(hi))}</text><text x="${_px(lx + 18)}" y="${
          _px(barTop + barH)
        }" dy="0.35em">${_escapeXml(formatTick(lo))}</text></g>\n`,
      );
    }
  }
  parts.push(`</g>\n</svg>\n`);
  return parts.join("");
}
