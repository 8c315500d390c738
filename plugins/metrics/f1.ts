/**
 * F1: the harmonic mean of precision and recall.
 *
 * @module
 */

import type { Metric, Plugin } from "../../core/interfaces.ts";
import { classFigureMetric, type ClassFigureOptions, type ConfusionState } from "./_confusion.ts";

/** Options for {@linkcode f1}. */
export type F1Options = ClassFigureOptions;

/**
 * F1 = 2·P·R / (P + R), per class or combined (sklearn's `f1_score` with
 * `zero_division=0`): for a two-class task the positive class's, for more the
 * macro average of the per-class F1 over the classes that occur (not the F1 of
 * the averaged precision and recall), unless `average` says otherwise
 * (`"micro"`, `"weighted"`, `"none"` for one value per class, recorded as
 * `f1.0`, `f1.1`, …). Counted over every batch added.
 *
 * @param options `average`, `threshold`.
 * @returns The metric `"f1"`.
 * @throws {TypeError | RangeError} For a bad option.
 *
 * @example
 * ```ts
 * import { f1 } from "./f1.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const metric = f1();
 * const state = metric.update(metric.init(), tensor([[0.9], [0.2], [0.7]]), tensor([[1], [1], [0]]));
 * assert.equal(metric.result(state), 0.5); // precision 0.5, recall 0.5
 * ```
 */
export function f1(options: F1Options = {}): Metric<ConfusionState> {
  return classFigureMetric("f1", options);
}

/** Registers {@linkcode f1} as metric "f1". */
const plugin: Plugin<"metric", F1Options> = {
  apiVersion: 1,
  kind: "metric",
  name: "f1",
  description: "F1 = 2PR/(P + R): the positive class's for two classes, else the macro average; or per class.",
  defaults: { average: "auto", threshold: "auto" },
  create: f1 as Plugin<"metric", F1Options>["create"],
};
export default plugin;
