/**
 * The IDX format of MNIST and Fashion-MNIST.
 *
 * @module
 */

import { gunzipChunks, isGzip, MAX_DEFLATE_RATIO } from "./_gzip.ts";

/** The element arrays an IDX file can hold, by its type code. */
export type IdxValues = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX file. */
export interface IdxArray {
  /** The dimensions from the header (60000, 28, 28 for MNIST training images). */
  shape: number[];
  /** The elements in row-major order, in the file's element type. */
  values: IdxValues;
}

const TYPES: Record<number, { name: string; bytes: number; make: (n: number) => IdxValues }> = {
  0x08: { name: "unsigned byte", bytes: 1, make: (n) => new Uint8Array(n) },
  0x09: { name: "signed byte", bytes: 1, make: (n) => new Int8Array(n) },
  0x0b: { name: "short", bytes: 2, make: (n) => new Int16Array(n) },
  0x0c: { name: "int", bytes: 4, make: (n) => new Int32Array(n) },
  0x0d: { name: "float", bytes: 4, make: (n) => new Float32Array(n) },
  0x0e: { name: "double", bytes: 8, make: (n) => new Float64Array(n) },
};

/**
 * Decodes an IDX file (LeCun's format for MNIST): two zero bytes, a type code,
 * the number of dimensions, each dimension as a big-endian 32-bit integer,
 * then the elements, big-endian. Every length is checked before reading: a
 * truncated file or trailing bytes are errors that give the byte offsets, never
 * a silently shorter array.
 *
 * @param bytes The file's (decompressed) bytes.
 * @param source What the bytes are (a path), for messages. @default {"the IDX data"}
 * @returns `{ shape, values }`.
 * @throws {RangeError} When the header is malformed or the length does not match it (naming offsets).
 *
 * @example Two 2-pixel images
 * ```ts
 * import { parseIdx } from "./idx.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = new Uint8Array([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 2, 10, 20, 30, 40]);
 * const { shape, values } = parseIdx(bytes);
 * assert.deepEqual(shape, [2, 2]);
 * assert.deepEqual([...values], [10, 20, 30, 40]);
 * assert.throws(() => parseIdx(bytes.subarray(0, 15)), /truncated.*offset 16.*15 bytes/);
 * ```
 */
export function parseIdx(bytes: Uint8Array, source = "the IDX data"): IdxArray {
  const fail = (why: string) => new RangeError(`Cannot read ${source} as an IDX file as ${why}`);
  const header = idxHeader(bytes, fail);
  checkLength(header, bytes.length, fail);
  const { type, headerEnd, end, count, shape } = header;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = type.make(count);
  if (type.bytes === 1) {
    values.set(bytes.subarray(headerEnd, end) as unknown as ArrayLike<number>);
  } else {
    for (let i = 0, o = headerEnd; i < count; i++, o += type.bytes) {
      values[i] = type.bytes === 2
        ? view.getInt16(o, false)
        : bytes[2] === 0x0c
        ? view.getInt32(o, false)
        : type.bytes === 4
        ? view.getFloat32(o, false)
        : view.getFloat64(o, false);
    }
  }
  return { shape, values };
}

/** What an IDX header says: the element type, the shape, and where the header and the data end. */
interface IdxHeader {
  type: (typeof TYPES)[number];
  shape: number[];
  count: number;
  headerEnd: number;
  end: number;
}

/** Reads the header at the start of `bytes` (which may hold more), or throws naming what is wrong. */
function idxHeader(bytes: Uint8Array, fail: (why: string) => RangeError): IdxHeader {
  if (bytes.length < 4) {
    throw fail(`it is truncated: the 4-byte header should end at offset 4 but the data has ${bytes.length} bytes`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw fail(
      `its magic number must start with two zero bytes: bytes at offset 0 are 0x${hex(bytes[0])} 0x${hex(bytes[1])}`,
    );
  }
  const type = TYPES[bytes[2]];
  if (!type) {
    throw fail(
      `the type code at offset 2 must be one of 0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e: current value is 0x${
        hex(bytes[2])
      }`,
    );
  }
  const rank = bytes[3];
  if (rank === 0) throw fail("the number of dimensions at offset 3 must be at least 1: current value is 0");
  const headerEnd = 4 + 4 * rank;
  if (bytes.length < headerEnd) {
    throw fail(
      `it is truncated: the header of ${rank} dimensions should end at offset ${headerEnd} but the data has ${bytes.length} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    shape.push(d);
    count *= d;
  }
  return { type, shape, count, headerEnd, end: headerEnd + count * type.bytes };
}

/** Checks that data of `length` bytes is exactly as long as the header declares. */
function checkLength(header: IdxHeader, length: number, fail: (why: string) => RangeError): void {
  const { count, type, shape, end } = header;
  if (length < end) {
    throw fail(
      `it is truncated: ${count} elements of type ${type.name} ([${shape}]) should end at offset ${end} but the data has ${length} bytes (${
        end - length
      } missing)`,
    );
  }
  if (length > end) {
    throw fail(
      `it has ${
        length - end
      } unexpected bytes after the data, which ends at offset ${end} ([${shape}] of type ${type.name})`,
    );
  }
}

/**
 * Reads an IDX file from disk, plain or gzip-compressed (detected from its first bytes).
 * The header is read first: a plain file must be as long as it declares before
 * the rest is read, and a gzip file is inflated as a stream into a buffer of
 * the declared size, refused as soon as it holds more (a decompression bomb)
 * or when the header declares more than the compressed size can hold; so a
 * hostile file never takes more memory than an honest one of that header.
 * Needs `--allow-read` for the path.
 *
 * @param path The file path.
 * @returns `{ shape, values }`.
 * @throws {Deno.errors.NotFound} When the file does not exist.
 * @throws {RangeError} When the file (or its gzip stream) is corrupt, truncated, or longer than its header declares.
 *
 * @example
 * ```ts
 * import { readIdx } from "./idx.ts";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile();
 * await Deno.writeFile(path, new Uint8Array([0, 0, 0x08, 1, 0, 0, 0, 3, 7, 8, 9]));
 * assert.deepEqual([...(await readIdx(path)).values], [7, 8, 9]);
 * await Deno.remove(path);
 * ```
 */
export async function readIdx(path: string): Promise<IdxArray> {
  const fail = (why: string) => new RangeError(`Cannot read ${path} as an IDX file as ${why}`);
  const file = await Deno.open(path);
  let bytes: Uint8Array;
  try {
    const size = (await file.stat()).size;
    // The header first (at most 4 + 4·255 bytes): a plain file must be as long as it declares, before it is read.
    const head = await readPrefix(file, Math.min(size, 4 + 4 * 255));
    if (isGzip(head)) {
      bytes = new Uint8Array(size);
      bytes.set(head);
      await readInto(file, bytes.subarray(head.length));
      return parseIdx(await inflateIdx(bytes, path, fail), path);
    }
    checkLength(idxHeader(head, fail), size, fail);
    bytes = new Uint8Array(size);
    bytes.set(head);
    await readInto(file, bytes.subarray(head.length));
  } finally {
    file.close();
  }
  return parseIdx(bytes, path);
}

/**
 * Inflates a gzip IDX file into a buffer of exactly the size its header declares, refusing as soon as the
 * stream holds more (a decompression bomb) and before inflating anything when the header declares more
 * than deflate can hold in this many compressed bytes: memory stays that of the honest file.
 */
async function inflateIdx(packed: Uint8Array, path: string, fail: (why: string) => RangeError): Promise<Uint8Array> {
  let head = new Uint8Array(0), out: Uint8Array | null = null, filled = 0;
  for await (const chunk of gunzipChunks(packed, path)) {
    if (out === null) {
      const joined = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      head = joined;
      if (head.length < 4 || head.length < 4 + 4 * head[3]) continue;
      const h = idxHeader(head, fail);
      const most = packed.length * MAX_DEFLATE_RATIO;
      if (h.end > most) {
        throw fail(
          `its header declares ${h.end} bytes ([${h.shape}] of type ${h.type.name}), more than the ${most} bytes a gzip stream of ${packed.length} bytes can hold`,
        );
      }
      out = new Uint8Array(h.end);
      if (head.length > h.end) throw tooLong(h, fail);
      out.set(head);
      filled = head.length;
      continue;
    }
    if (filled + chunk.length > out.length) throw tooLong(idxHeader(out, fail), fail);
    out.set(chunk, filled);
    filled += chunk.length;
  }
  return out === null ? head : out.subarray(0, filled);
}

function tooLong(h: IdxHeader, fail: (why: string) => RangeError): RangeError {
  return fail(
    `its gzip stream holds more than the ${h.end} bytes its header declares ([${h.shape}] of type ${h.type.name})`,
  );
}

/** Reads up to `n` bytes from the start of a file. */
async function readPrefix(file: Deno.FsFile, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  const got = await readInto(file, out);
  return out.subarray(0, got);
}

/** Fills `out` from the file (fewer bytes at its end); returns the number read. */
async function readInto(file: Deno.FsFile, out: Uint8Array): Promise<number> {
  let got = 0;
  while (got < out.length) {
    const n = await file.read(out.subarray(got));
    if (n === null) break;
    got += n;
  }
  return got;
}

function hex(b: number): string {
  return b.toString(16).padStart(2, "0");
}
