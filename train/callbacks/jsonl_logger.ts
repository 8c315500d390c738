/**
 * Metrics as JSON Lines.
 *
 * @module
 */

import type { Callback, TrainContext } from "../callback.ts";
import { appendFileSynced, writeFileAtomic } from "../io/atomic_write.ts";

/** Options of {@linkcode jsonlLogger}. */
export interface JsonlLoggerOptions {
  /** The file, conventionally `<run>/metrics.jsonl` (what `plotRun` reads). */
  path: string;
  /** Also write one line per update. @default {false} */
  steps?: boolean;
}

function line(kind: "epoch" | "step", record: Record<string, number>): string {
  return JSON.stringify(
    { kind, ...record },
    (_key, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v),
  ) +
    "\n";
}

/** The lines of an existing log that belong to epochs up to `epoch` (what a resumed run keeps), verbatim. */
async function linesUpTo(path: string, epoch: number): Promise<string> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "";
    throw e;
  }
  let kept = "";
  for (const l of text.split("\n")) {
    let record: { epoch?: unknown } | null = null;
    try {
      record = JSON.parse(l);
    } catch {
      continue; // A blank line, or a line cut off by a crash.
    }
    if (typeof record?.epoch === "number" && record.epoch <= epoch) kept += l + "\n";
  }
  return kept;
}

/**
 * Writes metrics as JSON Lines, one object per line: each epoch's record as
 * `{"kind":"epoch","epoch":3,"step":120,"loss":0.31,…}` and, with `steps`, each
 * update's as `{"kind":"step",…}` before its epoch's line. Non-finite numbers
 * are written as the strings `"NaN"`, `"Infinity"`. The file is the run's
 * history: a new run starts it afresh; a resumed run keeps its lines up to the
 * checkpoint's epoch (and drops later ones, which it trains again), since a
 * checkpoint does not hold the history. It is then appended to, and flushed to
 * disk, once per epoch, so a crash or a power loss loses at most the current
 * epoch (list it before `checkpoints`, so that the log is never behind the
 * checkpoint). Needs `--allow-read` and `--allow-write`.
 *
 * @param options `path`, `steps`.
 * @returns The callback.
 *
 * @example
 * ```ts
 * import { jsonlLogger } from "./jsonl_logger.ts";
 * import { train } from "../train.ts";
 * import { xor } from "../data/xor.ts";
 * import assert from "node:assert/strict";
 *
 * const path = `${await Deno.makeTempDir()}/metrics.jsonl`;
 * await train({
 *   model: { name: "dense", units: 1 }, loss: "mse", optimizer: "sgd", data: xor(), epochs: 2, batching: "full",
 *   callbacks: [jsonlLogger({ path })],
 * });
 * const lines = (await Deno.readTextFile(path)).trim().split("\n").map((l) => JSON.parse(l));
 * assert.deepEqual(lines.map((l) => [l.kind, l.epoch]), [["epoch", 1], ["epoch", 2]]);
 * ```
 */
export function jsonlLogger(options: JsonlLoggerOptions): Callback {
  if (typeof options?.path !== "string" || options.path === "") {
    throw new TypeError(
      `Cannot create the JSONL logger as path must be a file path: current value is ${options?.path}`,
    );
  }
  const { path } = options;
  const steps = options.steps ?? false;
  let pending = "";
  const flush = async () => {
    if (pending === "") return;
    const text = pending;
    pending = "";
    await appendFileSynced(path, text);
  };
  return {
    async onTrainBegin(ctx: TrainContext) {
      await writeFileAtomic(path, ctx.startEpoch > 0 ? await linesUpTo(path, ctx.startEpoch) : "");
    },
    onStepEnd(record) {
      if (steps) pending += line("step", record);
    },
    async onEpochEnd(record) {
      pending += line("epoch", record);
      await flush();
    },
    onTrainEnd: flush,
    onTrainError: flush,
  };
}
