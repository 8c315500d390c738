/**
 * Crash-safe file writes: write a temporary file beside the target, flush it
 * to disk, rename it over the target, then flush the folder (what SQLite and
 * LevelDB do), so that the new content survives a crash of the process and,
 * as far as the file system keeps its promises about `fsync`, a power loss.
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
 * Flushes a folder's entries to disk (`fsync` on the folder), so that files
 * just created, renamed or removed in it stay so after a power loss: the
 * rename that `writeFileAtomic` makes is durable only once its folder is
 * flushed. Where a folder cannot be opened or flushed (Windows, some network
 * file systems) this does nothing: the rename is still atomic, and how soon it
 * reaches the disk is the system's choice. Needs `--allow-read` on the folder.
 *
 * @param dir The folder.
 * @returns Resolves once the folder is flushed (or cannot be).
 *
 * @example
 * ```ts
 * import { syncFolder } from "./atomic_write.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.txt`, "a");
 * await syncFolder(dir);
 * await syncFolder(`${dir}/missing`); // nothing to flush: resolves
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function syncFolder(dir: string): Promise<void> {
  let folder: Deno.FsFile;
  try {
    folder = await Deno.open(dir, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) throw e;
    return;
  }
  try {
    await folder.sync();
  } catch {
    // A file system that cannot flush a folder: the rename stays atomic, its durability is the system's.
  } finally {
    folder.close();
  }
}

/** The folder a path is in (`.` for a bare name). */
function folderOf(path: string): string {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return i === -1 ? "." : i === 0 ? path.slice(0, 1) : path.slice(0, i);
}

/**
 * Writes a file so that readers see either the old content or the new, never
 * a mix: the bytes go to `<path>.<pid>-<n>.tmp` in the same folder, are flushed
 * to disk, the temporary file is then renamed over `path` (a rename within
 * one file system is atomic on POSIX and Windows), and the folder is flushed
 * ({@linkcode syncFolder}) so that the rename is durable before this resolves.
 * When the write fails the temporary file is removed and `path` is untouched;
 * a crash can leave a stale `*.tmp` file behind, never a damaged `path`.
 * Needs `--allow-write` and `--allow-read` on the folder.
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
  await syncFolder(folderOf(path));
}

/**
 * Appends to a file and flushes it to disk before resolving (an append-only
 * log: a crash or a power loss may lose the line being written, never one
 * already appended). The metrics loggers append each epoch's records with it,
 * so that a checkpoint committed after them never gets ahead of its log.
 * Needs `--allow-write` on the file.
 *
 * @param path The file (created if missing).
 * @param text The text to append, as UTF-8.
 * @returns Resolves once the text is on disk.
 *
 * @example
 * ```ts
 * import { appendFileSynced } from "./atomic_write.ts";
 * import assert from "node:assert/strict";
 *
 * const path = `${await Deno.makeTempDir()}/log.txt`;
 * await appendFileSynced(path, "a\n");
 * await appendFileSynced(path, "b\n");
 * assert.equal(await Deno.readTextFile(path), "a\nb\n");
 * ```
 */
export async function appendFileSynced(path: string, text: string): Promise<void> {
  const file = await Deno.open(path, { append: true, create: true });
  try {
    await writeAll(file, new TextEncoder().encode(text));
    await file.sync();
  } finally {
    file.close();
  }
}
