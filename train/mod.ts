/**
 * Training and experiments: `train` with its batching modes, validation,
 * metrics, early stopping and diagnostics; data generators and loaders;
 * callbacks for progress and metrics files; crash-safe checkpoints with exact
 * resume; saving a model for `predict`; and `minimize` for plain functions.
 *
 * @example Train on two spirals and predict
 * ```ts
 * import { predict, train, twoSpirals } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const data = twoSpirals({ samples: 64, seed: 1 });
 * const result = await train({
 *   model: { name: "sequential", layers: [{ name: "dense", units: 8 }, { name: "sigmoid" }, { name: "dense", units: 1 }, { name: "sigmoid" }] },
 *   loss: "mse",
 *   optimizer: { name: "sgd", learningRate: 0.5 },
 *   data,
 *   epochs: 2,
 *   batchSize: 16,
 * });
 * assert.equal(result.history.epochs.length, 2);
 * assert.deepEqual(predict(result, data.x).shape, [64, 1]);
 * ```
 *
 * @module
 */

export { train, type TrainOptions, type TrainResult } from "./train.ts";
export { type Batching, BATCHINGS, type BatchPlan, batchPlan } from "./batching.ts";
export type { Callback, TrainContext } from "./callback.ts";
export type { EpochRecord, History, StepRecord } from "./history.ts";
export {
  accuracy,
  type AccuracyOptions,
  type BatchMetric,
  computeMetric,
  inferThreshold,
  type MetricSpec,
  recordMetric,
  resolveMetrics,
  validationKey,
} from "./metrics.ts";
export {
  type EarlyStoppingConfig,
  earlyStoppingConfig,
  type EarlyStoppingOptions,
  type EarlyStoppingState,
  earlyStoppingStep,
} from "./early_stopping.ts";
export { findNonFinite, gradientNorms, layerOf, NonFiniteError, type NonFiniteValue } from "./diagnostics.ts";
export { isLayer, jsonSpec, type ModelSpec, normalizeModelSpec, resolveModel } from "./model.ts";
export { predict, type PredictOptions, type TrainedModel } from "./predict.ts";
export { evaluate, type EvaluateOptions } from "./evaluate.ts";
export { formatSummary, type ModelSummary, modelSummary, type SummaryRow } from "./summary.ts";
export {
  type LoadedModel,
  loadModel,
  type LoadModelOptions,
  MODEL_FILE,
  type SavableModel,
  saveModel,
} from "./model_io.ts";
export {
  CHECKPOINT_FILE,
  loadCheckpoint,
  saveCheckpoint,
  type SaveCheckpointOptions,
  type TrainerSnapshot,
} from "./checkpoint.ts";
export * from "./data/mod.ts";
export * from "./io/mod.ts";
export * from "./callbacks/mod.ts";
export {
  type EvaluationCounts,
  type GaussNewtonSplit,
  gaussNewtonVp,
  minimize,
  type MinimizeOptions,
  type MinimizePoint,
  type MinimizeResult,
} from "./minimize.ts";
export { type PluginSpec, resolvePlugin } from "./resolve.ts";
export * from "./plot/mod.ts";
export {
  decodeState,
  type EncodedState,
  encodeState,
  type EncodeStateOptions,
  type JsonValue,
  type NamedTensors,
} from "./serialize.ts";
