/**
 * Small IDX files for tests (never the real datasets).
 *
 * @module
 */

/**
 * Encodes unsigned bytes as an IDX file.
 *
 * @param shape The dimensions.
 * @param values The elements (0…255), row-major.
 * @returns The file's bytes.
 *
 * @example
 * ```ts
 * import { idxBytes } from "./_idx_fixture.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...idxBytes([2], [7, 9])], [0, 0, 8, 1, 0, 0, 0, 2, 7, 9]);
 * ```
 */
export function idxBytes(shape: number[], values: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + values.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(values, 4 + 4 * shape.length);
  return out;
}

/**
 * Gzip-compresses bytes.
 *
 * @param bytes The data.
 * @returns The gzip stream.
 *
 * @example
 * ```ts
 * import { gzipBytes } from "./_idx_fixture.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal((await gzipBytes(new Uint8Array([1])))[0], 0x1f);
 * ```
 */
export async function gzipBytes(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
