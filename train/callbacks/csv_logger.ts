/**
 * Metrics as CSV.
 *
 * @module
 */

import type { Callback, TrainContext } from "../callback.ts";
import { appendFileSynced, writeFileAtomic } from "../io/atomic_write.ts";

/** Options of {@linkcode csvLogger}. */
export interface CsvLoggerOptions {
  /** The file, e.g. `<run>/metrics.csv`. */
  path: string;
  /** Write one row per update instead of one per epoch. @default {false} */
  steps?: boolean;
}

/** The columns and rows of a file this logger wrote, or `null` when there is none. */
async function rowsOf(path: string): Promise<{ columns: string[]; rows: Record<string, number>[] } | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  // A last line without its newline was cut off by a crash: it is dropped.
  const [header, ...lines] = text.slice(0, text.lastIndexOf("\n") + 1).split("\n");
  if (!header) return null;
  const columns = header.split(",");
  const rows: Record<string, number>[] = [];
  for (const line of lines) {
    const cells = line.split(",");
    if (cells.length !== columns.length) continue; // A blank line, or a row cut off by a crash.
    const row: Record<string, number> = {};
    cells.forEach((cell, i) => {
      if (cell !== "") row[columns[i]] = Number(cell);
    });
    rows.push(row);
  }
  return { columns, rows };
}

/**
 * Writes metrics as CSV with a header row: one row per epoch (or, with
 * `steps`, per update), one column per key in order of first appearance,
 * empty cells where a record lacks a key, numbers in JavaScript's shortest
 * round-trip form. A new run starts the file afresh; a resumed run keeps its
 * rows up to the checkpoint's epoch (a checkpoint does not hold the history).
 * Rows are then appended (and flushed to disk) once per epoch, and the whole
 * file is rewritten (atomically) only when a new column appears. Needs `--allow-read` and `--allow-write`.
 *
 * @param options `path`, `steps`.
 * @returns The callback.
 *
 * @example
 * ```ts
 * import { csvLogger } from "./csv_logger.ts";
 * import { train } from "../train.ts";
 * import { xor } from "../data/xor.ts";
 * import assert from "node:assert/strict";
 *
 * const path = `${await Deno.makeTempDir()}/metrics.csv`;
 * await train({
 *   model: { name: "dense", units: 1 }, loss: "mse", optimizer: "sgd", data: xor(), epochs: 3, batching: "full",
 *   callbacks: [csvLogger({ path })],
 * });
 * const rows = (await Deno.readTextFile(path)).trim().split("\n");
 * assert.equal(rows.length, 4);
 * assert.match(rows[0], /^epoch,step,loss,/);
 * ```
 */
export function csvLogger(options: CsvLoggerOptions): Callback {
  if (typeof options?.path !== "string" || options.path === "") {
    throw new TypeError(`Cannot create the CSV logger as path must be a file path: current value is ${options?.path}`);
  }
  const { path } = options;
  const steps = options.steps ?? false;
  let columns: string[] = [];
  let rows: Record<string, number>[] = [];
  let pending: Record<string, number>[] = [];
  const row = (r: Record<string, number>) => columns.map((c) => (c in r ? String(r[c]) : "")).join(",") + "\n";
  const rewrite = async () => {
    await writeFileAtomic(path, columns.join(",") + "\n" + rows.map(row).join(""));
  };
  const add = (r: Record<string, number>): boolean => {
    rows.push(r);
    let grew = false;
    for (const key of Object.keys(r)) {
      if (!columns.includes(key)) {
        columns.push(key);
        grew = true;
      }
    }
    return grew;
  };
  const flush = async () => {
    if (pending.length === 0) return;
    let grew = false;
    const batch = pending;
    pending = [];
    for (const r of batch) grew = add(r) || grew;
    if (grew) await rewrite();
    else await appendFileSynced(path, batch.map(row).join(""));
  };
  return {
    async onTrainBegin(ctx: TrainContext) {
      columns = [];
      rows = [];
      if (ctx.startEpoch > 0) {
        const earlier = await rowsOf(path);
        if (earlier !== null) {
          columns = earlier.columns;
          for (const r of earlier.rows) if (r.epoch <= ctx.startEpoch) rows.push(r);
        }
      }
      await rewrite();
    },
    onStepEnd(record) {
      if (steps) pending.push(record);
    },
    async onEpochEnd(record) {
      if (!steps) pending.push(record);
      await flush();
    },
    onTrainEnd: flush,
    onTrainError: flush,
  };
}
