/**
 * `train`: fit a model to data with an optimizer, batch by batch, epoch by epoch.
 *
 * @module
 */

import { setBackend } from "../core/backend.ts";
import type { Layer, Loss, Optimizer, Regularizer, StateValue } from "../core/interfaces.ts";
import { Random } from "../core/random.ts";
import type { Registry } from "../core/registry.ts";
import { exclusiveMemory, recycle } from "../core/tensor.ts";
import { flattenTree, type Tree } from "../core/tree.ts";
import { createRegistry } from "../plugins/mod.ts";
import { type Batching, BATCHINGS, batchPlan } from "./batching.ts";
import type { Callback, TrainContext } from "./callback.ts";
import { loadCheckpoint, type TrainerSnapshot } from "./checkpoint.ts";
import { checkDataset, type Dataset, takeRows } from "./data/_rows.ts";
import { splitDataset } from "./data/split.ts";
import {
  earlyStoppingConfig,
  type EarlyStoppingOptions,
  type EarlyStoppingState,
  earlyStoppingStep,
} from "./early_stopping.ts";
import type { EpochRecord, History, StepRecord } from "./history.ts";
import { type Metric, resolveMetrics, validationKey } from "./metrics.ts";
import { jsonSpec, type ModelSpec, normalizeModelSpec, resolveModel } from "./model.ts";
import { predict } from "./predict.ts";
import { _trainStep, copyState } from "./_step.ts";
import { type PluginSpec, resolvePlugin } from "./resolve.ts";

/** Options of {@linkcode train}. */
export interface TrainOptions {
  /** The model: a layer, a spec such as `{ name: "sequential", layers: [{ name: "dense", units: 8 }, …] }`, or a bare list of layer specs. */
  model: Layer | ModelSpec;
  /** The loss: an instance, a name, or `{ name, ...options }`. */
  loss: PluginSpec<"loss"> | string;
  /** The optimizer: an instance, a name, or `{ name, ...options }`. */
  optimizer: PluginSpec<"optimizer"> | string;
  /** The training data `{ x, y }`, one sample per row. */
  data: Dataset;
  /** The epoch to train up to (when resuming, the total, not the number still to run). @default {10} */
  epochs?: number;
  /** Samples per minibatch (minibatch modes only). @default {32} */
  batchSize?: number;
  /** How samples are grouped into updates; see {@linkcode Batching}. @default {"minibatch-shuffled"} */
  batching?: Batching;
  /** A held-out fraction of `data` in (0, 1), drawn with the seed, or a separate `{ x, y }`. */
  validation?: number | Dataset;
  /** Regularizers: penalties added to the loss, projections applied after each update. */
  regularizers?: readonly (PluginSpec<"regularizer"> | string)[];
  /**
   * A learning-rate schedule (a function of the step, 0 for the first update, or a spec). It
   * becomes the optimizer's `learningRate`, so the optimizer must be given as a name or spec.
   */
  scheduler?: PluginSpec<"scheduler"> | string;
  /** Metrics besides the loss: `"accuracy"` or `{ name, compute(predictions, targets) }`. @default {[]} */
  metrics?: readonly (string | Metric)[];
  /** Progress bars, loggers, checkpoints… */
  callbacks?: readonly Callback[];
  /** The seed of every random choice: initialization, split, batches, dropout. @default {0} */
  seed?: number;
  /** Stop when the monitored metric stops improving (`true` for the defaults). */
  earlyStopping?: EarlyStoppingOptions | boolean;
  /** Record each layer's gradient norm (`gradNorm.<layer>`), per step and averaged per epoch. @default {false} */
  gradientNorms?: boolean;
  /** Keep a record per update in `history.steps`. @default {false} */
  recordSteps?: boolean;
  /** Where names are looked up. @default {createRegistry()} */
  registry?: Registry;
  /** Continue a run from a checkpoint folder or snapshot (`epochs` is then the total). */
  resume?: string | TrainerSnapshot;
  /** Start from these parameters (and layer state) instead of a fresh initialization. */
  initial?: { params: Tree; state?: Tree };
  /** Samples per forward pass when evaluating the validation set. @default {1024} */
  evalBatchSize?: number;
  /**
   * The kernel backend for this run: an instance, a name (`"js"`, `"wasm"`, `"blas"`) or
   * `{ name, ...options }`; the previous backend is restored when the run ends. @default {the active backend}
   */
  backend?: PluginSpec<"backend"> | string;
}

/** What {@linkcode train} returns. */
export interface TrainResult {
  /** The model (resolved from its spec if one was given). */
  model: Layer;
  /** The model's spec when it was given as plain JSON, else `null` (for `saveModel`). */
  modelSpec: Record<string, unknown> | null;
  /** The shape of one input sample. */
  inputShape: number[];
  /** The trained parameters (the best epoch's, when early stopping restored them). */
  params: Tree;
  /** The layer state that goes with `params`. */
  state: Tree;
  /** The optimizer's final state. */
  optimizerState: StateValue;
  /** Per-epoch (and, with `recordSteps`, per-step) records. */
  history: History;
  /** Completed epochs (including those before a resume). */
  epochs: number;
  /** Updates made. */
  steps: number;
  /** `"completed"`, `"early-stopping"` or a callback's reason. */
  stopReason: string;
  /** The best epoch under early stopping, else `null`. */
  bestEpoch: number | null;
}

const isOptimizer = (o: object) => typeof (o as Optimizer).update === "function";
const isLoss = (o: object) => typeof o === "function";
const isRegularizer = (o: object) =>
  typeof (o as Regularizer).penalty === "function" || typeof (o as Regularizer).project === "function";
const isScheduler = (o: object) => typeof o === "function";

function fail(why: string): never {
  throw new RangeError(`Cannot train as ${why}`);
}

function checkInteger(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new RangeError(`Cannot train as ${name} must be an integer ≥ ${min}: current value is ${value}`);
  }
  return value;
}

function specName(spec: unknown, fallback: string): string {
  if (typeof spec === "string") return spec;
  const name = (spec as { name?: unknown } | null)?.name;
  return typeof name === "string" && typeof spec === "object" ? name : fallback;
}

function sameStructure(a: Tree, b: Tree, what: string): void {
  const fa = flattenTree(a), fb = new Map(flattenTree(b));
  for (const [path, t] of fa) {
    const u = fb.get(path);
    if (u === undefined) fail(`${what} lacks "${path}" of shape [${t.shape}] that the model has`);
    if (u!.shape.join() !== t.shape.join() || u!.dtype !== t.dtype) {
      fail(`${what} has "${path}" of shape [${u!.shape}] (${u!.dtype}) but the model's is [${t.shape}] (${t.dtype})`);
    }
    fb.delete(path);
  }
  if (fb.size > 0) fail(`${what} has "${[...fb.keys()][0]}", which the model lacks`);
}

async function each(callbacks: readonly Callback[], fn: (c: Callback) => void | Promise<void> | undefined) {
  for (const c of callbacks) {
    const r = fn(c);
    if (r && typeof (r as Promise<void>).then === "function") await r;
  }
}

/**
 * Trains a model by gradient methods: the loop of seeds 000–003, with the
 * bookkeeping a real run needs.
 *
 * Each epoch is one pass over the training samples, grouped into batches as
 * `batching` says (full batch, single sample, fixed minibatches made once, or
 * minibatches reshuffled every epoch); each batch is one iteration (update):
 *   J(θ) = loss(model(θ; x_B), y_B) + Σ penalties(θ),  g = ∂J/∂θ (by the flow graph),
 *   θ ← θ + optimizer.update(g)  (or optimizer.step),  then each regularizer's `project`.
 * The learning-rate schedule sees the step (0 for the first update).
 * Second-order optimizers get the full `UpdateContext` for the current batch:
 * `loss`, `evaluate(θ′)`, the exact `hvp(θ′, v)` and the Gauss–Newton product
 * `gaussNewtonVp(θ′, v)` (of the data loss through the model's outputs, plus
 * the penalties' exact Hessian). Layer state (batch-norm
 * running statistics) is threaded from step to step; stochastic layers get a
 * generator forked from the seed for each step.
 *
 * A step allocates no new parameters or optimizer state: it donates the old
 * buffers (JAX's buffer donation; PyTorch's `optimizer.step()` also works in
 * place) and uses the optimizer's fused `step` where it has one (Adam).
 * Nothing you can see changes under you: the caller's `initial` tensors and
 * any `params` a callback reads are never written over (the step after such
 * a read allocates afresh), and `snapshot()` returns copies.
 *
 * After each epoch the validation set (if any) is evaluated in evaluation mode,
 * early stopping is updated, and callbacks run (progress bar, loggers,
 * checkpoints). Everything random derives from `seed`, so a run is
 * reproducible, and `resume` continues a checkpointed run bit for bit.
 *
 * A non-finite loss or gradient stops the run at once with a
 * `NonFiniteError` (see `diagnostics.ts`) naming the step and the parameter.
 *
 * @param options See {@linkcode TrainOptions}.
 * @returns The trained parameters, history and more; see {@linkcode TrainResult}.
 * @throws {NonFiniteError} When the loss or a gradient becomes NaN or infinite.
 * @throws {TypeError | RangeError} For a bad option, naming it.
 *
 * @example XOR with a small sigmoid network
 * ```ts
 * import { train } from "./train.ts";
 * import { xor } from "./data/xor.ts";
 * import assert from "node:assert/strict";
 *
 * const result = await train({
 *   model: { name: "sequential", layers: [{ name: "dense", units: 4 }, { name: "tanh" }, { name: "dense", units: 1 }, { name: "sigmoid" }] },
 *   loss: "mse",
 *   optimizer: { name: "sgd", learningRate: 0.5, momentum: 0.9 },
 *   data: xor(),
 *   batching: "full",
 *   epochs: 300,
 *   metrics: ["accuracy"],
 *   seed: 1,
 * });
 * assert.equal(result.history.epochs.at(-1)!.accuracy, 1);
 * ```
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`Cannot train as the options must be an object: current value is ${options}`);
  }
  if (options.backend === undefined) return await trainOnActiveBackend(options);
  const backend = resolvePlugin(options.registry ?? createRegistry(), "backend", options.backend, (b) => "matmul" in b);
  const previous = setBackend(backend);
  try {
    return await trainOnActiveBackend(options);
  } finally {
    setBackend(previous);
  }
}

async function trainOnActiveBackend(options: TrainOptions): Promise<TrainResult> {
  const known = [
    "model",
    "loss",
    "optimizer",
    "data",
    "epochs",
    "batchSize",
    "batching",
    "validation",
    "regularizers",
    "scheduler",
    "metrics",
    "callbacks",
    "seed",
    "earlyStopping",
    "gradientNorms",
    "recordSteps",
    "registry",
    "resume",
    "initial",
    "evalBatchSize",
    "backend",
  ];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(`Cannot train as it has an unknown option "${key}": known options are ${known.join(", ")}`);
    }
  }
  const registry = options.registry ?? createRegistry();
  const epochs = checkInteger("epochs", options.epochs, 10, 0);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(seed)) {
    throw new TypeError(`Cannot train as seed must be a safe integer: current value is ${seed}`);
  }
  const batching = options.batching ?? "minibatch-shuffled";
  if (!BATCHINGS.includes(batching)) {
    throw new RangeError(
      `Cannot train as batching must be one of ${
        BATCHINGS.map((b) => JSON.stringify(b)).join(", ")
      }: current value is ${JSON.stringify(batching)}`,
    );
  }
  const batchSize = checkInteger("batchSize", options.batchSize, 32, 1);
  const evalBatchSize = checkInteger("evalBatchSize", options.evalBatchSize, 1024, 1);
  const callbacks = options.callbacks ?? [];
  if (!Array.isArray(callbacks)) throw new TypeError(`Cannot train as callbacks must be an array of callback objects`);

  // Plugins.
  if (options.model === undefined) {
    throw new TypeError("Cannot train as model must be given: current value is undefined");
  }
  const model = resolveModel(options.model, registry);
  const lossFn = resolvePlugin(registry, "loss", options.loss, isLoss) as Loss;
  let schedule: ((step: number) => number) | null = null;
  if (options.scheduler !== undefined) {
    schedule = resolvePlugin(registry, "scheduler", options.scheduler, isScheduler) as (step: number) => number;
  }
  let step = 0;
  let optimizerSpec = options.optimizer as unknown;
  if (schedule !== null) {
    if (typeof optimizerSpec === "string") optimizerSpec = { name: optimizerSpec };
    if (optimizerSpec === null || typeof optimizerSpec !== "object" || isOptimizer(optimizerSpec as object)) {
      throw new TypeError(
        "Cannot train with a scheduler as the optimizer must then be a name or { name, ...options } (the schedule becomes its learningRate); for an optimizer instance, pass the schedule as its learningRate instead",
      );
    }
    const s = schedule;
    optimizerSpec = { ...(optimizerSpec as object), learningRate: () => s(step) };
  }
  const optimizer = resolvePlugin(
    registry,
    "optimizer",
    optimizerSpec as PluginSpec<"optimizer">,
    isOptimizer,
  ) as Optimizer<StateValue>;
  let fixedRate = (optimizerSpec as { learningRate?: unknown } | null)?.learningRate;
  if (fixedRate === undefined && !isOptimizer(optimizerSpec as object)) {
    const name = specName(optimizerSpec, "");
    if (registry.has("optimizer", name)) fixedRate = registry.get("optimizer", name).defaults?.learningRate;
  }
  const learningRateAt = (k: number): number | undefined =>
    schedule !== null ? schedule(k) : typeof fixedRate === "number" ? fixedRate : undefined;
  const regSpecs = options.regularizers ?? [];
  if (!Array.isArray(regSpecs)) throw new TypeError("Cannot train as regularizers must be an array");
  const regularizers = regSpecs.map((r) => resolvePlugin(registry, "regularizer", r, isRegularizer) as Regularizer);
  const regLabels = regSpecs.map((r, i) => specName(r, `regularizer${i}`));

  // Data and random streams: each consumer has its own fork of the seed.
  const master = new Random(seed);
  const initRng = master.fork(), splitRng = master.fork(), batchRng = master.fork(), layerRng = master.fork();
  const data = checkDataset("train", "data", options.data);
  let trainSet: Dataset = data, validation: Dataset | null = null;
  if (typeof options.validation === "number") {
    const split = splitDataset(data, options.validation, splitRng);
    trainSet = split.train;
    validation = split.validation;
  } else if (options.validation !== undefined) {
    validation = checkDataset("train", "validation", options.validation);
  }
  const samples = trainSet.x.shape[0];
  const inputShape = trainSet.x.shape.slice(1);
  const plan = batchPlan(batching, samples, batchSize, batchRng);
  const metrics = resolveMetrics(options.metrics ?? [], trainSet.y);

  // Parameters and states.
  const fresh = model.init(inputShape, initRng);
  let params: Tree = fresh.params, layerState: Tree = fresh.state;
  if (options.initial !== undefined) {
    sameStructure(fresh.params, options.initial.params, "initial.params");
    params = options.initial.params;
    if (options.initial.state !== undefined) layerState = options.initial.state;
  }
  let optState = optimizer.init(params);
  let regStates: StateValue[] = regularizers.map((r) => (r.init ? r.init(params) : null));

  // Early stopping.
  const es = options.earlyStopping === undefined || options.earlyStopping === false
    ? null
    : earlyStoppingConfig(options.earlyStopping);
  if (es !== null) {
    const keys = ["loss", ...metrics.map((m) => m.name)];
    if (regularizers.some((r) => r.penalty)) keys.push("penalty");
    if (validation !== null) keys.push(...["loss", ...metrics.map((m) => m.name)].map(validationKey));
    if (!keys.includes(es.monitor)) {
      throw new RangeError(
        `Cannot stop early on "${es.monitor}" as the run records only ${keys.join(", ")}${
          validation === null && es.monitor.startsWith("val")
            ? " (no validation set is given: pass validation, a fraction or { x, y })"
            : ""
        }`,
      );
    }
  }
  let esState: EarlyStoppingState = { best: null, bestEpoch: null, wait: 0 };
  let best: { params: Tree; state: Tree } | null = null;
  // Buffer donation: a step writes the new parameters and optimizer state over the old ones unless something
  // outside the loop may hold them: the caller's tensors (initial, an in-memory resume), a callback that read
  // `params`, or the early-stopping best. Such a step allocates anew, and the flag clears. (Snapshots copy.)
  const inMemoryResume = options.resume !== undefined && typeof options.resume !== "string";
  let paramsShared = options.initial !== undefined || inMemoryResume, stateShared = inMemoryResume;

  const config: Record<string, unknown> = {
    model: jsonSpec(normalizeModelSpec(options.model)),
    loss: jsonSpec(options.loss) ?? (typeof options.loss === "string" ? options.loss : null),
    optimizer: jsonSpec(options.optimizer) ?? (typeof options.optimizer === "string" ? options.optimizer : null),
    regularizers: regSpecs.map((r) => jsonSpec(r) ?? (typeof r === "string" ? r : null)),
    scheduler: jsonSpec(options.scheduler) ?? (typeof options.scheduler === "string" ? options.scheduler : null),
    epochs,
    batching,
    batchSize: batching === "full" ? samples : batching === "single" ? 1 : batchSize,
    seed,
    samples,
    inputShape,
    validation: typeof options.validation === "number"
      ? options.validation
      : validation === null
      ? null
      : `${validation.x.shape[0]} samples`,
    metrics: metrics.map((m) => m.name),
    earlyStopping: es,
  };

  // Resume.
  let history: History = { epochs: [], steps: [] };
  let startEpoch = 0, timeOffset = 0;
  let stopReason: string | null = null;
  if (options.resume !== undefined) {
    // A snapshot given in memory stays the caller's: the first step allocates anew (paramsShared, stateShared).
    const snap = typeof options.resume === "string" ? await loadCheckpoint(options.resume) : options.resume;
    for (const key of ["seed", "batching", "batchSize", "samples", "validation"] as const) {
      const was = snap.config?.[key], now = config[key];
      if (JSON.stringify(was) !== JSON.stringify(now)) {
        fail(
          `resuming needs the same ${key} as the checkpoint (it decides the data order): the checkpoint has ${
            JSON.stringify(was)
          }, this run ${JSON.stringify(now)}`,
        );
      }
    }
    if (JSON.stringify(snap.config?.inputShape) !== JSON.stringify(inputShape)) {
      fail(`the checkpoint's inputs have shape [${snap.config?.inputShape}] but the data's have [${inputShape}]`);
    }
    sameStructure(fresh.params, snap.params, "the checkpoint's params");
    params = snap.params;
    layerState = snap.state;
    optState = snap.optimizerState;
    if (snap.regularizerStates.length !== regularizers.length) {
      fail(
        `the checkpoint has ${snap.regularizerStates.length} regularizer states but this run has ${regularizers.length} regularizers`,
      );
    }
    regStates = snap.regularizerStates;
    step = snap.step;
    startEpoch = snap.epoch;
    timeOffset = snap.time;
    batchRng.setState(snap.rng.batches);
    layerRng.setState(snap.rng.layers);
    history = { epochs: [...snap.history.epochs], steps: [...snap.history.steps] };
    if (es !== null && snap.earlyStopping !== null) {
      esState = {
        best: snap.earlyStopping.best,
        bestEpoch: snap.earlyStopping.bestEpoch,
        wait: snap.earlyStopping.wait,
      };
      best = snap.earlyStopping.bestParams === null
        ? null
        : { params: snap.earlyStopping.bestParams, state: snap.earlyStopping.bestState ?? layerState };
    }
    stopReason = snap.stopReason;
  }

  // The run.
  const started = performance.now();
  const elapsed = () => timeOffset + (performance.now() - started) / 1000;
  let epoch = startEpoch, batch = 0, batchSamples = 0, stopRequest: string | null = null;
  const context: TrainContext = {
    epochs,
    stepsPerEpoch: plan.stepsPerEpoch,
    samples,
    startEpoch,
    get epoch() {
      return epoch;
    },
    get batch() {
      return batch;
    },
    get step() {
      return step;
    },
    get batchSamples() {
      return batchSamples;
    },
    get params() {
      paramsShared = true;
      return params;
    },
    get state() {
      return layerState;
    },
    get history() {
      return history;
    },
    config,
    stop(reason = "callback") {
      stopRequest = reason;
    },
    snapshot: () =>
      copyState({
        epoch,
        step,
        time: elapsed(),
        params,
        state: layerState,
        optimizerState: optState,
        regularizerStates: regStates,
        rng: { batches: batchRng.getState(), layers: layerRng.getState() },
        earlyStopping: es === null
          ? null
          : { ...esState, bestParams: best?.params ?? null, bestState: best?.state ?? null },
        history: { epochs: [...history.epochs], steps: [...history.steps] },
        config,
        stopReason: stopRequest ?? stopReason,
      }),
  };

  const hasPenalty = regularizers.some((r) => r.penalty);
  try {
    await each(callbacks, (c) => c.onTrainBegin?.(context));
    while (epoch < epochs && stopReason === null) {
      epoch++;
      batch = 0;
      await each(callbacks, (c) => c.onEpochBegin?.(context));
      let seen = 0, lossSum = 0, penaltySum = 0;
      const metricSums = metrics.map(() => 0);
      const normSums: Record<string, number> = {};
      let lastRate: number | undefined;
      for (const indices of plan.epoch(batchRng)) {
        batch++;
        const xb = takeRows(trainSet.x, indices), yb = takeRows(trainSet.y, indices);
        const rate = learningRateAt(step);
        const r = _trainStep({
          model,
          loss: lossFn,
          optimizer,
          regularizers,
          params,
          layerState,
          optState,
          regStates,
          x: xb,
          y: yb,
          rng: layerRng.fork().getState(),
          step,
          learningRate: rate,
          where: `step ${step + 1} (epoch ${epoch}, batch ${batch} of ${plan.stepsPerEpoch})`,
          epoch,
          history,
          donate: !stateShared,
          donateParams: !paramsShared,
          gradientNorms: options.gradientNorms === true,
        });
        params = r.params;
        layerState = r.layerState;
        optState = r.optState;
        paramsShared = stateShared = false; // a step without donation leaves new buffers that nothing else holds
        regStates = r.regStates;
        step++;
        const n = batchSamples = indices.length;
        const dataLoss = r.dataLoss, penalty = r.penalty ?? 0;
        seen += n;
        lossSum += dataLoss * n;
        penaltySum += penalty * n;
        metrics.forEach((m, i) => (metricSums[i] += m.compute(r.output, yb) * n));
        // The batch's inputs are done with: unless an output or a state shares their buffer (a reshape of the
        // input, say), the buffer goes back to the allocator for the next batch.
        if (exclusiveMemory([xb, r.output, ...flattenTree(r.layerState).map(([, t]) => t)]).every((own) => own)) {
          recycle([xb]);
        }
        const record: StepRecord = { epoch, step, loss: dataLoss };
        if (hasPenalty) record.penalty = penalty;
        if (rate !== undefined) record.learningRate = lastRate = rate;
        if (r.gradNorms !== null) {
          for (const [layer, norm] of Object.entries(r.gradNorms)) {
            record[`gradNorm.${layer}`] = norm;
            normSums[layer] = (normSums[layer] ?? 0) + norm;
          }
        }
        if (options.recordSteps) history.steps.push(record);
        await each(callbacks, (c) => c.onStepEnd?.(record, context));
      }

      const record: EpochRecord = { epoch, step, loss: lossSum / seen, time: 0 };
      if (hasPenalty) record.penalty = penaltySum / seen;
      metrics.forEach((m, i) => (record[m.name] = metricSums[i] / seen));
      if (validation !== null) {
        const out = predict({ model, params, state: layerState }, validation.x, { batchSize: evalBatchSize });
        record.valLoss = lossFn(out, validation.y).data[0];
        for (const m of metrics) record[validationKey(m.name)] = m.compute(out, validation.y);
      }
      if (lastRate !== undefined) record.learningRate = lastRate;
      for (const [layer, sum] of Object.entries(normSums)) record[`gradNorm.${layer}`] = sum / plan.stepsPerEpoch;
      regularizers.forEach((r, i) => {
        if (!r.report) return;
        for (const [key, value] of Object.entries(r.report(params, regStates[i]))) {
          record[`${regLabels[i]}.${key}`] = value;
        }
      });
      record.time = elapsed();
      history.epochs.push(record);
      if (es !== null) {
        const r = earlyStoppingStep(es, esState, record[es.monitor], epoch);
        esState = r.state;
        if (r.improved && es.restoreBest) {
          best = { params, state: layerState };
          paramsShared = true;
        }
        if (r.stop) stopRequest ??= "early-stopping";
      }
      await each(callbacks, (c) => c.onEpochEnd?.(record, context));
      if (stopRequest !== null) stopReason = stopRequest;
    }
  } catch (e) {
    await each(callbacks, (c) => c.onTrainError?.(e, context));
    throw e;
  }
  let final = { params, state: layerState };
  if (es !== null && es.restoreBest && best !== null && esState.bestEpoch !== epoch) final = best;
  params = final.params;
  layerState = final.state;
  await each(callbacks, (c) => c.onTrainEnd?.(context));
  return {
    model,
    modelSpec: jsonSpec(options.model),
    inputShape,
    params,
    state: layerState,
    optimizerState: optState,
    history,
    epochs: epoch,
    steps: step,
    stopReason: stopReason ?? "completed",
    bestEpoch: es === null ? null : esState.bestEpoch,
  };
}
