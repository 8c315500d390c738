/**
 * A progress display: a live bar on a terminal, plain lines otherwise.
 *
 * @module
 */

import type { Callback, TrainContext } from "../callback.ts";
import type { EpochRecord, StepRecord } from "../history.ts";
import { formatDuration, formatMetric, plainOutputWanted } from "./_format.ts";

/** Options of {@linkcode progressBar}. */
export interface ProgressBarOptions {
  /** Where the text goes. @default {standard output} */
  write?: (text: string) => void;
  /**
   * Redraw a live bar (carriage returns) during each epoch. @default {true when standard output is a
   * terminal and neither CI nor TERM=dumb is set}
   */
  live?: boolean;
  /** Print an epoch's summary line every this many epochs (the first and last always). @default {about 30 lines per run} */
  every?: number;
  /** The bar's width in characters. @default {24} */
  width?: number;
  /** The record keys shown, when present. @default {["loss", "accuracy", "valLoss", "valAccuracy"]} */
  keys?: readonly string[];
  /** The clock in milliseconds (tests pass a fake one). @default {performance.now} */
  now?: () => number;
}

function stdoutWriter(): (text: string) => void {
  const encoder = new TextEncoder();
  return (text) => {
    const bytes = encoder.encode(text);
    let done = 0;
    while (done < bytes.length) done += Deno.stdout.writeSync(bytes.subarray(done));
  };
}

/**
 * Shows training progress. On a terminal a live line is redrawn during each
 * epoch (at most every 100 ms):
 *
 *   epoch 12/50 [=========>          ] 18/40  loss 0.3120  2150 samples/s  ETA 0:42
 *
 * and each shown epoch ends with a summary line; when the output is not a
 * terminal, or `CI` is set, only the summary lines are printed:
 *
 *   epoch 12/50  loss 0.3120  accuracy 88.50%  valLoss 0.3301  2150 samples/s  ETA 0:42
 *
 * Throughput counts training samples per second of this process's run; the
 * ETA extrapolates the mean time per update over the updates left.
 *
 * @param options `write`, `live`, `every`, `width`, `keys`, `now`.
 * @returns The callback.
 *
 * @example Plain lines into a string
 * ```ts
 * import { progressBar } from "./progress_bar.ts";
 * import { train } from "../train.ts";
 * import { xor } from "../data/xor.ts";
 * import assert from "node:assert/strict";
 *
 * let text = "";
 * await train({
 *   model: { name: "dense", units: 1 }, loss: "mse", optimizer: "sgd", data: xor(), epochs: 2, batching: "full",
 *   callbacks: [progressBar({ write: (t) => (text += t), live: false })],
 * });
 * assert.match(text, /^epoch 1\/2  loss \S+/);
 * assert.match(text, /\nepoch 2\/2  loss /);
 * ```
 */
export function progressBar(options: ProgressBarOptions = {}): Callback {
  const write = options.write ?? stdoutWriter();
  const live = options.live ?? (!plainOutputWanted() && safeIsTerminal());
  const width = options.width ?? 24;
  const keys = options.keys ?? ["loss", "accuracy", "valLoss", "valAccuracy"];
  const now = options.now ?? (() => performance.now());
  let start = 0, stepsDone = 0, samplesDone = 0, lastDraw = -Infinity, every = 1, open = false;
  const rate = (ms: number) => (ms > 0 ? samplesDone / (ms / 1000) : 0);
  const eta = (ctx: TrainContext, ms: number) => {
    const left = (ctx.epochs - ctx.epoch) * ctx.stepsPerEpoch + (ctx.stepsPerEpoch - ctx.batch);
    return stepsDone > 0 ? (ms / stepsDone) * left / 1000 : NaN;
  };
  const clear = () => {
    if (open) write("\r\x1b[2K");
    open = false;
  };
  return {
    role: "progress",
    onTrainBegin(ctx) {
      start = now();
      const remaining = Math.max(1, ctx.epochs - ctx.startEpoch);
      every = options.every ?? Math.max(1, Math.ceil(remaining / 30));
      if (ctx.startEpoch > 0) write(`resuming at epoch ${ctx.startEpoch + 1}/${ctx.epochs} (step ${ctx.step})\n`);
    },
    onStepEnd(record: StepRecord, ctx) {
      stepsDone++;
      samplesDone += ctx.batchSamples;
      if (!live) return;
      const t = now();
      if (t - lastDraw < 100 && ctx.batch !== ctx.stepsPerEpoch) return;
      lastDraw = t;
      const done = Math.round((width * ctx.batch) / ctx.stepsPerEpoch);
      const bar = "=".repeat(Math.max(0, done - 1)) + (done > 0 ? (done === width ? "=" : ">") : "") +
        " ".repeat(width - done);
      const digits = String(ctx.stepsPerEpoch).length;
      write(
        `\r\x1b[2Kepoch ${ctx.epoch}/${ctx.epochs} [${bar}] ${
          String(ctx.batch).padStart(digits)
        }/${ctx.stepsPerEpoch}  loss ${formatMetric("loss", record.loss)}  ${
          Math.round(rate(t - start))
        } samples/s  ETA ${formatDuration(eta(ctx, t - start))}`,
      );
      open = true;
    },
    onEpochEnd(record: EpochRecord, ctx) {
      const first = ctx.epoch === ctx.startEpoch + 1, last = ctx.epoch === ctx.epochs;
      if (!(first || last || ctx.epoch % every === 0)) return;
      clear();
      const t = now();
      const parts = [`epoch ${ctx.epoch}/${ctx.epochs}`];
      for (const key of keys) {
        if (typeof record[key] === "number") parts.push(`${key} ${formatMetric(key, record[key])}`);
      }
      parts.push(`${Math.round(rate(t - start))} samples/s`);
      if (!last) parts.push(`ETA ${formatDuration(eta(ctx, t - start))}`);
      write(parts.join("  ") + "\n");
    },
    onTrainEnd(ctx) {
      clear();
      const seconds = (now() - start) / 1000;
      const stop = ctx.epoch < ctx.epochs ? ` (stopped early at epoch ${ctx.epoch})` : "";
      write(`trained ${ctx.epoch - ctx.startEpoch} epochs, ${stepsDone} steps in ${seconds.toFixed(1)} s${stop}\n`);
    },
    onTrainError() {
      if (open) write("\n");
      open = false;
    },
  };
}

function safeIsTerminal(): boolean {
  try {
    return Deno.stdout.isTerminal();
  } catch {
    return false;
  }
}
