/// <reference no-default-lib="true" />
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="esnext" />
/**
 * Canvas drawing for the live views: the decision boundary as a heat map with
 * the points, and each layer's weights. (The line charts and the contour plot
 * are gradflow's own SVG charts, from train/plot.)
 *
 * @module
 */

import type { Grid, LayerWeights } from "./protocol.ts";

/** Class 0 (orange) and class 1 (blue), from the Okabe–Ito palette of gradflow's charts. */
export const CLASS_COLORS: readonly [string, string] = ["#E69F00", "#0072B2"];
const ORANGE = [230, 159, 0], BLUE = [0, 114, 178], WHITE = [255, 255, 255];

/** A colour between orange (t = −1), white (0) and blue (+1). */
function diverging(t: number): [number, number, number] {
  const u = Math.max(-1, Math.min(1, t));
  const end = u < 0 ? ORANGE : BLUE, a = Math.abs(u);
  return [0, 1, 2].map((k) => Math.round(WHITE[k] + (end[k] - WHITE[k]) * a)) as [number, number, number];
}

/** {@linkcode diverging} at 512 steps over [−1, 1], as RGBA bytes, for the heat map. */
const LEVELS = 512;
const PALETTE = new Uint8ClampedArray(4 * LEVELS);
for (let i = 0; i < LEVELS; i++) {
  const [r, g, b] = diverging(0.8 * (2 * i / (LEVELS - 1) - 1));
  PALETTE.set([r, g, b, 255], 4 * i);
}

/** Sizes a canvas's backing store to its CSS box times the device pixel ratio; returns its CSS size. */
function fit(canvas: HTMLCanvasElement): { width: number; height: number; ctx: CanvasRenderingContext2D } {
  const ratio = globalThis.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width, height = canvas.clientHeight || canvas.height;
  const w = Math.round(width * ratio), h = Math.round(height * ratio);
  if (canvas.width !== w || canvas.height !== h) canvas.width = w, canvas.height = h;
  const ctx = canvas.getContext("2d")!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { width, height, ctx };
}

/** The training points of a run. */
export interface Points {
  /** `[x0, y0, x1, y1, …]`. */
  xy: Float64Array;
  /** Class of each point. */
  labels: Uint8Array;
  /** 1 for a held-out (validation) point. */
  validation: Uint8Array;
}

const scratch = new Map<number, { canvas: OffscreenCanvas; image: ImageData }>();

/** The points drawn once per data set and size (they do not move while the model trains). */
const pointLayers = new WeakMap<Points, { key: string; canvas: OffscreenCanvas }>();

function pointLayer(points: Points, grid: Grid, width: number, height: number, ratio: number): OffscreenCanvas {
  const key = `${width}x${height}@${ratio}:${grid.x}:${grid.y}`;
  const cached = pointLayers.get(points);
  if (cached?.key === key) return cached.canvas;
  const canvas = new OffscreenCanvas(Math.round(width * ratio), Math.round(height * ratio));
  const ctx = canvas.getContext("2d")!;
  ctx.scale(ratio, ratio);
  const sx = (x: number) => (x - grid.x[0]) / (grid.x[1] - grid.x[0]) * width;
  const sy = (y: number) => height - (y - grid.y[0]) / (grid.y[1] - grid.y[0]) * height;
  const radius = Math.max(2.5, Math.min(4, width / 90));
  for (const held of [0, 1]) {
    for (let k = 0; k < points.labels.length; k++) {
      if (points.validation[k] !== held) continue;
      const color = CLASS_COLORS[points.labels[k]];
      ctx.beginPath();
      ctx.arc(sx(points.xy[2 * k]), sy(points.xy[2 * k + 1]), radius, 0, 2 * Math.PI);
      ctx.fillStyle = held ? "#ffffff" : color;
      ctx.fill();
      ctx.lineWidth = held ? 2 : 1;
      ctx.strokeStyle = held ? color : "#ffffff";
      ctx.stroke();
    }
  }
  pointLayers.set(points, { key, canvas });
  return canvas;
}

/**
 * Draws the model's output over the grid (orange where it says class 0, blue for class 1, white at the
 * boundary) and the points on top: filled for training, ringed for validation.
 *
 * @param canvas The canvas (its CSS size decides the drawing's).
 * @param grid The grid the outputs were computed on.
 * @param boundary The outputs, row by row from the bottom.
 * @param points The data, or `null` before it arrives.
 * @param signed `true` when outputs are scores around 0 (hinge loss) instead of probabilities.
 */
export function drawBoundary(
  canvas: HTMLCanvasElement,
  grid: Grid,
  boundary: Float32Array | null,
  points: Points | null,
  signed: boolean,
): void {
  const { width, height, ctx } = fit(canvas);
  ctx.clearRect(0, 0, width, height);
  const n = grid.n;
  if (boundary !== null && boundary.length === n * n) {
    let entry = scratch.get(n);
    if (entry === undefined) {
      const off = new OffscreenCanvas(n, n);
      entry = { canvas: off, image: new ImageData(n, n) };
      scratch.set(n, entry);
    }
    const pixels = entry.image.data;
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const v = boundary[j * n + i];
        const t = signed ? Math.tanh(v) : 2 * v - 1;
        const o = 4 * ((n - 1 - j) * n + i);
        if (Number.isFinite(t)) {
          const p = 4 * Math.round((Math.max(-1, Math.min(1, t)) + 1) / 2 * (LEVELS - 1));
          pixels[o] = PALETTE[p], pixels[o + 1] = PALETTE[p + 1], pixels[o + 2] = PALETTE[p + 2], pixels[o + 3] = 255;
        } else {
          pixels[o] = pixels[o + 1] = pixels[o + 2] = 200, pixels[o + 3] = 255;
        }
      }
    }
    entry.canvas.getContext("2d")!.putImageData(entry.image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(entry.canvas, 0, 0, width, height);
  } else {
    ctx.fillStyle = "#f4f4f4";
    ctx.fillRect(0, 0, width, height);
  }
  if (points !== null) {
    ctx.drawImage(pointLayer(points, grid, width, height, globalThis.devicePixelRatio || 1), 0, 0, width, height);
  }
}

/**
 * Draws each dense layer's weights as a matrix (a row per input, a column per unit, the biases in the
 * last row), blue for positive and orange for negative, on one scale for all layers so that small
 * layers look small.
 *
 * @param canvas The canvas; its height is set to fit.
 * @param layers The layers.
 * @returns The largest |weight|, for the caption.
 */
export function drawWeights(canvas: HTMLCanvasElement, layers: readonly LayerWeights[]): number {
  let scale = 0;
  for (const l of layers) for (const v of l.weight) scale = Math.max(scale, Math.abs(v));
  const gap = 18, labelH = 16;
  const rows = Math.max(1, ...layers.map((l) => l.shape[0] + 1));
  const columns = Math.max(1, layers.reduce((sum, l) => sum + l.shape[1], 0));
  // As tall as the largest matrix needs at up to 16 px a cell, within what the width allows.
  const width = canvas.clientWidth || canvas.width;
  const cell = Math.max(3, Math.min(16, (width - gap * Math.max(0, layers.length - 1)) / columns, 220 / rows));
  canvas.style.height = `${Math.ceil(labelH + rows * cell + 4)}px`;
  const { height, ctx } = fit(canvas);
  ctx.clearRect(0, 0, width, height);
  if (layers.length === 0) return scale;
  let x0 = 0;
  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "top";
  layers.forEach((l, li) => {
    const [inputs, units] = l.shape;
    ctx.fillStyle = "#555555";
    ctx.fillText(li === layers.length - 1 ? "output" : `layer ${li + 1}`, x0, 0);
    // A light grid behind the cells, so that zero weights (white) still show where they are.
    ctx.fillStyle = "#dde1e6";
    ctx.fillRect(x0 - 1, labelH - 1, units * cell + 1, inputs * cell + 1);
    ctx.fillRect(x0 - 1, labelH + inputs * cell + 2, units * cell + 1, cell + 1);
    for (let r = 0; r <= inputs; r++) {
      for (let c = 0; c < units; c++) {
        const v = r < inputs ? l.weight[r * units + c] : l.bias[c];
        const [red, green, blue] = diverging(scale > 0 ? v / scale : 0);
        ctx.fillStyle = `rgb(${red},${green},${blue})`;
        const y = labelH + r * cell + (r === inputs ? 3 : 0);
        ctx.fillRect(x0 + c * cell, y, cell - 1, cell - 1);
      }
    }
    x0 += units * cell + gap;
  });
  return scale;
}

/**
 * Puts one of gradflow's SVG charts into an element, renaming its `id`s so that several charts on a page
 * do not share a clip path, and letting it scale to the element's width.
 *
 * @param element Where it goes (its content is replaced).
 * @param svg The SVG document.
 * @param prefix A prefix unique on the page.
 */
export function showSvg(element: Element, svg: string, prefix: string): void {
  element.innerHTML = svg.replace(/^<\?xml[^>]*>\s*/, "")
    .replaceAll('id="gf-', `id="${prefix}-gf-`)
    .replaceAll("url(#gf-", `url(#${prefix}-gf-`);
  const root = element.querySelector("svg");
  if (root) {
    root.removeAttribute("width");
    root.removeAttribute("height");
    root.setAttribute("preserveAspectRatio", "xMidYMid meet");
  }
}
