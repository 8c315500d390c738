/**
 * Evaluating a trained model on data: its loss and metrics.
 *
 * @module
 */

import type { Loss } from "../core/interfaces.ts";
import type { Registry } from "../core/registry.ts";
import { createRegistry } from "../plugins/mod.ts";
import { checkDataset, type Dataset } from "./data/_rows.ts";
import { type MetricSpec, recordMetric, resolveMetrics } from "./metrics.ts";
import { predict, type TrainedModel } from "./predict.ts";
import { type PluginSpec, resolvePlugin } from "./resolve.ts";

/** Options of {@linkcode evaluate}. */
export interface EvaluateOptions {
  /** The loss to report, as `train` takes it (an instance, a name or `{ name, ...options }`); none when absent. */
  loss?: PluginSpec<"loss"> | string;
  /** The metrics, as `train` takes them (`["accuracy", { name: "f1", average: "none" }]`). @default {[]} */
  metrics?: readonly MetricSpec[];
  /** Samples per forward pass. @default {1024} */
  batchSize?: number;
  /** Where names are looked up. @default {createRegistry()} */
  registry?: Registry;
}

/**
 * Evaluates a trained model on a data set, like Keras's `model.evaluate`: the
 * model runs in evaluation mode (dropout off, batch normalization on its
 * running statistics) over every sample, and the loss and each metric are
 * computed over the whole set (so precision, F1 and ROC AUC are exact, not
 * means of batch values). Metrics with named values (per class) give one key
 * each, `name.key`, as in training records.
 *
 * @param trained `{ model, params, state }`: `train`'s result or `loadModel`'s.
 * @param data `{ x, y }`, one sample per row.
 * @param options `loss`, `metrics`, `batchSize`, `registry`.
 * @returns `{ samples, loss?, <metric>… }`.
 * @throws {TypeError | RangeError} For bad data or options, or targets the loss or a metric cannot use.
 *
 * @example
 * ```ts
 * import { evaluate } from "./evaluate.ts";
 * import { train } from "./train.ts";
 * import { xor } from "./data/xor.ts";
 * import assert from "node:assert/strict";
 *
 * const result = await train({
 *   model: [{ name: "dense", units: 4 }, { name: "tanh" }, { name: "dense", units: 1 }, { name: "sigmoid" }],
 *   loss: "mse",
 *   optimizer: { name: "sgd", learningRate: 0.5, momentum: 0.9 },
 *   data: xor(),
 *   batching: "full",
 *   epochs: 300,
 *   seed: 1,
 * });
 * const scores = evaluate(result, xor(), { loss: "mse", metrics: ["accuracy", "f1"] });
 * assert.equal(scores.samples, 4);
 * assert.equal(scores.accuracy, 1);
 * assert.equal(scores.f1, 1);
 * assert.ok(scores.loss! < 0.05);
 * ```
 */
export function evaluate(
  trained: TrainedModel,
  data: Dataset,
  options: EvaluateOptions = {},
): { samples: number; loss?: number; [metric: string]: number | undefined } {
  const { x, y } = checkDataset("evaluate", "data", data);
  const registry = options.registry ?? createRegistry();
  const metrics = resolveMetrics(options.metrics ?? [], registry, y);
  const out = predict(trained, x, options.batchSize === undefined ? {} : { batchSize: options.batchSize });
  const scores: { samples: number; loss?: number; [metric: string]: number | undefined } = { samples: x.shape[0] };
  if (options.loss !== undefined) {
    const loss = resolvePlugin(registry, "loss", options.loss, (o) => typeof o === "function") as Loss;
    scores.loss = loss(out, y).data[0];
  }
  for (const m of metrics) recordMetric(scores, m.name, m.result(m.update(m.init(), out, y)));
  return scores;
}
