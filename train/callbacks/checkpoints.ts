/**
 * Periodic checkpoints during training.
 *
 * @module
 */

import type { Callback, TrainContext } from "../callback.ts";
import { saveCheckpoint, type SaveCheckpointOptions } from "../checkpoint.ts";

/** Options of {@linkcode checkpoints}. */
export interface CheckpointsOptions {
  /** The checkpoint folder; `train({ resume: dir })` continues from it. */
  dir: string;
  /** Save every this many epochs (and always after the last one). @default {1} */
  every?: number;
  /** Passed to `saveCheckpoint` (fault injection in tests). */
  write?: SaveCheckpointOptions["write"];
}

/**
 * Saves a checkpoint (weights in safetensors, optimizer state, RNG states;
 * see `saveCheckpoint`) at the end of every `every`-th epoch and of
 * the last one, including when early stopping or a callback ends the run.
 * Each save replaces the previous one crash-safely. Needs `--allow-read` and
 * `--allow-write` on the folder.
 *
 * @param options `dir`, `every`.
 * @returns The callback.
 *
 * @example Train 2 epochs, then resume to 4
 * ```ts
 * import { checkpoints } from "./checkpoints.ts";
 * import { train } from "../train.ts";
 * import { xor } from "../data/xor.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const options = { model: { name: "dense", units: 1 }, loss: "mse", optimizer: "sgd", data: xor(), batching: "full" as const };
 * await train({ ...options, epochs: 2, callbacks: [checkpoints({ dir })] });
 * const resumed = await train({ ...options, epochs: 4, resume: dir });
 * assert.equal(resumed.epochs, 4);
 * assert.deepEqual(resumed.history.epochs.map((r) => r.epoch), [3, 4]); // a checkpoint holds no history
 * ```
 */
export function checkpoints(options: CheckpointsOptions): Callback {
  if (typeof options?.dir !== "string" || options.dir === "") {
    throw new TypeError(
      `Cannot create the checkpoint callback as dir must be a folder path: current value is ${options?.dir}`,
    );
  }
  const every = options.every ?? 1;
  if (!Number.isInteger(every) || every < 1) {
    throw new RangeError(
      `Cannot create the checkpoint callback as every must be a positive integer: current value is ${every}`,
    );
  }
  let saved = -1;
  const save = async (ctx: TrainContext) => {
    await saveCheckpoint(options.dir, ctx.snapshot(), { write: options.write });
    saved = ctx.epoch;
  };
  return {
    onTrainBegin(ctx) {
      saved = ctx.startEpoch;
    },
    async onEpochEnd(_record, ctx) {
      const snapshotStops = ctx.snapshot().stopReason !== null;
      if (ctx.epoch % every === 0 || ctx.epoch === ctx.epochs || snapshotStops) await save(ctx);
    },
    async onTrainEnd(ctx) {
      if (saved !== ctx.epoch) await save(ctx);
    },
  };
}
