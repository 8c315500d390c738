/**
 * Top-k accuracy: the true class among the k highest outputs.
 *
 * @module
 */

import type { Metric, Plugin } from "../../core/interfaces.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { classesOf } from "./_confusion.ts";

/** Options for {@linkcode topKAccuracy}. */
export interface TopKAccuracyOptions {
  /** How many of the highest outputs count, an integer ≥ 1. @default {5} */
  k?: number;
}

/** State of {@linkcode topKAccuracy}: samples seen and hits. */
export interface TopKAccuracyState {
  /** Samples added. */
  samples: number;
  /** Samples whose true class was among the k highest outputs. */
  hits: number;
}

/**
 * Top-k accuracy (Keras's `top_k_categorical_accuracy`, torchmetrics'
 * `Accuracy(top_k=k)`): the share of samples whose true class is among the k
 * classes with the highest outputs, for models with one output per class.
 * Targets are one-hot rows or class indices. Ties favour the true class: a
 * sample counts when fewer than k classes score strictly higher. Recorded as
 * `top5Accuracy` for k = 5 (so several values of k can be tracked at once).
 *
 * @param options `k`.
 * @returns The metric `"top<k>Accuracy"`.
 * @throws {TypeError | RangeError} For a bad option; at `update`, a RangeError for a one-output model or
 *   shapes that do not go together.
 *
 * @example
 * ```ts
 * import { topKAccuracy } from "./top_k_accuracy.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const top2 = topKAccuracy({ k: 2 });
 * const outputs = tensor([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7]]);
 * assert.equal(top2.result(top2.update(top2.init(), outputs, tensor([1, 0]))), 0.5); // class 1 is 2nd; class 0 is 3rd
 * assert.equal(top2.name, "top2Accuracy");
 * ```
 */
export function topKAccuracy(options: TopKAccuracyOptions = {}): Metric<TopKAccuracyState> {
  const owner = 'metric "top-k-accuracy"';
  checkKeys(owner, options, ["k"]);
  const k = checkNumber(owner, "k", options.k, 5, { min: 1, integer: true });
  return {
    name: `top${k}Accuracy`,
    higherIsBetter: true,
    init: () => ({ samples: 0, hits: 0 }),
    update(state, predictions, targets) {
      const n = predictions.shape[0];
      const classes = predictions.size / n;
      if (!(classes > 1)) {
        throw new RangeError(
          `Cannot compute ${owner} for predictions of shape [${predictions.shape}] as it needs one output per class (at least two)`,
        );
      }
      const { actual } = classesOf(owner, predictions, targets, 0.5);
      const p = predictions.data;
      for (let i = 0; i < n; i++) {
        const score = p[i * classes + actual[i]];
        let higher = 0;
        for (let j = 0; j < classes; j++) if (p[i * classes + j] > score) higher++;
        if (higher < k) state.hits++;
      }
      state.samples += n;
      return state;
    },
    result: (state) => (state.samples === 0 ? NaN : state.hits / state.samples),
  };
}

/** Registers {@linkcode topKAccuracy} as metric "top-k-accuracy". */
const plugin: Plugin<"metric", TopKAccuracyOptions> = {
  apiVersion: 1,
  kind: "metric",
  name: "top-k-accuracy",
  description: "Share of samples whose true class is among the k highest outputs (recorded as top<k>Accuracy).",
  defaults: { k: 5 },
  create: topKAccuracy as Plugin<"metric", TopKAccuracyOptions>["create"],
};
export default plugin;
