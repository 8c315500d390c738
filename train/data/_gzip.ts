/**
 * Gzip detection and decompression through the web `DecompressionStream`.
 *
 * @module
 */

/**
 * Whether bytes start with the gzip magic number 1f 8b.
 *
 * @param bytes The file's bytes.
 * @returns `true` for gzip data.
 *
 * @example
 * ```ts
 * import { isGzip } from "./_gzip.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(isGzip(new Uint8Array([0x1f, 0x8b, 8])));
 * ```
 */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses gzip data; a corrupt or truncated stream is an error naming the source.
 *
 * @param bytes The compressed bytes.
 * @param source What the bytes are (a path), for the message.
 * @returns The decompressed bytes.
 * @throws {RangeError} When the stream is corrupt, truncated or followed by garbage.
 *
 * @example
 * ```ts
 * import { gunzip } from "./_gzip.ts";
 * import assert from "node:assert/strict";
 *
 * const packed = new Uint8Array(
 *   await new Response(new Blob([new Uint8Array([1, 2, 3])]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer(),
 * );
 * assert.deepEqual(await gunzip(packed, "test"), new Uint8Array([1, 2, 3]));
 * await assert.rejects(gunzip(packed.subarray(0, packed.length - 4), "test"), /corrupt or truncated/);
 * ```
 */
export async function gunzip(bytes: Uint8Array, source: string): Promise<Uint8Array> {
  try {
    const stream = new ReadableStream<BufferSource>({
      start(controller) {
        controller.enqueue(bytes as Uint8Array<ArrayBuffer>);
        controller.close();
      },
    }).pipeThrough(new DecompressionStream("gzip"));
    // The chunks go straight into one buffer of the size the gzip trailer gives (ISIZE, the length mod 2³²; at most
    // deflate's largest ratio, 1032:1), grown if it was wrong: no second copy of a large file.
    const trailer = bytes.length >= 18 ? new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4) : null;
    let out = new Uint8Array(Math.min(trailer?.getUint32(0, true) ?? 0, 1032 * bytes.length));
    let at = 0;
    const reader = stream.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      if (at + r.value.length > out.length) {
        const grown = new Uint8Array(Math.max(2 * out.length, at + r.value.length));
        grown.set(out.subarray(0, at));
        out = grown;
      }
      out.set(r.value, at);
      at += r.value.length;
    }
    return at === out.length ? out : out.slice(0, at);
  } catch (e) {
    throw new RangeError(
      `Cannot read ${source} as its gzip stream is corrupt or truncated (${bytes.length} compressed bytes): ${
        (e as Error).message
      }`,
    );
  }
}
