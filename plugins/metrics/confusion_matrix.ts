/**
 * The confusion matrix: counts of true class × predicted class.
 *
 * @module
 */

import type { Metric, MetricValue, Plugin } from "../../core/interfaces.ts";
import { checkKeys } from "../../core/options.ts";
import {
  addToConfusion,
  checkThreshold,
  confusionCounts,
  type ConfusionState,
  emptyConfusion,
  type Threshold,
} from "./_confusion.ts";

/** Options for {@linkcode confusionMatrix}. */
export interface ConfusionMatrixOptions {
  /** The decision threshold of one-output models (see `accuracy`). @default {"auto"} */
  threshold?: Threshold;
}

/**
 * The confusion matrix C (sklearn's `confusion_matrix`): C[t][p] is the number
 * of samples of true class t predicted as class p, over every batch added; a
 * one-output model has the classes 0 (negative) and 1 (positive). As a
 * metric its value is the counts by `"<true>.<predicted>"` (recorded as
 * `confusionMatrix.1.0` and so on); {@linkcode matrixOf} turns that back into
 * rows. `gradflow evaluate` prints it as a table and draws it as a heatmap.
 *
 * @param options `threshold`.
 * @returns The metric `"confusionMatrix"`.
 * @throws {TypeError | RangeError} For a bad option.
 *
 * @example
 * ```ts
 * import { confusionMatrix, matrixOf } from "./confusion_matrix.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const metric = confusionMatrix();
 * const state = metric.update(metric.init(), tensor([[2, 1, 0], [0, 3, 1], [0, 1, 2]]), tensor([0, 2, 2]));
 * assert.deepEqual(matrixOf(metric.result(state)), [[1, 0, 0], [0, 0, 0], [0, 1, 1]]);
 * ```
 */
export function confusionMatrix(options: ConfusionMatrixOptions = {}): Metric<ConfusionState> {
  const owner = 'metric "confusion-matrix"';
  checkKeys(owner, options, ["threshold"]);
  const threshold = checkThreshold(owner, options.threshold);
  return {
    name: "confusionMatrix",
    init: emptyConfusion,
    update: (state, predictions, targets) => addToConfusion(owner, state, predictions, targets, threshold),
    result(state) {
      const entries: [string, number][] = [];
      confusionCounts(state).forEach((row, t) => row.forEach((count, p) => entries.push([`${t}.${p}`, count])));
      return Object.fromEntries(entries);
    },
  };
}

/**
 * The rows of a confusion matrix from its metric value (`{ "0.0": n, "0.1": n, … }`).
 *
 * @param value What the confusion-matrix metric gave.
 * @returns The matrix, rows by true class.
 * @throws {TypeError} When the value is not a square set of `"t.p"` counts.
 *
 * @example
 * ```ts
 * import { matrixOf } from "./confusion_matrix.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(matrixOf({ "0.0": 3, "0.1": 1, "1.0": 2, "1.1": 4 }), [[3, 1], [2, 4]]);
 * ```
 */
export function matrixOf(value: MetricValue): number[][] {
  const entries = typeof value === "number" ? [] : Object.entries(value);
  const k = Math.round(Math.sqrt(entries.length));
  const rows = Array.from({ length: k }, () => new Array<number>(k).fill(NaN));
  for (const [key, count] of entries) {
    const [t, p] = key.split(".").map(Number);
    if (!(t >= 0 && t < k && p >= 0 && p < k)) break;
    rows[t][p] = count;
  }
  if (k === 0 || k * k !== entries.length || rows.some((r) => r.some(Number.isNaN))) {
    throw new TypeError(
      `Cannot read a confusion matrix as its value must be counts keyed "<true>.<predicted>": current keys are ${
        typeof value === "number" ? "none (a number)" : Object.keys(value).join(", ")
      }`,
    );
  }
  return rows;
}

/** Registers {@linkcode confusionMatrix} as metric "confusion-matrix". */
const plugin: Plugin<"metric", ConfusionMatrixOptions> = {
  apiVersion: 1,
  kind: "metric",
  name: "confusion-matrix",
  description: "Counts of samples by true class (rows) and predicted class (columns).",
  defaults: { threshold: "auto" },
  create: confusionMatrix as Plugin<"metric", ConfusionMatrixOptions>["create"],
};
export default plugin;
