/**
 * Precision: of the samples predicted in a class, the share that are in it.
 *
 * @module
 */

import type { Metric, Plugin } from "../../core/interfaces.ts";
import { classFigureMetric, type ClassFigureOptions, type ConfusionState } from "./_confusion.ts";

/** Options for {@linkcode precision}. */
export type PrecisionOptions = ClassFigureOptions;

/**
 * Precision tp / (tp + fp), per class or combined (sklearn's `precision_score`
 * with `zero_division=0`; Keras's `Precision` for one output): for a
 * two-class task the positive class's, for more the macro average over the
 * classes that occur, unless `average` says otherwise (`"micro"`,
 * `"weighted"`, `"none"` for one value per class, recorded as `precision.0`,
 * `precision.1`, …). A class never predicted has precision 0. Counted over
 * every batch added, so an epoch's value is exact.
 *
 * @param options `average`, `threshold`.
 * @returns The metric `"precision"`.
 * @throws {TypeError | RangeError} For a bad option.
 *
 * @example
 * ```ts
 * import { precision } from "./precision.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const metric = precision();
 * // Predicted positive: samples 0 and 2; only sample 0 is positive.
 * const state = metric.update(metric.init(), tensor([[0.9], [0.2], [0.7]]), tensor([[1], [1], [0]]));
 * assert.equal(metric.result(state), 0.5);
 * ```
 */
export function precision(options: PrecisionOptions = {}): Metric<ConfusionState> {
  return classFigureMetric("precision", options);
}

/** Registers {@linkcode precision} as metric "precision". */
const plugin: Plugin<"metric", PrecisionOptions> = {
  apiVersion: 1,
  kind: "metric",
  name: "precision",
  description: "Precision tp/(tp + fp): the positive class's for two classes, else the macro average; or per class.",
  defaults: { average: "auto", threshold: "auto" },
  create: precision as Plugin<"metric", PrecisionOptions>["create"],
};
export default plugin;
