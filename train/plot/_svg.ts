/**
 * Private helpers shared by the SVG charts: escaping, number formatting,
 * colours, and a rough text-width estimate for layout.
 *
 * @module
 */

/** Escapes text for use in XML character data and attribute values. */
export function _escapeXml(text: string): string {
  // Characters XML 1.0 forbids (C0 controls except tab, newline, carriage return) are dropped.
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!,
  );
}

/** A coordinate with at most two decimals and no trailing zeros ("12.5", "3"). */
export function _px(value: number): string {
  const r = Math.round(value * 100) / 100;
  return Object.is(r, -0) ? "0" : String(r);
}

/**
 * Colours for series, Okabe and Ito's palette (distinguishable with the
 * common colour-vision deficiencies), darkened yellow for contrast on white.
 */
export const _PALETTE: readonly string[] = [
  "#0072B2",
  "#D55E00",
  "#009E73",
  "#CC79A7",
  "#E69F00",
  "#56B4E9",
  "#000000",
  "#B8A000",
];

/** Dash patterns used after the palette wraps, so series 9+ still differ. */
export const _DASHES: readonly string[] = ["", "6 3", "2 3", "8 3 2 3"];

/** The stroke colour and dash of series `i`. */
export function _seriesStyle(i: number): { color: string; dash: string } {
  return { color: _PALETTE[i % _PALETTE.length], dash: _DASHES[Math.floor(i / _PALETTE.length) % _DASHES.length] };
}

/** The approximate width in pixels of `text` in a sans-serif font of `fontSize` pixels. */
export function _textWidth(text: string, fontSize: number): number {
  return [...text].length * fontSize * 0.58;
}

/** The opening of an SVG document with a title for screen readers and file browsers. */
export function _svgOpen(width: number, height: number, title: string): string {
  const label = _escapeXml(title);
  return `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `role="img" aria-label="${label}" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif">\n` +
    `<title>${label}</title>\n<rect width="100%" height="100%" fill="#ffffff"/>\n`;
}

/** Checks a chart's width or height. */
export function _checkSize(owner: string, option: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw new RangeError(`Cannot draw ${owner} as ${option} must be a number ≥ ${min}: current value is ${value}`);
  }
  return value;
}

/** Checks an axis range given as `[lo, hi]`. */
export function _checkRange(owner: string, option: string, value: unknown): [number, number] | undefined {
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === "number" && Number.isFinite(v)) ||
    !(value[0] < value[1])
  ) {
    throw new RangeError(
      `Cannot draw ${owner} as ${option} must be [lo, hi] with finite lo < hi: current value is ${
        JSON.stringify(value)
      }`,
    );
  }
  return [value[0], value[1]];
}
