/**
 * Held-out splits.
 *
 * @module
 */

import type { Random } from "../../core/random.ts";
import { checkDataset, type Dataset, takeRows } from "./_rows.ts";

/** What {@linkcode splitDataset} returns. */
export interface DatasetSplit {
  /** The samples kept for training. */
  train: Dataset;
  /** The held-out samples. */
  validation: Dataset;
}

/**
 * Holds out a random fraction of a dataset for validation (early stopping,
 * seed 000's "Termination Criteria"). The held-out count is
 * `round(fraction · n)`, at least 1, leaving at least 1 sample to train on;
 * which samples are held out is drawn from `rng`, so a seeded generator gives
 * the same split every time. Each part keeps the samples' original order.
 *
 * @param data The dataset.
 * @param fraction The share to hold out, in (0, 1).
 * @param rng The generator that picks the held-out samples.
 * @returns `{ train, validation }`.
 * @throws {RangeError} When the fraction is outside (0, 1) or the data has fewer than 2 samples.
 *
 * @example
 * ```ts
 * import { splitDataset } from "./split.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const data = { x: tensor([[0], [1], [2], [3]]), y: tensor([[0], [1], [0], [1]]) };
 * const { train, validation } = splitDataset(data, 0.25, new Random(0));
 * assert.equal(train.x.shape[0], 3);
 * assert.equal(validation.x.shape[0], 1);
 * ```
 */
export function splitDataset(data: Dataset, fraction: number, rng: Random): DatasetSplit {
  const { x, y } = checkDataset("split a dataset", "data", data);
  const n = x.shape[0];
  if (typeof fraction !== "number" || !(fraction > 0 && fraction < 1)) {
    throw new RangeError(`Cannot split a dataset as the fraction must be in (0, 1): current value is ${fraction}`);
  }
  if (n < 2) throw new RangeError(`Cannot split a dataset as it must hold at least 2 samples: current count is ${n}`);
  const held = Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
  const order = rng.permutation(n);
  const validationRows = Int32Array.from(order.subarray(0, held)).sort();
  const trainRows = Int32Array.from(order.subarray(held)).sort();
  return {
    train: { x: takeRows(x, trainRows), y: takeRows(y, trainRows) },
    validation: { x: takeRows(x, validationRows), y: takeRows(y, validationRows) },
  };
}
