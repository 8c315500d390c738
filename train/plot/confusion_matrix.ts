/**
 * A confusion matrix drawn two ways: a table for the terminal and an SVG
 * heatmap.
 *
 * @module
 */

import { _checkSize, _escapeXml, _px, _svgOpen, _textWidth } from "./_svg.ts";

/** Options of {@linkcode confusionHeatmap}. */
export interface ConfusionHeatmapOptions {
  /** The class names, in class order. @default {"0", "1", …} */
  labels?: readonly string[];
  /** The chart's title. @default {"Confusion matrix"} */
  title?: string;
  /** The size of one cell in pixels, at least 16. @default {48} */
  cellSize?: number;
}

function checkMatrix(owner: string, matrix: readonly (readonly number[])[]): number {
  const k = matrix.length;
  if (k === 0 || !matrix.every((row) => row.length === k && row.every((v) => Number.isFinite(v) && v >= 0))) {
    throw new RangeError(
      `Cannot draw ${owner} as the matrix must be square, of counts ≥ 0: current rows have lengths ${
        matrix.map((r) => r.length).join(", ") || "none"
      }`,
    );
  }
  return k;
}

function labelsOf(owner: string, k: number, labels: readonly string[] | undefined): string[] {
  const out = labels === undefined ? Array.from({ length: k }, (_, i) => String(i)) : [...labels];
  if (out.length !== k) {
    throw new RangeError(`Cannot draw ${owner} as labels must name the ${k} classes: current length is ${out.length}`);
  }
  return out;
}

/**
 * The confusion matrix as a table for the terminal: rows are true classes,
 * columns predicted ones, with each row's recall (the diagonal over the row)
 * at the end.
 *
 * @param matrix Counts, `matrix[t][p]`.
 * @param labels The class names. @default {"0", "1", …}
 * @returns The lines, without a final newline.
 * @throws {RangeError} When the matrix is not square counts, or the labels do not fit.
 *
 * @example
 * ```ts
 * import { confusionTable } from "./confusion_matrix.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   confusionTable([[5, 1], [2, 12]]),
 *   [
 *     "true \\ predicted  0   1  recall",
 *     "0                 5   1   83.3%",
 *     "1                 2  12   85.7%",
 *   ].join("\n"),
 * );
 * ```
 */
export function confusionTable(matrix: readonly (readonly number[])[], labels?: readonly string[]): string {
  const k = checkMatrix("a confusion table", matrix);
  const names = labelsOf("a confusion table", k, labels);
  const corner = "true \\ predicted";
  const first = Math.max(corner.length, ...names.map((n) => n.length));
  const widths = names.map((n, c) => Math.max(n.length, ...matrix.map((row) => String(row[c]).length)));
  const recall = (row: readonly number[], t: number) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? "–" : `${(100 * row[t] / total).toFixed(1)}%`;
  };
  const line = (head: string, cells: string[], last: string) =>
    [head.padEnd(first), ...cells.map((c, i) => c.padStart(widths[i])), last.padStart(6)].join("  ").trimEnd();
  return [
    line(corner, names, "recall"),
    ...matrix.map((row, t) => line(names[t], row.map(String), recall(row, t))),
  ].join("\n");
}

/**
 * The confusion matrix as an SVG heatmap: one cell per true (row) and
 * predicted (column) class, shaded by the share of its row (so classes of
 * different sizes compare), with the count written in each cell.
 *
 * @param matrix Counts, `matrix[t][p]`.
 * @param options `labels`, `title`, `cellSize`.
 * @returns The SVG document.
 * @throws {RangeError} When the matrix is not square counts, or an option is out of range.
 *
 * @example
 * ```ts
 * import { confusionHeatmap } from "./confusion_matrix.ts";
 * import assert from "node:assert/strict";
 *
 * const svg = confusionHeatmap([[5, 1], [2, 12]], { labels: ["cat", "dog"] });
 * assert.match(svg, /^<\?xml/);
 * assert.equal(svg.match(/<rect class="cell"/g)?.length, 4);
 * assert.match(svg, />12</);
 * ```
 */
export function confusionHeatmap(
  matrix: readonly (readonly number[])[],
  options: ConfusionHeatmapOptions = {},
): string {
  const owner = "a confusion heatmap";
  const k = checkMatrix(owner, matrix);
  const names = labelsOf(owner, k, options.labels);
  const cell = _checkSize(owner, "cellSize", options.cellSize, 48, 16);
  const title = options.title ?? "Confusion matrix";
  const font = 12;
  const labelWidth = Math.max(...names.map((n) => _textWidth(n, font))) + 12;
  const left = 28 + labelWidth, top = 56 + labelWidth;
  const width = Math.ceil(left + k * cell + 24), height = Math.ceil(top + k * cell + 24);
  const parts = [_svgOpen(width, height, title)];
  parts.push(
    `<text x="${_px(width / 2)}" y="22" text-anchor="middle" font-size="15" font-weight="600">${
      _escapeXml(title)
    }</text>`,
    `<text x="${_px(left + k * cell / 2)}" y="42" text-anchor="middle" font-size="${font}">predicted class</text>`,
    `<text transform="translate(14 ${
      _px(top + k * cell / 2)
    }) rotate(-90)" text-anchor="middle" font-size="${font}">true class</text>`,
  );
  matrix.forEach((row, t) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((count, p) => {
      const share = total === 0 ? 0 : count / total;
      // White to the palette's blue (#0072B2), by the share of the row.
      const mix = (to: number) => Math.round(255 + (to - 255) * share);
      const fill = `rgb(${mix(0x00)},${mix(0x72)},${mix(0xb2)})`;
      const x = left + p * cell, y = top + t * cell;
      parts.push(
        `<rect class="cell" x="${_px(x)}" y="${
          _px(y)
        }" width="${cell}" height="${cell}" fill="${fill}" stroke="#ffffff"><title>true ${
          _escapeXml(names[t])
        }, predicted ${_escapeXml(names[p])}: ${count}</title></rect>`,
        `<text x="${_px(x + cell / 2)}" y="${
          _px(y + cell / 2 + font / 3)
        }" text-anchor="middle" font-size="${font}" fill="${share > 0.5 ? "#ffffff" : "#222222"}">${count}</text>`,
      );
    });
  });
  names.forEach((name, i) => {
    const c = left + i * cell + cell / 2, r = top + i * cell + cell / 2;
    parts.push(
      `<text x="${_px(left - 6)}" y="${_px(r + font / 3)}" text-anchor="end" font-size="${font}">${
        _escapeXml(name)
      }</text>`,
      `<text transform="translate(${_px(c + font / 3)} ${_px(top - 6)}) rotate(-90)" font-size="${font}">${
        _escapeXml(name)
      }</text>`,
    );
  });
  parts.push("</svg>\n");
  return parts.join("\n");
}
