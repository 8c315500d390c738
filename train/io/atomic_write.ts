/**
 * Crash-safe file writes: write a temporary file beside the target, flush it
 * to disk, then rename it over the target.
 *
 * @module
 */

/** Options of {@linkcode writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /**
   * Writes the bytes into the open temporary file. The default writes them all
   * and flushes them to disk; tests pass one that fails halfway to simulate a crash.
   */
  write?: (file: Deno.FsFile, data: Uint8Array) => Promise<void>;
}

let counter = 0;

async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.length) offset += await file.write(data.subarray(offset));
}

/**
 * Writes a file so that readers see either the old content or the new, never
 * a mix: the bytes go to `<path>.<pid>-<n>.tmp` in the same folder, are flushed
 * to disk, and the temporary file is then renamed over `path` (a rename within
 * one file system is atomic on POSIX and Windows). When the write fails the
 * temporary file is removed and `path` is untouched; a crash can leave a
 * stale `*.tmp` file behind, never a damaged `path`.
 * Needs `--allow-write` (and `--allow-read` for the flush) on the folder.
 *
 * @param path The target file.
 * @param data The bytes, or a string written as UTF-8.
 * @param options `write`.
 * @returns Resolves once the new content is in place.
 * @throws Whatever the write or the rename throws, after cleaning up.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./atomic_write.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/a.json`, '{"v":1}');
 * await assert.rejects(
 *   writeFileAtomic(`${dir}/a.json`, '{"v":2}', {
 *     write: async (file, data) => {
 *       await file.write(data.subarray(0, 3));
 *       throw new Error("disk full");
 *     },
 *   }),
 *   /disk full/,
 * );
 * assert.equal(await Deno.readTextFile(`${dir}/a.json`), '{"v":1}');
 * assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a.json"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const tmp = `${path}.${Deno.pid}-${counter++}.tmp`;
  const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
  try {
    try {
      if (options.write) await options.write(file, bytes);
      else {
        await writeAll(file, bytes);
        await file.sync();
      }
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
