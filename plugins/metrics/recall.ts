/**
 * Recall: of the samples in a class, the share predicted in it.
 *
 * @module
 */

import type { Metric, Plugin } from "../../core/interfaces.ts";
import { classFigureMetric, type ClassFigureOptions, type ConfusionState } from "./_confusion.ts";

/** Options for {@linkcode recall}. */
export type RecallOptions = ClassFigureOptions;

/**
 * Recall tp / (tp + fn), the true-positive rate, per class or combined
 * (sklearn's `recall_score` with `zero_division=0`; Keras's `Recall` for one
 * output): for a two-class task the positive class's, for more the macro
 * average over the classes that occur, unless `average` says otherwise
 * (`"micro"`, `"weighted"`, `"none"` for one value per class, recorded as
 * `recall.0`, `recall.1`, …). Counted over every batch added.
 *
 * @param options `average`, `threshold`.
 * @returns The metric `"recall"`.
 * @throws {TypeError | RangeError} For a bad option.
 *
 * @example
 * ```ts
 * import { recall } from "./recall.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const metric = recall();
 * // Positive: samples 0 and 1; only sample 0 is predicted positive.
 * const state = metric.update(metric.init(), tensor([[0.9], [0.2], [0.7]]), tensor([[1], [1], [0]]));
 * assert.equal(metric.result(state), 0.5);
 * ```
 */
export function recall(options: RecallOptions = {}): Metric<ConfusionState> {
  return classFigureMetric("recall", options);
}

/** Registers {@linkcode recall} as metric "recall". */
const plugin: Plugin<"metric", RecallOptions> = {
  apiVersion: 1,
  kind: "metric",
  name: "recall",
  description: "Recall tp/(tp + fn): the positive class's for two classes, else the macro average; or per class.",
  defaults: { average: "auto", threshold: "auto" },
  create: recall as Plugin<"metric", RecallOptions>["create"],
};
export default plugin;
