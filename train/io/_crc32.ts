/**
 * CRC-32 (the checksum of zip, gzip and PNG), to detect damaged checkpoint files.
 *
 * @module
 */

let table: Uint32Array | null = null;

/**
 * The CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) of some bytes.
 *
 * @param bytes The data.
 * @returns The checksum as an unsigned 32-bit integer.
 *
 * @example
 * ```ts
 * import { crc32 } from "./_crc32.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  if (table === null) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
