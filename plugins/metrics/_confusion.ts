/**
 * What the classification metrics share: reading a batch as predicted and
 * true classes, and accumulating a confusion matrix over batches.
 *
 * @module
 */

import type { Metric } from "../../core/interfaces.ts";
import { checkChoice, checkKeys } from "../../core/options.ts";
import type { Tensor } from "../../core/tensor.ts";

/** A decision threshold for one-output models: a number, or `"auto"` (0 for ±1 labels, 0.5 for 0/1 labels). */
export type Threshold = number | "auto";

/**
 * A confusion matrix accumulated over batches: `counts[t·classes + p]` samples
 * of true class t predicted as p. A one-output model has two classes (0 =
 * negative, 1 = positive); with the threshold `"auto"` it is counted at both
 * thresholds (0.5 and 0) and `result` picks one once every target has been seen.
 */
export interface ConfusionState {
  /** The number of classes, set by the first batch (0 before). */
  classes: number;
  /** Outputs per sample, set by the first batch (0 before). */
  outputs: number;
  /** The counts, row-major by true class (at the 0.5 threshold for an automatic one). */
  counts: number[];
  /** For a one-output model with the automatic threshold: the counts at threshold 0. */
  countsAtZero: number[] | null;
  /** Whether some target was negative (±1 labels): the automatic threshold is then 0. */
  negativeTargets: boolean;
}

/**
 * Checks a threshold option: a finite number or `"auto"`.
 *
 * @param owner `metric "precision"`, say.
 * @param value The value given.
 * @returns The threshold.
 * @throws {TypeError} For a value that is neither a number nor a string.
 * @throws {RangeError} For a string other than `"auto"` or a number that is not finite.
 *
 * @example
 * ```ts
 * import { checkThreshold } from "./_confusion.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkThreshold('metric "accuracy"', undefined), "auto");
 * assert.throws(() => checkThreshold('metric "accuracy"', "half"), /threshold must be a finite number or "auto"/);
 * ```
 */
export function checkThreshold(owner: string, value: unknown): Threshold {
  if (value === undefined || value === "auto") return "auto";
  if (typeof value === "number" && Number.isFinite(value)) return value;
  const why = `Cannot create ${owner} as threshold must be a finite number or "auto": current value is ${
    typeof value === "string" ? JSON.stringify(value) : String(value)
  }`;
  throw typeof value === "string" ? new RangeError(why) : new TypeError(why);
}

/**
 * The empty confusion state.
 *
 * @returns A state with no class yet.
 *
 * @example
 * ```ts
 * import { emptyConfusion } from "./_confusion.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(emptyConfusion().classes, 0);
 * ```
 */
export function emptyConfusion(): ConfusionState {
  return { classes: 0, outputs: 0, counts: [], countsAtZero: null, negativeTargets: false };
}

function fail(owner: string, predictions: Tensor, targets: Tensor, why: string): never {
  throw new RangeError(
    `Cannot compute ${owner} for predictions of shape [${predictions.shape}] and targets of shape [${targets.shape}]: ${why}`,
  );
}

function argmax(data: ArrayLike<number>, offset: number, length: number): number {
  let best = 0;
  for (let j = 1; j < length; j++) if (data[offset + j] > data[offset + best]) best = j;
  return best;
}

/**
 * The class of every sample: for several outputs, the predicted class is the
 * argmax of the row and the true class the argmax of a one-hot (or
 * probability) row or the class index given; for one output, 1 when the value
 * exceeds the threshold, else 0 (the same rule for targets).
 *
 * @param owner For messages: `metric "accuracy"`, say.
 * @param predictions The outputs, batch axis first.
 * @param targets One-hot rows, class indices, or one label per sample.
 * @param threshold For one output (ignored otherwise).
 * @returns The number of classes and, per sample, the true and the predicted class.
 * @throws {RangeError} When the shapes do not go together or a class index is out of range (naming both shapes).
 *
 * @example
 * ```ts
 * import { classesOf } from "./_confusion.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const { classes, actual, predicted } = classesOf("x", tensor([[0.1, 0.9], [0.8, 0.2]]), tensor([1, 1]), 0.5);
 * assert.equal(classes, 2);
 * assert.deepEqual([...actual], [1, 1]);
 * assert.deepEqual([...predicted], [1, 0]);
 * ```
 */
export function classesOf(
  owner: string,
  predictions: Tensor,
  targets: Tensor,
  threshold: number,
): { classes: number; actual: Int32Array; predicted: Int32Array } {
  const n = predictions.shape[0];
  if (predictions.rank < 1 || targets.rank < 1 || targets.shape[0] !== n || n === 0) {
    fail(owner, predictions, targets, "both need the same number of rows, at least one");
  }
  const k = predictions.size / n;
  const p = predictions.data, t = targets.data;
  const actual = new Int32Array(n), predicted = new Int32Array(n);
  if (k === 1) {
    if (targets.size !== n) fail(owner, predictions, targets, "one output needs one target per sample");
    for (let i = 0; i < n; i++) {
      predicted[i] = p[i] > threshold ? 1 : 0;
      actual[i] = t[i] > threshold ? 1 : 0;
    }
    return { classes: 2, actual, predicted };
  }
  const oneHot = targets.size === predictions.size;
  if (!oneHot && targets.size !== n) {
    fail(owner, predictions, targets, "targets must be one-hot rows or one class index per sample");
  }
  for (let i = 0; i < n; i++) {
    predicted[i] = argmax(p, i * k, k);
    const c = oneHot ? argmax(t, i * k, k) : t[i];
    if (!Number.isInteger(c) || c < 0 || c >= k) {
      fail(owner, predictions, targets, `class indices must be integers in [0, ${k}): sample ${i} has ${c}`);
    }
    actual[i] = c;
  }
  return { classes: k, actual, predicted };
}

/**
 * Adds a batch to a confusion state (changing it in place).
 *
 * @param owner For messages.
 * @param state The state.
 * @param predictions The outputs, batch axis first.
 * @param targets The targets.
 * @param threshold The decision threshold of one-output models.
 * @returns The same state.
 * @throws {RangeError} When the batch does not fit the shapes, or has another number of classes than earlier batches.
 *
 * @example
 * ```ts
 * import { addToConfusion, confusionCounts, emptyConfusion } from "./_confusion.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const state = addToConfusion("x", emptyConfusion(), tensor([[0.9], [0.2], [0.7]]), tensor([[1], [1], [0]]), "auto");
 * assert.deepEqual(confusionCounts(state), [[0, 1], [1, 1]]);
 * ```
 */
export function addToConfusion(
  owner: string,
  state: ConfusionState,
  predictions: Tensor,
  targets: Tensor,
  threshold: Threshold,
): ConfusionState {
  const fixed = threshold === "auto" ? 0.5 : threshold;
  const { classes, actual, predicted } = classesOf(owner, predictions, targets, fixed);
  const outputs = predictions.size / predictions.shape[0];
  if (state.classes === 0) {
    state.classes = classes;
    state.outputs = outputs;
    state.counts = new Array(classes * classes).fill(0);
    if (threshold === "auto" && outputs === 1) state.countsAtZero = [0, 0, 0, 0];
  } else if (state.outputs !== outputs) {
    const was = `${state.outputs} output${state.outputs === 1 ? "" : "s"}`;
    fail(owner, predictions, targets, `earlier batches had ${was} per sample`);
  }
  for (let i = 0; i < actual.length; i++) state.counts[actual[i] * classes + predicted[i]]++;
  if (state.countsAtZero !== null) {
    const at = classesOf(owner, predictions, targets, 0);
    for (let i = 0; i < at.actual.length; i++) state.countsAtZero[at.actual[i] * 2 + at.predicted[i]]++;
    if (!state.negativeTargets) state.negativeTargets = targets.data.some((v) => v < 0);
  }
  return state;
}

/**
 * The confusion matrix of a state: rows are true classes, columns predicted ones.
 *
 * @param state The state.
 * @returns The counts, one row per class (none before any batch).
 *
 * @example
 * ```ts
 * import { confusionCounts, emptyConfusion } from "./_confusion.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(confusionCounts(emptyConfusion()), []);
 * ```
 */
export function confusionCounts(state: ConfusionState): number[][] {
  const counts = state.countsAtZero !== null && state.negativeTargets ? state.countsAtZero : state.counts;
  const k = state.classes;
  return Array.from({ length: k }, (_, t) => counts.slice(t * k, (t + 1) * k));
}

/** How per-class figures are combined: sklearn's `average`. */
export type Average = "binary" | "macro" | "micro" | "weighted" | "none";

/** The averages a precision, recall or F1 option may name. */
export const AVERAGES: readonly Average[] = ["binary", "macro", "micro", "weighted", "none"];

/**
 * Precision, recall or F1 from a confusion matrix, per class, combined as
 * `average` says (sklearn's `precision_recall_fscore_support` with
 * `zero_division=0`): `"binary"` the positive class (1) of a two-class task,
 * `"macro"` the mean over the classes that occur (in targets or predictions),
 * `"weighted"` that mean weighted by each class's support, `"micro"` from the
 * summed counts, `"none"` every class (`{ "0": …, "1": … }`).
 *
 * @param figure Which figure.
 * @param matrix The confusion matrix (rows true, columns predicted).
 * @param average How to combine the classes.
 * @returns The figure, or one per class.
 *
 * @example
 * ```ts
 * import { classFigure } from "./_confusion.ts";
 * import assert from "node:assert/strict";
 *
 * const m = [[3, 1], [2, 4]]; // 3 true negatives, 1 false positive, 2 false negatives, 4 true positives
 * assert.equal(classFigure("precision", m, "binary"), 0.8);
 * assert.equal(classFigure("recall", m, "binary"), 4 / 6);
 * assert.deepEqual(classFigure("precision", m, "none"), { "0": 0.6, "1": 0.8 });
 * ```
 */
export function classFigure(
  figure: "precision" | "recall" | "f1",
  matrix: readonly (readonly number[])[],
  average: Average,
): number | Record<string, number> {
  const k = matrix.length;
  const tp = matrix.map((row, c) => row[c]);
  const predictedAs = Array.from({ length: k }, (_, c) => matrix.reduce((s, row) => s + row[c], 0));
  const support = matrix.map((row) => row.reduce((s, v) => s + v, 0));
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const of = (tpc: number, pred: number, sup: number) => {
    const p = ratio(tpc, pred), r = ratio(tpc, sup);
    return figure === "precision" ? p : figure === "recall" ? r : ratio(2 * p * r, p + r);
  };
  const perClass = tp.map((t, c) => of(t, predictedAs[c], support[c]));
  switch (average) {
    case "binary":
      return k === 0 ? 0 : perClass[k - 1];
    case "none":
      return Object.fromEntries(perClass.map((v, c) => [String(c), v]));
    case "micro": {
      const sum = (xs: number[]) => xs.reduce((s, v) => s + v, 0);
      return of(sum(tp), sum(predictedAs), sum(support));
    }
    case "weighted": {
      const total = support.reduce((s, v) => s + v, 0);
      return ratio(perClass.reduce((s, v, c) => s + v * support[c], 0), total);
    }
    case "macro": {
      const present = perClass.filter((_, c) => support[c] > 0 || predictedAs[c] > 0);
      return ratio(present.reduce((s, v) => s + v, 0), present.length);
    }
  }
}

/** Options of precision, recall and F1. */
export interface ClassFigureOptions {
  /**
   * How the classes are combined: `"binary"` (the positive class, 1),
   * `"macro"`, `"micro"`, `"weighted"` or `"none"` (per class); `"auto"` is
   * `"binary"` for two classes (one output, or two) and `"macro"` for more. @default {"auto"}
   */
  average?: Average | "auto";
  /** The decision threshold of one-output models (see `accuracy`). @default {"auto"} */
  threshold?: Threshold;
}

/**
 * Precision, recall or F1 as a metric over a confusion matrix accumulated over batches.
 *
 * @param figure Which figure.
 * @param options `average`, `threshold`.
 * @returns The metric, named after the figure.
 * @throws {TypeError | RangeError} For a bad option; at `result`, `"binary"` with more than two classes.
 *
 * @example
 * ```ts
 * import { classFigureMetric } from "./_confusion.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const recall = classFigureMetric("recall", { average: "none" });
 * const state = recall.update(recall.init(), tensor([[0.9], [0.2], [0.7]]), tensor([[1], [1], [0]]));
 * assert.deepEqual(recall.result(state), { "0": 0, "1": 0.5 });
 * ```
 */
export function classFigureMetric(
  figure: "precision" | "recall" | "f1",
  options: ClassFigureOptions = {},
): Metric<ConfusionState> {
  const owner = `metric "${figure}"`;
  checkKeys(owner, options, ["average", "threshold"]);
  const average = checkChoice(owner, "average", options.average, "auto", ["auto", ...AVERAGES]);
  const threshold = checkThreshold(owner, options.threshold);
  return {
    name: figure,
    higherIsBetter: true,
    init: emptyConfusion,
    update: (state, predictions, targets) => addToConfusion(owner, state, predictions, targets, threshold),
    result(state) {
      const m = confusionCounts(state);
      if (m.length === 0) return NaN;
      if (average === "binary" && m.length > 2) {
        throw new RangeError(
          `Cannot compute ${owner} as average "binary" needs two classes: current number of classes is ${m.length} (use "macro", "micro", "weighted" or "none")`,
        );
      }
      return classFigure(figure, m, average === "auto" ? (m.length === 2 ? "binary" : "macro") : average);
    },
  };
}
