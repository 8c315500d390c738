/**
 * Metrics in training and evaluation: resolving the `metrics` option (names,
 * specs, metric objects, and per-batch functions), computing a metric over
 * tensors, and the history keys metrics are recorded under.
 *
 * The metrics themselves are plugins of kind `"metric"` (`plugins/metrics/`).
 *
 * @module
 */

import type { Metric, MetricValue } from "../core/interfaces.ts";
import type { Registry } from "../core/registry.ts";
import type { Tensor } from "../core/tensor.ts";
import { createRegistry } from "../plugins/mod.ts";

export { accuracy, type AccuracyOptions } from "../plugins/metrics/accuracy.ts";
export type { Metric, MetricValue } from "../core/interfaces.ts";

/**
 * A metric given as a function of one batch, as earlier versions of gradflow
 * took: its per-epoch value is the mean of the batch values, weighted by the
 * batch sizes (right for averages such as accuracy or a mean error; for
 * precision, F1 or AUC use a {@linkcode Metric}).
 */
export interface BatchMetric {
  /** The key in history records. */
  name: string;
  /**
   * The value for one batch.
   *
   * @param predictions The model's outputs, batch axis first.
   * @param targets The targets, batch axis first.
   * @returns The value.
   */
  compute(predictions: Tensor, targets: Tensor): number;
}

/** A metric as the `metrics` option of `train` and `evaluate` takes it. */
export type MetricSpec = string | { name: string; [option: string]: unknown } | Metric | BatchMetric;

/**
 * The threshold that suits a single-output classifier's targets: 0 for ±1
 * labels (hinge loss, sign outputs), 0.5 for 0/1 labels (sigmoid outputs).
 * What the classification metrics' `threshold: "auto"` picks.
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
  return targets.data.some((v) => v < 0) ? 0 : 0.5;
}

const RESERVED = new Set(["loss", "penalty", "epoch", "step", "time", "learningRate", "kind"]);

function isMetric(m: unknown): m is Metric {
  const o = m as Metric | null;
  return o !== null && typeof o === "object" && typeof o.init === "function" && typeof o.update === "function" &&
    typeof o.result === "function";
}

function fromBatchMetric(m: BatchMetric): Metric<{ sum: number; samples: number }> {
  return {
    name: m.name,
    init: () => ({ sum: 0, samples: 0 }),
    update(state, predictions, targets) {
      const n = predictions.shape[0] ?? 1;
      state.sum += m.compute(predictions, targets) * n;
      state.samples += n;
      return state;
    },
    result: (state) => (state.samples === 0 ? NaN : state.sum / state.samples),
  };
}

function describe(m: unknown): string {
  if (m === null) return "null";
  if (Array.isArray(m)) return "an array";
  return typeof m === "string" ? JSON.stringify(m) : typeof m;
}

/**
 * Turns the `metrics` option into metric objects: a name or `{ name, ...options }`
 * of a registered metric plugin, a {@linkcode Metric} (`init`, `update`,
 * `result`), or a {@linkcode BatchMetric} (`{ name, compute }`). `"loss"` is
 * always recorded and is skipped here.
 *
 * @param metrics Names, specs and metric objects.
 * @param registry Where names are looked up. @default {createRegistry()}
 * @param targets The training targets: a metric created by name whose plugin has a `threshold`
 *   option, not given, gets the one these suggest ({@linkcode inferThreshold}), so that every batch
 *   and the validation set are read alike. @default {none: each metric decides from what it sees}
 * @returns The metrics, in order.
 * @throws {TypeError} For a malformed entry, a repeated name or a reserved one (`"time"`, …).
 * @throws {RangeError} For an unknown name (with the nearest registered one).
 *
 * @example
 * ```ts
 * import { resolveMetrics } from "./metrics.ts";
 * import assert from "node:assert/strict";
 *
 * const metrics = resolveMetrics(["accuracy", { name: "top-k-accuracy", k: 3 }, { name: "count", compute: (p) => p.shape[0] }]);
 * assert.deepEqual(metrics.map((m) => m.name), ["accuracy", "top3Accuracy", "count"]);
 * ```
 */
export function resolveMetrics(
  metrics: readonly MetricSpec[],
  registry: Registry = createRegistry(),
  targets?: Tensor,
): Metric[] {
  const create = (name: string, options: Record<string, unknown>): Metric => {
    const plugin = registry.get("metric", name);
    const threshold = targets !== undefined && options.threshold === undefined &&
        plugin.defaults !== undefined && "threshold" in plugin.defaults
      ? { threshold: inferThreshold(targets) }
      : {};
    return registry.create("metric", name, { ...options, ...threshold });
  };
  if (!Array.isArray(metrics)) {
    throw new TypeError(
      `Cannot use the metrics as they must be an array of names, { name, ...options } specs and metric objects: current value is ${
        describe(metrics)
      }`,
    );
  }
  const out: Metric[] = [];
  for (const m of metrics) {
    let metric: Metric;
    if (m === "loss") continue;
    if (typeof m === "string") metric = create(m, {});
    else if (isMetric(m)) metric = m;
    else if (m !== null && typeof m === "object" && typeof m.name === "string" && "compute" in m) {
      if (typeof m.compute !== "function") {
        throw new TypeError(
          `Cannot use metric "${m.name}" as compute must be a function: current value is ${describe(m.compute)}`,
        );
      }
      metric = fromBatchMetric(m as BatchMetric);
    } else if (m !== null && typeof m === "object" && !Array.isArray(m) && typeof m.name === "string") {
      const { name, ...options } = m;
      metric = create(name, options);
    } else {
      throw new TypeError(
        `Cannot use a metric as it must be a name, { name, ...options }, a metric { name, init, update, result } or { name, compute }: current value is ${
          describe(m)
        }`,
      );
    }
    if (RESERVED.has(metric.name) || !/^[A-Za-z][A-Za-z0-9_]*$/.test(metric.name)) {
      throw new TypeError(
        `Cannot use metric "${metric.name}" as its record key must be a word (letters, digits or _) other than ${
          [...RESERVED].join(", ")
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
 * A metric's value over the given predictions and targets, in one batch.
 *
 * @param metric The metric.
 * @param predictions The outputs, batch axis first.
 * @param targets The targets.
 * @returns Its value.
 *
 * @example
 * ```ts
 * import { accuracy, computeMetric } from "./metrics.ts";
 * import { tensor } from "../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(computeMetric(accuracy(), tensor([[0.9], [0.2], [0.7]]), tensor([[1], [1], [0]])), 1 / 3);
 * ```
 */
export function computeMetric(metric: Metric, predictions: Tensor, targets: Tensor): MetricValue {
  return metric.result(metric.update(metric.init(), predictions, targets));
}

/**
 * Puts a metric's value into a record: a number under `key`, named numbers
 * under `key.<name>`.
 *
 * @param record The record (changed).
 * @param key The key (`"precision"`, `"valPrecision"`).
 * @param value The metric's value.
 *
 * @example
 * ```ts
 * import { recordMetric } from "./metrics.ts";
 * import assert from "node:assert/strict";
 *
 * const record: Record<string, number> = {};
 * recordMetric(record, "precision", { "0": 0.5, "1": 1 });
 * recordMetric(record, "accuracy", 0.75);
 * assert.deepEqual(record, { "precision.0": 0.5, "precision.1": 1, accuracy: 0.75 });
 * ```
 */
export function recordMetric(record: Record<string, unknown>, key: string, value: MetricValue): void {
  if (typeof value === "number") record[key] = value;
  else for (const [name, v] of Object.entries(value)) record[`${key}.${name}`] = v;
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
