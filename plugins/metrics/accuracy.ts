/**
 * Classification accuracy.
 *
 * @module
 */

import type { Metric, Plugin } from "../../core/interfaces.ts";
import { checkKeys } from "../../core/options.ts";
import {
  addToConfusion,
  checkThreshold,
  confusionCounts,
  type ConfusionState,
  emptyConfusion,
  type Threshold,
} from "./_confusion.ts";

/** Options for {@linkcode accuracy}. */
export interface AccuracyOptions {
  /**
   * For a one-output model: a sample is predicted positive when its output
   * exceeds this, and is positive when its target does. `"auto"` takes 0 when
   * some target is negative (±1 labels), else 0.5 (0/1 labels), over every
   * sample seen. @default {"auto"}
   */
  threshold?: Threshold;
}

/**
 * Classification accuracy, the share of samples classified correctly, in [0, 1]
 * (Keras's `accuracy`, torchmetrics' `Accuracy` with `average="micro"`).
 * - Several outputs per sample: the predicted class is the argmax over the last
 *   axis; targets are one-hot (or probability) rows, whose argmax is the class,
 *   or one class index per sample.
 * - One output per sample: the output is compared with the threshold (0.5 for
 *   0/1 labels with a sigmoid output; 0, the sign, for ±1 labels with the hinge
 *   loss), as is the target. Logits with 0/1 labels need `threshold: 0`.
 *
 * It counts correct samples over every batch added, so the value over an
 * epoch is exact, not a mean of batch means.
 *
 * @param options `threshold`.
 * @returns The metric `"accuracy"`.
 * @throws {TypeError | RangeError} For a bad option; at `update`, a RangeError when predictions and targets do not
 *   go together (naming both shapes).
 *
 * @example
 * ```ts
 * import { accuracy } from "./accuracy.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const acc = accuracy();
 * let state = acc.update(acc.init(), tensor([[0.1, 0.9], [0.8, 0.2]]), tensor([[0, 1], [0, 1]]));
 * state = acc.update(state, tensor([[0.3, 0.7], [0.6, 0.4]]), tensor([1, 0]));
 * assert.equal(acc.result(state), 0.75);
 * ```
 */
export function accuracy(options: AccuracyOptions = {}): Metric<ConfusionState> {
  const owner = 'metric "accuracy"';
  checkKeys(owner, options, ["threshold"]);
  const threshold = checkThreshold(owner, options.threshold);
  return {
    name: "accuracy",
    higherIsBetter: true,
    init: emptyConfusion,
    update: (state, predictions, targets) => addToConfusion(owner, state, predictions, targets, threshold),
    result(state) {
      const m = confusionCounts(state);
      let correct = 0, total = 0;
      m.forEach((row, t) => row.forEach((count, p) => (total += count, correct += t === p ? count : 0)));
      return total === 0 ? NaN : correct / total;
    },
  };
}

/** Registers {@linkcode accuracy} as metric "accuracy". */
const plugin: Plugin<"metric", AccuracyOptions> = {
  apiVersion: 1,
  kind: "metric",
  name: "accuracy",
  description: "Share of samples classified correctly (argmax, or a threshold for one output).",
  defaults: { threshold: "auto" },
  create: accuracy as Plugin<"metric", AccuracyOptions>["create"],
};
export default plugin;
