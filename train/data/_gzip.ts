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
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new RangeError(
      `Cannot read ${source} as its gzip stream is corrupt or truncated (${bytes.length} compressed bytes): ${
        (e as Error).message
      }`,
    );
  }
}

/** The most deflate can inflate one byte to (RFC 1951: a 258-byte match costs at least 2 bits): 1032. */
export const MAX_DEFLATE_RATIO = 1032;

/**
 * Decompresses gzip data as a stream, in chunks: the input is fed 1 KiB at a
 * time, so no chunk is larger than about 1 MiB (deflate inflates at most 1032:1) however much the data inflates,
 * and a consumer that stops early (a decompression bomb refused after its
 * first bytes) stops the decompression there.
 *
 * @param bytes The compressed bytes.
 * @param source What the bytes are (a path), for the message.
 * @returns The decompressed chunks, in order.
 * @throws {RangeError} When the stream is corrupt, truncated or followed by garbage.
 *
 * @example
 * ```ts
 * import { gunzipChunks } from "./_gzip.ts";
 * import assert from "node:assert/strict";
 *
 * const packed = new Uint8Array(
 *   await new Response(new Blob([new Uint8Array(100_000)]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer(),
 * );
 * let total = 0;
 * for await (const chunk of gunzipChunks(packed, "zeros")) total += chunk.length;
 * assert.equal(total, 100_000);
 * ```
 */
export async function* gunzipChunks(bytes: Uint8Array, source: string): AsyncGenerator<Uint8Array> {
  const SLICE = 1 << 10;
  let offset = 0;
  const input = new ReadableStream<Uint8Array<ArrayBuffer>>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + SLICE) as Uint8Array<ArrayBuffer>);
      offset += SLICE;
    },
  }, { highWaterMark: 0 });
  const reader = input.pipeThrough(new DecompressionStream("gzip")).getReader();
  try {
    while (true) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (e) {
        throw new RangeError(
          `Cannot read ${source} as its gzip stream is corrupt or truncated (${bytes.length} compressed bytes): ${
            (e as Error).message
          }`,
        );
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
