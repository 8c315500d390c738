/**
 * Metrics computed from predictions and targets: accuracy and custom ones.
 *
 * @module
 */

import type { Tensor } from "../core/tensor.ts";

/** A named figure of merit computed from a batch's predictions and targets (higher or lower is better per metric). */
export interface Metric {
  /** The key in history records (`"accuracy"`; the validation value is `"valAccuracy"`). */
  name: string;
  /**
   * Computes the metric.
   *
   * @param predictions The model's outputs, batch axis first.
   * @param targets The targets, batch axis first.
   * @returns The value for these samples.
   */
  compute(predictions: Tensor, targets: Tensor): number;
}

/** Options for {@linkcode accuracy}. */
export interface AccuracyOptions {
  /**
   * For a single output: a sample is predicted positive when its output exceeds
   * this, and is positive when its target does. @default {0 when some target is negative (±1 labels), else 0.5}
   */
  threshold?: number;
}

/**
 * The threshold that suits a single-output classifier's targets: 0 for ±1
 * labels (hinge loss, sign outputs), 0.5 for 0/1 labels (sigmoid outputs).
 *
 * @param targets The targets.
 * @returns 0 or 0.5.
 *
 * @example
 * ```ts
 * import { inferThreshold } from "./metrics.ts";
 * import { tensor } from "../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(inferThreshold(tensor([[-1], [1]])), 0);
 * assert.equal(inferThreshold(tensor([[0], [1]])), 0.5);
 * ```
 */
export function inferThreshold(targets: Tensor): number {
  const t = targets.data;
  for (let i = 0; i < t.length; i++) if (t[i] < 0) return 0;
  return 0.5;
}

/**
 * Classification accuracy, the share of samples classified correctly, in [0, 1].
 * - Several outputs per sample: the predicted class is the argmax over the last
 *   axis; targets are one-hot (or probability) rows, whose argmax is the class,
 *   or one class index per sample.
 * - One output per sample: the output is compared with a threshold (0.5 for 0/1
 *   labels with a sigmoid output; 0, the sign, for ±1 labels with hinge loss),
 *   as is the target. Logits with 0/1 labels need `threshold: 0`.
 *
 * @param options `threshold`.
 * @returns The metric `"accuracy"`.
 * @throws {RangeError} At compute time, when predictions and targets do not match (naming both shapes).
 *
 * @example
 * ```ts
 * import { accuracy } from "./metrics.ts";
 * import { tensor } from "../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const acc = accuracy();
 * assert.equal(acc.compute(tensor([[0.1, 0.9], [0.8, 0.2]]), tensor([[0, 1], [0, 1]])), 0.5);
 * assert.equal(acc.compute(tensor([[0.1, 0.9], [0.8, 0.2]]), tensor([1, 0])), 1);
 * assert.equal(acc.compute(tensor([[0.7], [-0.2]]), tensor([[1], [-1]])), 1);
 * ```
 */
export function accuracy(options: AccuracyOptions = {}): Metric {
  const fixed = options.threshold;
  if (fixed !== undefined && !Number.isFinite(fixed)) {
    throw new TypeError(
      `Cannot create metric "accuracy" as threshold must be a finite number: current value is ${fixed}`,
    );
  }
  return {
    name: "accuracy",
    compute(predictions, targets) {
      const n = predictions.shape[0];
      if (predictions.rank < 1 || targets.rank < 1 || targets.shape[0] !== n || n === 0) {
        throw new RangeError(
          `Cannot compute accuracy for predictions of shape [${predictions.shape}] and targets of shape [${targets.shape}]: both need the same number of rows`,
        );
      }
      const k = predictions.size / n;
      const p = predictions.data, t = targets.data;
      let correct = 0;
      if (k === 1) {
        if (targets.size !== n) {
          throw new RangeError(
            `Cannot compute accuracy for predictions of shape [${predictions.shape}] and targets of shape [${targets.shape}]: one output needs one target per sample`,
          );
        }
        const threshold = fixed ?? inferThreshold(targets);
        for (let i = 0; i < n; i++) if ((p[i] > threshold) === (t[i] > threshold)) correct++;
        return correct / n;
      }
      const oneHot = targets.size === predictions.size;
      if (!oneHot && targets.size !== n) {
        throw new RangeError(
          `Cannot compute accuracy for predictions of shape [${predictions.shape}] and targets of shape [${targets.shape}]: targets must be one-hot rows or one class index per sample`,
        );
      }
      for (let i = 0; i < n; i++) {
        const predicted = argmax(p, i * k, k);
        const actual = oneHot ? argmax(t, i * k, k) : t[i];
        if (predicted === actual) correct++;
      }
      return correct / n;
    },
  };
}

function argmax(data: ArrayLike<number>, offset: number, length: number): number {
  let best = 0;
  for (let j = 1; j < length; j++) if (data[offset + j] > data[offset + best]) best = j;
  return best;
}

/**
 * Turns the `metrics` option into metric objects: the name `"accuracy"`
 * (with the threshold inferred from the training targets), or `{ name, compute }` objects.
 *
 * @param metrics Names and metric objects.
 * @param targets The training targets, to pick accuracy's threshold.
 * @returns The metrics, in order.
 * @throws {TypeError} For an unknown name, a malformed metric, or a repeated or reserved name.
 *
 * @example
 * ```ts
 * import { resolveMetrics } from "./metrics.ts";
 * import { tensor } from "../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const metrics = resolveMetrics(["accuracy", { name: "count", compute: (p) => p.shape[0] }], tensor([[0], [1]]));
 * assert.deepEqual(metrics.map((m) => m.name), ["accuracy", "count"]);
 * ```
 */
export function resolveMetrics(metrics: readonly (string | Metric)[], targets: Tensor): Metric[] {
  if (!Array.isArray(metrics)) {
    throw new TypeError(
      `Cannot use the metrics as they must be an array of names and { name, compute } objects: current value is ${typeof metrics}`,
    );
  }
  const out: Metric[] = [];
  const reserved = new Set(["loss", "penalty", "epoch", "step", "time", "learningRate", "kind"]);
  for (const m of metrics) {
    let metric: Metric;
    if (m === "loss") continue;
    if (m === "accuracy") metric = accuracy({ threshold: inferThreshold(targets) });
    else if (typeof m === "string") {
      throw new TypeError(
        `Cannot use metric ${
          JSON.stringify(m)
        } as it is unknown: built-in metrics are "loss" and "accuracy"; pass others as { name, compute(predictions, targets) }`,
      );
    } else if (m !== null && typeof m === "object" && typeof m.name === "string" && typeof m.compute === "function") {
      metric = m;
    } else {
      throw new TypeError(
        `Cannot use a metric as it must be a name or { name, compute(predictions, targets) }: current value is ${
          m === null ? "null" : typeof m
        }`,
      );
    }
    if (reserved.has(metric.name) || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(metric.name)) {
      throw new TypeError(
        `Cannot use metric "${metric.name}" as its name must be a word (letters, digits, _ or -) other than ${
          [...reserved].join(", ")
        }`,
      );
    }
    if (out.some((o) => o.name === metric.name)) {
      throw new TypeError(`Cannot use metric "${metric.name}" as it is listed twice`);
    }
    out.push(metric);
  }
  return out;
}

/**
 * The history key of a validation metric: `"loss"` → `"valLoss"`.
 *
 * @param name The metric name.
 * @returns The key with `val` in front, camelCase.
 *
 * @example
 * ```ts
 * import { validationKey } from "./metrics.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(validationKey("accuracy"), "valAccuracy");
 * ```
 */
export function validationKey(name: string): string {
  return `val${name[0].toUpperCase()}${name.slice(1)}`;
}
