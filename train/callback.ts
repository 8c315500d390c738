/**
 * What a callback is, and what it sees of the run.
 *
 * @module
 */

import type { Tree } from "../core/tree.ts";
import type { TrainerSnapshot } from "./checkpoint.ts";
import type { EpochRecord, History, StepRecord } from "./history.ts";

/** What callbacks see of a run (live values: read them when called). */
export interface TrainContext {
  /** The epoch count the run goes to. */
  readonly epochs: number;
  /** Updates per epoch. */
  readonly stepsPerEpoch: number;
  /** Training samples (after any validation split). */
  readonly samples: number;
  /** The epoch the run started from: 0, or the checkpoint's epoch when resuming. */
  readonly startEpoch: number;
  /** The current epoch, from 1 (during an epoch: the one running; at its end: the one completed). */
  readonly epoch: number;
  /** The last finished batch of the current epoch, from 1 (0 before the first). */
  readonly batch: number;
  /** Updates made so far. */
  readonly step: number;
  /** The number of samples in the last finished batch. */
  readonly batchSamples: number;
  /**
   * The current parameters. Steps normally write new values over the old
   * buffers; once a callback has read this, the next step allocates instead,
   * so the tensors it got never change.
   */
  readonly params: Tree;
  /** The current layer state. */
  readonly state: Tree;
  /** The records of this call's epochs so far (after a resume, those since the checkpoint). */
  readonly history: History;
  /** The run's configuration as JSON (as stored in checkpoints). */
  readonly config: Readonly<Record<string, unknown>>;
  /**
   * Asks the trainer to stop after the current epoch.
   *
   * @param reason Why, for the result's `stopReason`. @default {"callback"}
   */
  stop(reason?: string): void;
  /**
   * Everything needed to resume the run exactly from the current epoch's end.
   *
   * @returns The snapshot: a copy, which later steps leave unchanged.
   */
  snapshot(): TrainerSnapshot;
}

/**
 * Hooks into a training run; every hook is optional and may be async (the
 * trainer awaits it). Hooks run in the order the callbacks are listed.
 */
export interface Callback {
  /**
   * `"progress"` for a callback that shows progress: `train` adds its own progress bar only when no
   * callback has this role (Keras does the same with a `ProgbarLogger` given to `fit`).
   */
  readonly role?: "progress";
  /** Before the first epoch (after a checkpoint, if resuming, is restored). */
  onTrainBegin?(context: TrainContext): void | Promise<void>;
  /** Before each epoch. */
  onEpochBegin?(context: TrainContext): void | Promise<void>;
  /** After each update. */
  onStepEnd?(record: StepRecord, context: TrainContext): void | Promise<void>;
  /** After each epoch, validation and early stopping included. */
  onEpochEnd?(record: EpochRecord, context: TrainContext): void | Promise<void>;
  /** After the last epoch. */
  onTrainEnd?(context: TrainContext): void | Promise<void>;
  /** When training fails (a non-finite loss, say), before the error reaches the caller. */
  onTrainError?(error: unknown, context: TrainContext): void | Promise<void>;
}
