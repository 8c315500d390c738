/**
 * How an epoch's samples are grouped into batches (seeds 000, 001, 002).
 *
 * @module
 */

import type { Random } from "../core/random.ts";

/**
 * The batching modes of the seeds:
 * - `"full"`: every sample in one batch, one update per epoch (batch gradient descent);
 * - `"single"`: one sample per update, the order reshuffled every epoch (stochastic gradient descent, seed 002 §1.3);
 * - `"minibatch-fixed"`: random batches made once at the start and reused every epoch (seed 000 §19.121.1);
 * - `"minibatch-shuffled"`: random batches drawn afresh every epoch (seed 002's mini-batch gradient descent).
 */
export type Batching = "full" | "single" | "minibatch-fixed" | "minibatch-shuffled";

/** Every batching mode, for validation and help texts. */
export const BATCHINGS: readonly Batching[] = Object.freeze([
  "full",
  "single",
  "minibatch-fixed",
  "minibatch-shuffled",
]);

/** The batches of a run: how many per epoch, and each epoch's list. */
export interface BatchPlan {
  /** Updates (iterations) per epoch: 1, n, or ⌈n / batchSize⌉. */
  readonly stepsPerEpoch: number;
  /**
   * The sample indices of each batch of the next epoch, in order.
   *
   * @param rng The generator that shuffles (used by `"single"` and `"minibatch-shuffled"`).
   * @returns One index array per batch; together they cover every sample once.
   */
  epoch(rng: Random): Int32Array[];
}

function chunks(order: Int32Array, size: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let i = 0; i < order.length; i += size) out.push(order.subarray(i, Math.min(i + size, order.length)));
  return out;
}

/**
 * Makes the batch plan of a run. One epoch is one pass over all training
 * samples (one forward and one backward pass of each, seed 000); an iteration
 * is one update, so an epoch has 1 (`"full"`), n (`"single"`) or ⌈n/B⌉
 * (minibatch) iterations. The last minibatch is smaller when B does not
 * divide n (PyTorch's `drop_last=False`). `"minibatch-fixed"` draws its one
 * permutation from `rng` now; the shuffled modes draw one per epoch.
 *
 * @param batching The mode.
 * @param samples The number of training samples n.
 * @param batchSize The minibatch size B (ignored by `"full"` and `"single"`).
 * @param rng The generator for `"minibatch-fixed"`'s batches.
 * @returns The plan.
 * @throws {RangeError} For an unknown mode, or a batch size that is not a positive integer.
 *
 * @example Fixed batches are the same every epoch; shuffled ones are not
 * ```ts
 * import { batchPlan } from "./batching.ts";
 * import { Random } from "../core/random.ts";
 * import assert from "node:assert/strict";
 *
 * const rng = new Random(0);
 * const fixed = batchPlan("minibatch-fixed", 10, 4, rng);
 * assert.equal(fixed.stepsPerEpoch, 3);
 * assert.deepEqual(fixed.epoch(rng), fixed.epoch(rng));
 * assert.deepEqual(batchPlan("full", 3, 4, rng).epoch(rng), [Int32Array.from([0, 1, 2])]);
 * ```
 */
export function batchPlan(batching: Batching, samples: number, batchSize: number, rng: Random): BatchPlan {
  if (!Number.isInteger(samples) || samples < 1) {
    throw new RangeError(`Cannot plan batches as samples must be a positive integer: current value is ${samples}`);
  }
  switch (batching) {
    case "full": {
      const all = new Int32Array(samples).map((_, i) => i);
      return { stepsPerEpoch: 1, epoch: () => [all] };
    }
    case "single":
      return { stepsPerEpoch: samples, epoch: (r) => chunks(r.permutation(samples), 1) };
    case "minibatch-fixed":
    case "minibatch-shuffled": {
      if (!Number.isInteger(batchSize) || batchSize < 1) {
        throw new RangeError(
          `Cannot plan batches as batchSize must be a positive integer: current value is ${batchSize}`,
        );
      }
      const stepsPerEpoch = Math.ceil(samples / batchSize);
      if (batching === "minibatch-shuffled") {
        return { stepsPerEpoch, epoch: (r) => chunks(r.permutation(samples), batchSize) };
      }
      const fixed = chunks(rng.permutation(samples), batchSize);
      return { stepsPerEpoch, epoch: () => fixed };
    }
    default:
      throw new RangeError(
        `Cannot plan batches as batching must be one of ${
          BATCHINGS.map((b) => JSON.stringify(b)).join(", ")
        }: current value is ${JSON.stringify(batching)}`,
      );
  }
}
