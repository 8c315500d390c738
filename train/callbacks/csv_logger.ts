/**
 * Metrics as CSV.
 *
 * @module
 */

import type { Callback, TrainContext } from "../callback.ts";
import { writeFileAtomic } from "../io/atomic_write.ts";

/** Options of {@linkcode csvLogger}. */
export interface CsvLoggerOptions {
  /** The file, e.g. `<run>/metrics.csv`. */
  path: string;
  /** Write one row per update instead of one per epoch. @default {false} */
  steps?: boolean;
}

/**
 * Writes metrics as CSV with a header row: one row per epoch (or, with
 * `steps`, per update), one column per key in order of first appearance,
 * empty cells where a record lacks a key, numbers in JavaScript's shortest
 * round-trip form. The file is rewritten from the run's history when training
 * begins; rows are then appended, and the whole file is rewritten (atomically)
 * only when a new column appears. Needs `--allow-write`.
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
    else await Deno.writeTextFile(path, batch.map(row).join(""), { append: true });
  };
  return {
    async onTrainBegin(ctx: TrainContext) {
      columns = [];
      rows = [];
      for (const r of steps ? ctx.history.steps : ctx.history.epochs) add(r);
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
