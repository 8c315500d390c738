/**
 * Writing chart files so that a reader never sees half a file.
 *
 * @module
 */

import { writeFileAtomic } from "../io/atomic_write.ts";

/**
 * Writes an SVG document atomically (through `writeFileAtomic`): to a
 * temporary file in the same directory, flushed, then renamed over `path`.
 * A crash mid-write leaves the previous chart intact (and possibly a stray
 * `*.tmp` file), never a truncated one. The directory must exist.
 *
 * Needs `--allow-write` (and `--allow-read` for the flush) on the directory.
 *
 * @param path Where the chart goes, e.g. `runs/spirals/loss.svg`.
 * @param svg The document, as returned by `lineChart` or `contourPlot`.
 * @returns A promise that resolves once the file is in place.
 * @throws {TypeError} When an argument is not a string.
 * @throws {Deno.errors.NotFound | Deno.errors.PermissionDenied} From the file system.
 *
 * @example
 * ```ts
 * import { writeSvg } from "./write_svg.ts";
 * import { lineChart } from "./line_chart.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await writeSvg(`${dir}/loss.svg`, lineChart([{ name: "loss", y: [1, 0.5, 0.25] }]));
 * assert.ok((await Deno.readTextFile(`${dir}/loss.svg`)).includes("<svg"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeSvg(path: string, svg: string): Promise<void> {
  if (typeof path !== "string" || path === "") {
    throw new TypeError(`Cannot write the chart as path must be a non-empty string: current value is ${path}`);
  }
  if (typeof svg !== "string") {
    throw new TypeError(`Cannot write the chart to ${path} as svg must be a string: current value is ${typeof svg}`);
  }
  await writeFileAtomic(path, svg);
}
