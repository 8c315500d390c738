/**
 * Metrics as JSON Lines.
 *
 * @module
 */

import type { Callback, TrainContext } from "../callback.ts";
import type { History } from "../history.ts";

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

function fromHistory(history: History, steps: boolean): string {
  let text = "", s = 0;
  for (const e of history.epochs) {
    while (steps && s < history.steps.length && history.steps[s].epoch <= e.epoch) {
      text += line("step", history.steps[s++]);
    }
    text += line("epoch", e);
  }
  return text;
}

/**
 * Writes metrics as JSON Lines, one object per line: each epoch's record as
 * `{"kind":"epoch","epoch":3,"step":120,"loss":0.31,…}` and, with `steps`, each
 * update's as `{"kind":"step",…}` before its epoch's line. Non-finite numbers
 * are written as the strings `"NaN"`, `"Infinity"`. The file is rewritten from
 * the run's history when training begins (so a resumed run's file matches its
 * checkpoint, without lines from epochs after it), then appended to once per
 * epoch, so a crash loses at most the current epoch. Needs `--allow-write`.
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
    await Deno.writeTextFile(path, text, { append: true });
  };
  return {
    async onTrainBegin(ctx: TrainContext) {
      await Deno.writeTextFile(path, fromHistory(ctx.history, steps));
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
