/**
 * The safetensors format (Hugging Face), so PyTorch, JAX and others can read
 * gradflow weights: an 8-byte little-endian header length N, N bytes of JSON
 * header, then the raw little-endian tensor data.
 *
 * @module
 */

import { Tensor } from "../../core/tensor.ts";
import { writeFileAtomic, type WriteFileAtomicOptions } from "./atomic_write.ts";

/** The contents of a safetensors file. */
export interface Safetensors {
  /** The tensors, by name, in the order of their data in the file. */
  tensors: Map<string, Tensor>;
  /** The free-form `__metadata__` string map (empty when absent). */
  metadata: Record<string, string>;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const DTYPES = { F32: 4, F64: 8 } as const;

/**
 * Encodes tensors as a safetensors file. The header lists each tensor's
 * `dtype` (`F32` or `F64`), `shape` and `data_offsets` (`[begin, end)` in the
 * data section); it is padded with spaces to a multiple of 8 bytes, and the
 * tensors are laid out largest element first, then by name, as the reference
 * writer does, so every tensor's data is aligned to its element size.
 *
 * @param tensors `[name, tensor]` pairs (e.g. `flattenTree(params)`) or a record.
 * @param metadata Strings to store under `__metadata__`.
 * @returns The file's bytes.
 * @throws {TypeError} When a name is empty, repeated or `__metadata__`, or a metadata value is not a string.
 *
 * @example
 * ```ts
 * import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeSafetensors([["0.weight", tensor([[1, 2], [3, 4]], undefined, "float32")]], { format: "pt" });
 * const back = decodeSafetensors(bytes);
 * assert.deepEqual(back.tensors.get("0.weight")!.toArray(), [[1, 2], [3, 4]]);
 * assert.equal(back.tensors.get("0.weight")!.dtype, "float32");
 * assert.deepEqual(back.metadata, { format: "pt" });
 * ```
 */
export function encodeSafetensors(
  tensors: Iterable<readonly [string, Tensor]> | Record<string, Tensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const entries: [string, Tensor][] = Symbol.iterator in tensors
    ? [...(tensors as Iterable<readonly [string, Tensor]>)].map(([n, t]) => [n, t])
    : Object.entries(tensors as Record<string, Tensor>);
  const seen = new Set<string>();
  for (const [name, t] of entries) {
    if (typeof name !== "string" || name === "" || name === "__metadata__" || seen.has(name)) {
      throw new TypeError(
        `Cannot encode safetensors as every tensor needs a unique, non-empty name other than __metadata__: current name is ${
          JSON.stringify(name)
        }`,
      );
    }
    if (!(t instanceof Tensor)) {
      throw new TypeError(`Cannot encode safetensors as "${name}" must be a Tensor: current value is ${typeof t}`);
    }
    seen.add(name);
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== "string") {
      throw new TypeError(
        `Cannot encode safetensors as metadata values must be strings: "${key}" is ${typeof value}`,
      );
    }
  }
  const order = [...entries].sort((a, b) =>
    b[1].data.BYTES_PER_ELEMENT - a[1].data.BYTES_PER_ELEMENT || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
  );
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of order) {
    const size = t.data.byteLength;
    header[name] = {
      dtype: t.dtype === "float32" ? "F32" : "F64",
      shape: [...t.shape],
      data_offsets: [offset, offset + size],
    };
    offset += size;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, t] of order) {
    if (LITTLE_ENDIAN) out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    else {
      for (let i = 0; i < t.size; i++) {
        if (t.dtype === "float32") view.setFloat32(at + 4 * i, t.data[i], true);
        else view.setFloat64(at + 8 * i, t.data[i], true);
      }
    }
    at += t.data.byteLength;
  }
  return out;
}

/**
 * Decodes a safetensors file, checking everything before reading a byte of
 * data: the header length against the file size, the JSON, each entry's
 * dtype, shape and offsets, and that the tensors tile the data section exactly
 * (no gaps, overlaps or trailing bytes). A truncated or damaged file is an
 * error that names the tensor and the byte offsets, never a partial result.
 * Only `F32` and `F64` tensors are read; others are named in the error.
 *
 * @param bytes The file's bytes.
 * @param source What the bytes are (a path), for messages. @default {"the given bytes"}
 * @returns `{ tensors, metadata }`.
 * @throws {RangeError} When the file is malformed, truncated or uses another dtype.
 *
 * @example A truncated file is an error with offsets
 * ```ts
 * import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const bytes = encodeSafetensors({ w: tensor([1, 2, 3]) });
 * assert.throws(() => decodeSafetensors(bytes.subarray(0, bytes.length - 1)), /truncated/);
 * ```
 */
export function decodeSafetensors(bytes: Uint8Array, source = "the given bytes"): Safetensors {
  const fail = (why: string): never => {
    throw new RangeError(`Cannot read safetensors from ${source} as ${why}`);
  };
  if (bytes.length < 8) {
    fail(`it is truncated: the 8-byte header length is missing (the data has ${bytes.length} bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (8 + n > bytes.length) {
    fail(
      `it is truncated: the header length at offset 0 says the header ends at offset ${
        8 + n
      } but the data has ${bytes.length} bytes`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`the header (offsets 8 to ${8 + n}) is not valid JSON: ${(e as Error).message}`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    fail("the header must be a JSON object");
  }
  const start = 8 + n, dataLength = bytes.length - start;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: "F32" | "F64"; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        fail("__metadata__ must be an object of strings");
      }
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`__metadata__ values must be strings: "${k}" is ${typeof v}`);
        metadata[k] = v as string;
      }
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (e === null || typeof e !== "object") fail(`the entry of tensor "${name}" must be an object`);
    const dtype = e!.dtype;
    if (dtype !== "F32" && dtype !== "F64") {
      fail(
        `tensor "${name}" has dtype ${
          JSON.stringify(dtype)
        }: gradflow reads F32 and F64 only (convert it, e.g. with tensor.float())`,
      );
    }
    const shape = e!.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(`tensor "${name}" must have a shape of non-negative integers: current value is ${JSON.stringify(shape)}`);
    }
    const offsets = e!.data_offsets;
    if (
      !Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) ||
      offsets[0] > offsets[1]
    ) {
      fail(
        `tensor "${name}" must have data_offsets [begin, end] with begin ≤ end: current value is ${
          JSON.stringify(offsets)
        }`,
      );
    }
    const [begin, end] = offsets as number[];
    const count = (shape as number[]).reduce((p, d) => p * d, 1);
    const size = DTYPES[dtype as "F32" | "F64"];
    if (end - begin !== count * size) {
      fail(
        `tensor "${name}" of dtype ${dtype} and shape [${shape}] needs ${
          count * size
        } bytes but its data_offsets [${begin}, ${end}] span ${end - begin}`,
      );
    }
    if (end > dataLength) {
      fail(
        `it is truncated: tensor "${name}" ends at byte ${
          start + end
        } of the file but the file has ${bytes.length} bytes`,
      );
    }
    entries.push({ name, dtype: dtype as "F32" | "F64", shape: shape as number[], begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of entries) {
    if (e.begin !== covered) {
      fail(
        e.begin > covered
          ? `its data has a gap: no tensor covers bytes ${start + covered} to ${start + e.begin} of the file`
          : `tensor "${e.name}" overlaps the previous tensor at byte ${start + e.begin} of the file`,
      );
    }
    covered = e.end;
  }
  if (covered !== dataLength) {
    fail(
      `it has ${dataLength - covered} unexpected bytes after the last tensor, which ends at byte ${start + covered}`,
    );
  }
  const tensors = new Map<string, Tensor>();
  for (const e of entries) {
    const size = DTYPES[e.dtype];
    const count = (e.end - e.begin) / size;
    const at = start + e.begin;
    let data: Float32Array | Float64Array;
    if (LITTLE_ENDIAN) {
      const copy = bytes.slice(at, start + e.end);
      data = e.dtype === "F32" ? new Float32Array(copy.buffer) : new Float64Array(copy.buffer);
    } else {
      data = e.dtype === "F32" ? new Float32Array(count) : new Float64Array(count);
      for (let i = 0; i < count; i++) {
        data[i] = e.dtype === "F32" ? view.getFloat32(at + 4 * i, true) : view.getFloat64(at + 8 * i, true);
      }
    }
    tensors.set(e.name, new Tensor(data, e.shape));
  }
  return { tensors, metadata };
}

/**
 * Writes tensors to a safetensors file, crash-safely (temporary file, then
 * rename; see {@linkcode writeFileAtomic}). Needs `--allow-write`.
 *
 * @param path The file path (conventionally `*.safetensors`).
 * @param tensors `[name, tensor]` pairs or a record.
 * @param metadata Strings to store under `__metadata__`.
 * @param options Passed to {@linkcode writeFileAtomic}.
 * @returns Resolves once the file is in place.
 *
 * @example
 * ```ts
 * import { readSafetensors, writeSafetensors } from "./safetensors.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const path = `${await Deno.makeTempDir()}/w.safetensors`;
 * await writeSafetensors(path, { bias: tensor([0.5]) });
 * assert.deepEqual((await readSafetensors(path)).tensors.get("bias")!.toArray(), [0.5]);
 * ```
 */
export async function writeSafetensors(
  path: string,
  tensors: Iterable<readonly [string, Tensor]> | Record<string, Tensor>,
  metadata: Record<string, string> = {},
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata), options);
}

/**
 * Reads a safetensors file (see {@linkcode decodeSafetensors}). Needs `--allow-read`.
 *
 * @param path The file path.
 * @returns `{ tensors, metadata }`.
 * @throws {RangeError} When the file is malformed or truncated (naming the path).
 *
 * @example
 * ```ts
 * import { readSafetensors, writeSafetensors } from "./safetensors.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const path = `${await Deno.makeTempDir()}/w.safetensors`;
 * await writeSafetensors(path, [["w", tensor([1, 2])]], { note: "hi" });
 * assert.equal((await readSafetensors(path)).metadata.note, "hi");
 * ```
 */
export async function readSafetensors(path: string): Promise<Safetensors> {
  return decodeSafetensors(await Deno.readFile(path), path);
}
