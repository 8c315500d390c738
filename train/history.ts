/**
 * The records a training run keeps: one per epoch, and optionally one per step.
 *
 * @module
 */

/**
 * An epoch's figures. `epoch` counts completed epochs from 1; `step` is the
 * number of updates made so far; `loss` is the mean training loss over the
 * epoch's batches (weighted by batch size; the data term only, without
 * regularization); `penalty` the mean regularization term when there is one;
 * each metric appears under its name and, on the validation set, as
 * `val` + its name (`valLoss`, `valAccuracy`); `learningRate` is the last
 * step's rate when the trainer knows it; `gradNorm.<layer>` the mean gradient
 * norm of a layer's parameters (with `gradientNorms: true`); `time` the
 * seconds since `train` was called (setting up included; a resumed run adds
 * the checkpoint's time).
 */
export type EpochRecord = { epoch: number; step: number; loss: number; time: number } & Record<string, number>;

/**
 * One update's figures: `step` is the update's number from 1 (the scheduler
 * saw `step − 1`), `loss` the batch's data loss before the update, `penalty`,
 * `learningRate` and `gradNorm.<layer>` as in {@linkcode EpochRecord}.
 */
export type StepRecord = { epoch: number; step: number; loss: number } & Record<string, number>;

/** The records of a run, in order. */
export interface History {
  /** One record per completed epoch. */
  epochs: EpochRecord[];
  /** One record per update, when `recordSteps` is on (else empty). */
  steps: StepRecord[];
}
