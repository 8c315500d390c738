/**
 * `train`: fit a model to data with an optimizer, batch by batch, epoch by epoch.
 *
 * @module
 */

import { setBackend } from "../core/backend.ts";
import type { AdaptiveScheduler, Layer, Loss, Metric, Optimizer, Regularizer, StateValue } from "../core/interfaces.ts";
import { Random } from "../core/random.ts";
import type { Registry } from "../core/registry.ts";
import { exclusiveMemory, recycle } from "../core/tensor.ts";
import { flattenTree, type Tree } from "../core/tree.ts";
import { createRegistry } from "../plugins/mod.ts";
import { type Batching, BATCHINGS, type BatchPlan, batchPlan } from "./batching.ts";
import type { Callback, TrainContext } from "./callback.ts";
import { progressBar } from "./callbacks/progress_bar.ts";
import { loadCheckpoint, type TrainerSnapshot } from "./checkpoint.ts";
import { checkDataset, type Dataset, takeRows } from "./data/_rows.ts";
import { splitDataset } from "./data/split.ts";
import {
  type EarlyStoppingConfig,
  earlyStoppingConfig,
  type EarlyStoppingOptions,
  type EarlyStoppingState,
  earlyStoppingStep,
} from "./early_stopping.ts";
import type { EpochRecord, History, StepRecord } from "./history.ts";
import { type MetricSpec, recordMetric, resolveMetrics, validationKey } from "./metrics.ts";
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
  /**
   * Metrics besides the loss, each a metric plugin's name (`"accuracy"`, `"f1"`), a spec
   * (`{ name: "top-k-accuracy", k: 3 }`), a `Metric` or `{ name, compute(predictions, targets) }`;
   * computed over each epoch's training batches and over the validation set. @default {[]}
   */
  metrics?: readonly MetricSpec[];
  /** Progress bars, loggers, checkpoints… */
  callbacks?: readonly Callback[];
  /**
   * Show progress on standard output, as Keras's `fit` does: a live bar on a terminal, one line per
   * epoch otherwise (`progressBar()`, unless `callbacks` already has a progress callback). `false`
   * prints nothing. @default {true when standard output is a terminal}
   */
  progress?: boolean;
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
  /**
   * Samples per forward pass when evaluating the validation set. Like Keras's `validation_batch_size`, it
   * defaults to `batchSize`, so that evaluating needs no more memory than a training step (a CNN's
   * activations for 1024 images take hundreds of MiB). @default {batchSize}
   */
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
  /**
   * Per-epoch (and, with `recordSteps`, per-step) records of the epochs this call ran: after a resume,
   * those after the checkpoint (the earlier ones are in the run's metrics log, as with Keras's `History`).
   */
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
const isAdaptive = (o: unknown): o is AdaptiveScheduler =>
  typeof o === "function" && typeof (o as AdaptiveScheduler).observe === "function" &&
  typeof (o as AdaptiveScheduler).rate === "function" && typeof (o as AdaptiveScheduler).init === "function";

/** Whether `train` shows progress: as asked, else when standard output is a terminal (never in a browser). */
function progressWanted(progress: unknown): boolean {
  if (progress !== undefined && typeof progress !== "boolean") {
    throw new TypeError(`Cannot train as progress must be true or false: current value is ${JSON.stringify(progress)}`);
  }
  if (progress !== undefined) return progress;
  try {
    return (globalThis as { Deno?: typeof Deno }).Deno?.stdout.isTerminal() ?? false;
  } catch {
    return false;
  }
}

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

/**
 * A spec as canonical JSON, to compare: a bare name is `{ name }` (at the top and in arrays: layers,
 * regularizers), keys are sorted; `null` when it holds an instance (JSON `null`), which cannot be compared.
 */
function canonicalSpec(value: unknown): string | null {
  let instance = false;
  const canonical = (v: unknown, asSpec: boolean): unknown => {
    if (v === null || v === undefined) {
      instance ||= asSpec && v === null;
      return null;
    }
    if (typeof v === "string") return asSpec ? { name: v } : v;
    if (Array.isArray(v)) return v.map((item) => canonical(item, true));
    if (typeof v !== "object") return v;
    const record = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(record).sort().map((k) => [k, canonical(record[k], false)]));
  };
  const text = JSON.stringify(canonical(value, value !== null));
  return instance ? null : text;
}

/** A plugin spec as the checkpoint's JSON records it: the spec, a name, or `null` for an instance. */
function specJson(spec: unknown): unknown {
  return jsonSpec(spec) ?? (typeof spec === "string" ? spec : null);
}

function sameStructure(a: Tree, b: Tree, what: string): void {
  const fa = flattenTree(a), fb = new Map(flattenTree(b));
  for (const [path, t] of fa) {
    const u = fb.get(path);
    if (u === undefined) fail(`${what} lacks "${path}" of shape [${t.shape}] that the model has`);
    if (u!.shape.join() !== t.shape.join() || u!.dtype !== t.dtype) {
      const hint = u!.shape.join() === t.shape.join()
        ? `: the model's parameters follow the data's dtype, so give the data in ${
          u!.dtype
        } (the loaders' dtype option, --dtype on the command line)`
        : "";
      fail(
        `${what} has "${path}" of shape [${u!.shape}] (${
          u!.dtype
        }) but the model's is [${t.shape}] (${t.dtype})${hint}`,
      );
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
 * an adaptive schedule (`reduce-on-plateau`) sees the monitored value, early
 * stopping is updated, and callbacks run (progress bar, loggers, checkpoints).
 * On a terminal a progress bar is shown unless `progress: false`. Everything random derives from `seed`, so a run is
 * reproducible, and `resume` continues a checkpointed run bit for bit (its
 * `history` then starts after the checkpoint: a checkpoint holds what resuming
 * needs, and the metrics loggers keep the records of the whole run).
 *
 * A non-finite loss, gradient or updated parameter stops the run at once
 * with a `NonFiniteError` (see `diagnostics.ts`) naming the step, the
 * parameter and, for a parameter, the optimizer (or the regularizer's
 * projection) that made it so: nothing non-finite reaches an epoch's record
 * or a checkpoint. An optimizer's updates must have the parameters' shapes
 * and dtypes exactly (a `RangeError` names the optimizer and the parameter).
 *
 * @param options See {@linkcode TrainOptions}.
 * @returns The trained parameters, history and more; see {@linkcode TrainResult}.
 * @throws {NonFiniteError} When the loss, a gradient or a parameter becomes NaN or infinite.
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

// ---------------------------------------------------------------- the phases
//
// A run, top to bottom: `setUp` checks the options, resolves the plugins, splits the data and
// initializes the parameters (everything fixed for the run, in a `Run`, and the starting point, in
// a `Progress`); `restore` continues from a checkpoint; `trainEpoch` runs one epoch's steps
// (`trainBatch`) and `endEpoch` evaluates, records and checks early stopping. Everything that
// changes as the run goes lives in the `Progress`, which the callbacks' context reads.

async function trainOnActiveBackend(options: TrainOptions): Promise<TrainResult> {
  const started = performance.now(); // the records' time counts from the call: setting up is part of the run
  const { run, progress } = setUp(options);
  if (options.resume !== undefined) {
    // A snapshot given in memory stays the caller's: the first step allocates anew (paramsShared, stateShared).
    restore(run, progress, typeof options.resume === "string" ? await loadCheckpoint(options.resume) : options.resume);
  }
  const elapsed = () => progress.timeOffset + (performance.now() - started) / 1000;
  const context = trainContext(run, progress, elapsed);
  const callbacks = run.callbacks;
  try {
    await each(callbacks, (c) => c.onTrainBegin?.(context));
    while (progress.epoch < run.epochs && progress.stopReason === null) {
      progress.epoch++;
      progress.batch = 0;
      await each(callbacks, (c) => c.onEpochBegin?.(context));
      const totals = await trainEpoch(run, progress, context);
      const record = endEpoch(run, progress, totals, elapsed);
      await each(callbacks, (c) => c.onEpochEnd?.(record, context));
      if (progress.stopRequest !== null) progress.stopReason = progress.stopRequest;
    }
  } catch (e) {
    await each(callbacks, (c) => c.onTrainError?.(e, context));
    throw e;
  }
  const es = run.earlyStopping;
  if (es !== null && es.restoreBest && progress.best !== null && progress.esState.bestEpoch !== progress.epoch) {
    progress.params = progress.best.params;
    progress.layerState = progress.best.state;
  }
  await each(callbacks, (c) => c.onTrainEnd?.(context));
  return {
    model: run.model,
    modelSpec: jsonSpec(options.model),
    inputShape: run.inputShape,
    params: progress.params,
    state: progress.layerState,
    optimizerState: progress.optState,
    history: progress.history,
    epochs: progress.epoch,
    steps: progress.step,
    stopReason: progress.stopReason ?? "completed",
    bestEpoch: es === null ? null : progress.esState.bestEpoch,
  };
}

/** What a run fixes before its first step: the checked options, the plugins, the data and the streams. */
interface Run {
  epochs: number;
  evalBatchSize: number;
  callbacks: readonly Callback[];
  model: Layer;
  loss: Loss;
  optimizer: Optimizer<StateValue>;
  /** The learning rate of step k (0 for the first update), when known. */
  learningRateAt: (k: number) => number | undefined;
  /** A schedule that reacts to a monitored value at each epoch's end (`reduce-on-plateau`), or `null`. */
  adaptive: AdaptiveScheduler | null;
  regularizers: Regularizer[];
  /** Each regularizer's name, the prefix of what it reports. */
  regLabels: string[];
  /** How errors name the optimizer (`optimizer "adam"`) and the regularizers. */
  optimizerName: string;
  regularizerNames: string[];
  hasPenalty: boolean;
  trainSet: Dataset;
  validation: Dataset | null;
  samples: number;
  inputShape: number[];
  plan: BatchPlan;
  metrics: Metric[];
  earlyStopping: EarlyStoppingConfig | null;
  /** A fresh initialization's parameters: the structure a checkpoint must match. */
  freshParams: Tree;
  /** The streams that keep going across steps (and are checkpointed). */
  batchRng: Random;
  layerRng: Random;
  gradientNorms: boolean;
  recordSteps: boolean;
  /** The run's configuration as JSON, as checkpoints store it. */
  config: Record<string, unknown>;
}

/** What changes as a run goes: the parameters and states, the counters, the history, early stopping. */
interface Progress {
  params: Tree;
  layerState: Tree;
  optState: StateValue;
  regStates: StateValue[];
  /** Updates made. */
  step: number;
  /** The current epoch, from 1 (0 before the first). */
  epoch: number;
  /** The last finished batch of the epoch. */
  batch: number;
  /** The number of samples in the last finished batch. */
  batchSamples: number;
  /** The epoch the run started from (a checkpoint's, when resuming). */
  startEpoch: number;
  /** Seconds of training before this run (a checkpoint's, when resuming). */
  timeOffset: number;
  history: History;
  esState: EarlyStoppingState;
  /** The adaptive schedule's state (`null` without one). */
  scheduleState: StateValue;
  /** The best epoch's parameters and state, when early stopping restores them. */
  best: { params: Tree; state: Tree } | null;
  /**
   * Buffer donation: a step writes the new parameters and optimizer state over the old ones unless
   * something outside the loop may hold them: the caller's tensors (initial, an in-memory resume), a
   * callback that read `params`, or the early-stopping best. Such a step allocates anew, and the flags
   * clear. (Snapshots copy.)
   */
  paramsShared: boolean;
  stateShared: boolean;
  /** Why the run stopped, once it has (restored from a checkpoint too). */
  stopReason: string | null;
  /** A stop asked for during the current epoch, effective at its end. */
  stopRequest: string | null;
}

const KNOWN_OPTIONS = [
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
  "progress",
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

/** Checks the options, resolves the plugins and the data, and initializes the parameters. */
function setUp(options: TrainOptions): { run: Run; progress: Progress } {
  const settings = checkSettings(options);
  // A schedule reads the step (and an adaptive one its state) when the optimizer asks for its learning
  // rate: the progress's, once it exists.
  const clock = { step: () => 0, scheduleState: (): StateValue => null };
  const plugins = resolvePlugins(options, settings.registry, clock);

  // Data and random streams: each consumer has its own fork of the seed.
  const master = new Random(settings.seed);
  const initRng = master.fork(), splitRng = master.fork(), batchRng = master.fork(), layerRng = master.fork();
  const { trainSet, validation } = splitData(options, splitRng);
  const samples = trainSet.x.shape[0];
  const inputShape = trainSet.x.shape.slice(1);
  const plan = batchPlan(settings.batching, samples, settings.batchSize, batchRng);
  const metrics = resolveMetrics(options.metrics ?? [], settings.registry, trainSet.y);

  // The starting point: a fresh initialization (in the data's dtype, unless a layer is told otherwise), or the
  // caller's parameters.
  const fresh = plugins.model.init(inputShape, initRng, { dtype: trainSet.x.dtype });
  let params: Tree = fresh.params, layerState: Tree = fresh.state;
  if (options.initial !== undefined) {
    sameStructure(fresh.params, options.initial.params, "initial.params");
    params = options.initial.params;
    if (options.initial.state !== undefined) layerState = options.initial.state;
  }
  const optState = plugins.optimizer.init(params);
  const regStates = plugins.regularizers.map((r) => (r.init ? r.init(params) : null));

  const earlyStopping = checkEarlyStopping(options, plugins.regularizers, metrics, validation);
  if (plugins.adaptive !== null) {
    checkMonitor(
      "reduce the learning rate",
      plugins.adaptive.monitor,
      recordedKeys(plugins.regularizers, metrics, validation),
      validation,
    );
  }
  const run: Run = {
    epochs: settings.epochs,
    evalBatchSize: settings.evalBatchSize,
    callbacks: progressWanted(options.progress) && !settings.callbacks.some((c) => c?.role === "progress")
      ? [...settings.callbacks, progressBar()]
      : settings.callbacks,
    ...plugins,
    hasPenalty: plugins.regularizers.some((r) => r.penalty),
    trainSet,
    validation,
    samples,
    inputShape,
    plan,
    metrics,
    earlyStopping,
    freshParams: fresh.params,
    batchRng,
    layerRng,
    gradientNorms: options.gradientNorms === true,
    recordSteps: options.recordSteps === true,
    config: runConfig(options, settings, plugins.regSpecs, samples, inputShape, validation, metrics, earlyStopping),
  };
  const inMemoryResume = options.resume !== undefined && typeof options.resume !== "string";
  const progress: Progress = {
    params,
    layerState,
    optState,
    regStates,
    step: 0,
    epoch: 0,
    batch: 0,
    batchSamples: 0,
    startEpoch: 0,
    timeOffset: 0,
    history: { epochs: [], steps: [] },
    esState: { best: null, bestEpoch: null, wait: 0 },
    scheduleState: plugins.adaptive === null ? null : plugins.adaptive.init(),
    best: null,
    paramsShared: options.initial !== undefined || inMemoryResume,
    stateShared: inMemoryResume,
    stopReason: null,
    stopRequest: null,
  };
  clock.step = () => progress.step;
  clock.scheduleState = () => progress.scheduleState;
  return { run, progress };
}

/** The run's configuration as JSON: what checkpoints store and a resumed run must match. */
function runConfig(
  options: TrainOptions,
  settings: ReturnType<typeof checkSettings>,
  regSpecs: readonly unknown[],
  samples: number,
  inputShape: number[],
  validation: Dataset | null,
  metrics: readonly Metric[],
  earlyStopping: EarlyStoppingConfig | null,
): Record<string, unknown> {
  const { batching, batchSize } = settings;
  return {
    model: jsonSpec(normalizeModelSpec(options.model)),
    loss: specJson(options.loss),
    optimizer: specJson(options.optimizer),
    regularizers: regSpecs.map(specJson),
    scheduler: specJson(options.scheduler),
    epochs: settings.epochs,
    batching,
    batchSize: batching === "full" ? samples : batching === "single" ? 1 : batchSize,
    seed: settings.seed,
    samples,
    inputShape,
    validation: typeof options.validation === "number"
      ? options.validation
      : validation === null
      ? null
      : `${validation.x.shape[0]} samples`,
    metrics: metrics.map((m) => m.name),
    earlyStopping,
  };
}

/** The options that are plain values, checked, with their defaults. */
function checkSettings(options: TrainOptions) {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      throw new TypeError(
        `Cannot train as it has an unknown option "${key}": known options are ${KNOWN_OPTIONS.join(", ")}`,
      );
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
  const evalBatchSize = checkInteger("evalBatchSize", options.evalBatchSize, batchSize, 1);
  const callbacks = options.callbacks ?? [];
  if (!Array.isArray(callbacks)) throw new TypeError(`Cannot train as callbacks must be an array of callback objects`);
  return { registry, epochs, seed, batching, batchSize, evalBatchSize, callbacks: callbacks as readonly Callback[] };
}

/** The training set and the validation set: a seeded split of `data`, a separate set, or none. */
function splitData(options: TrainOptions, splitRng: Random): { trainSet: Dataset; validation: Dataset | null } {
  const data = checkDataset("train", "data", options.data);
  if (typeof options.validation === "number") {
    const split = splitDataset(data, options.validation, splitRng);
    return { trainSet: split.train, validation: split.validation };
  }
  if (options.validation !== undefined) {
    return { trainSet: data, validation: checkDataset("train", "validation", options.validation) };
  }
  return { trainSet: data, validation: null };
}

/** The model, the loss, the optimizer (with the schedule as its learning rate) and the regularizers. */
function resolvePlugins(
  options: TrainOptions,
  registry: Registry,
  clock: { step: () => number; scheduleState: () => StateValue },
) {
  if (options.model === undefined) {
    throw new TypeError("Cannot train as model must be given: current value is undefined");
  }
  const model = resolveModel(options.model, registry);
  const loss = resolvePlugin(registry, "loss", options.loss, isLoss) as Loss;
  let schedule: ((step: number) => number) | null = null, adaptive: AdaptiveScheduler | null = null;
  if (options.scheduler !== undefined) {
    schedule = resolvePlugin(registry, "scheduler", options.scheduler, isScheduler) as (step: number) => number;
    if (isAdaptive(schedule)) {
      const a = adaptive = schedule;
      schedule = (k) => a.rate(clock.scheduleState(), k);
    }
  }
  let optimizerSpec = options.optimizer as unknown;
  if (schedule !== null) {
    if (typeof optimizerSpec === "string") optimizerSpec = { name: optimizerSpec };
    if (optimizerSpec === null || typeof optimizerSpec !== "object" || isOptimizer(optimizerSpec as object)) {
      throw new TypeError(
        "Cannot train with a scheduler as the optimizer must then be a name or { name, ...options } (the schedule becomes its learningRate); for an optimizer instance, pass the schedule as its learningRate instead",
      );
    }
    const s = schedule;
    optimizerSpec = { ...(optimizerSpec as object), learningRate: () => s(clock.step()) };
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
  const s = schedule;
  const learningRateAt = (k: number): number | undefined =>
    s !== null ? s(k) : typeof fixedRate === "number" ? fixedRate : undefined;
  const regSpecs = options.regularizers ?? [];
  if (!Array.isArray(regSpecs)) throw new TypeError("Cannot train as regularizers must be an array");
  const regularizers = regSpecs.map((r) => resolvePlugin(registry, "regularizer", r, isRegularizer) as Regularizer);
  const regLabels = regSpecs.map((r, i) => specName(r, `regularizer${i}`));
  // How errors name the plugins: by their registered name, or as an instance the caller made.
  const optimizerName = typeof options.optimizer === "object" && options.optimizer !== null &&
      isOptimizer(options.optimizer as object)
    ? "the optimizer"
    : `optimizer "${specName(options.optimizer, "")}"`;
  const regularizerNames = regSpecs.map((r, i) =>
    typeof r === "string" || (typeof r === "object" && r !== null && !isRegularizer(r as object))
      ? `regularizer "${specName(r, "")}"`
      : `regularizer ${i}`
  );
  return {
    model,
    loss,
    optimizer,
    optimizerName,
    learningRateAt,
    adaptive,
    regularizers,
    regularizerNames,
    regSpecs,
    regLabels,
  };
}

/** The record keys a run writes every epoch (a record-valued metric's keys start with its name and a dot). */
function recordedKeys(regularizers: readonly Regularizer[], metrics: readonly Metric[], validation: Dataset | null) {
  const keys = ["loss", ...metrics.map((m) => m.name)];
  if (regularizers.some((r) => r.penalty)) keys.push("penalty");
  if (validation !== null) keys.push(...["loss", ...metrics.map((m) => m.name)].map(validationKey));
  return keys;
}

/** Checks that a monitored key is one the run records, saying which it records when it is not. */
function checkMonitor(what: string, monitor: string, keys: readonly string[], validation: Dataset | null): void {
  if (keys.includes(monitor) || keys.some((k) => monitor.startsWith(`${k}.`))) return;
  throw new RangeError(
    `Cannot ${what} on "${monitor}" as the run records only ${keys.join(", ")}${
      validation === null && monitor.startsWith("val")
        ? " (no validation set is given: pass validation, a fraction or { x, y })"
        : ""
    }`,
  );
}

/** Early stopping's configuration, checked against what the run records; `null` without it. */
function checkEarlyStopping(
  options: TrainOptions,
  regularizers: readonly Regularizer[],
  metrics: readonly Metric[],
  validation: Dataset | null,
): EarlyStoppingConfig | null {
  if (options.earlyStopping === undefined || options.earlyStopping === false) return null;
  const es = earlyStoppingConfig(options.earlyStopping);
  checkMonitor("stop early", es.monitor, recordedKeys(regularizers, metrics, validation), validation);
  const given = options.earlyStopping === true ? undefined : options.earlyStopping.mode;
  const watched = metrics.find((m) => es.monitor === m.name || es.monitor === validationKey(m.name));
  if (given === undefined && watched?.higherIsBetter !== undefined) es.mode = watched.higherIsBetter ? "max" : "min";
  return es;
}

/** Continues from a checkpoint: checks that it matches the run, then takes its parameters, states and counters. */
function restore(run: Run, progress: Progress, snap: TrainerSnapshot): void {
  if (snap.epoch > run.epochs) {
    fail(
      `epochs must be at least the checkpoint's epoch when resuming (it is the total to reach, not the epochs still to run): the checkpoint is at epoch ${snap.epoch}, epochs is ${run.epochs}`,
    );
  }
  for (const key of ["seed", "batching", "batchSize", "samples", "validation"] as const) {
    const was = snap.config?.[key], now = run.config[key];
    if (JSON.stringify(was) !== JSON.stringify(now)) {
      fail(
        `resuming needs the same ${key} as the checkpoint (it decides the data order): the checkpoint has ${
          JSON.stringify(was)
        }, this run ${JSON.stringify(now)}`,
      );
    }
  }
  // The plugins too: another optimizer would read this one's state (and fail, or train on silently), another
  // loss, model or schedule would make the continuation a different run. Specs are compared as JSON, a bare
  // name meaning { name }; one given as an instance (JSON null) cannot be compared and is taken on trust.
  for (const key of ["model", "loss", "optimizer", "regularizers", "scheduler"] as const) {
    const was = canonicalSpec(snap.config?.[key]), now = canonicalSpec(run.config[key]);
    if (was !== null && now !== null && was !== now) {
      fail(`resuming needs the same ${key} as the checkpoint: the checkpoint has ${was}, this run ${now}`);
    }
  }
  if (JSON.stringify(snap.config?.inputShape) !== JSON.stringify(run.inputShape)) {
    fail(`the checkpoint's inputs have shape [${snap.config?.inputShape}] but the data's have [${run.inputShape}]`);
  }
  sameStructure(run.freshParams, snap.params, "the checkpoint's params");
  progress.params = snap.params;
  progress.layerState = snap.state;
  progress.optState = snap.optimizerState;
  if (snap.regularizerStates.length !== run.regularizers.length) {
    fail(
      `the checkpoint has ${snap.regularizerStates.length} regularizer states but this run has ${run.regularizers.length} regularizers`,
    );
  }
  progress.regStates = snap.regularizerStates;
  progress.step = snap.step;
  progress.epoch = progress.startEpoch = snap.epoch;
  progress.timeOffset = snap.time;
  run.batchRng.setState(snap.rng.batches);
  run.layerRng.setState(snap.rng.layers);
  // The history starts afresh: the epochs before the checkpoint are in the metrics log, not in the checkpoint.
  if (run.earlyStopping !== null && snap.earlyStopping !== null) {
    const es = snap.earlyStopping;
    progress.esState = { best: es.best, bestEpoch: es.bestEpoch, wait: es.wait };
    progress.best = es.bestParams === null
      ? null
      : { params: es.bestParams, state: es.bestState ?? progress.layerState };
  }
  if (run.adaptive !== null) {
    if (snap.scheduler === undefined || snap.scheduler === null) {
      fail("the checkpoint has no state for the reduce-on-plateau schedule this run has");
    }
    progress.scheduleState = snap.scheduler;
  }
  progress.stopReason = snap.stopReason;
}

/** What a run's callbacks see: live views of the progress. */
function trainContext(run: Run, progress: Progress, elapsed: () => number): TrainContext {
  const es = run.earlyStopping;
  return {
    epochs: run.epochs,
    stepsPerEpoch: run.plan.stepsPerEpoch,
    samples: run.samples,
    startEpoch: progress.startEpoch,
    get epoch() {
      return progress.epoch;
    },
    get batch() {
      return progress.batch;
    },
    get step() {
      return progress.step;
    },
    get batchSamples() {
      return progress.batchSamples;
    },
    get params() {
      progress.paramsShared = true;
      return progress.params;
    },
    get state() {
      return progress.layerState;
    },
    get history() {
      return progress.history;
    },
    config: run.config,
    stop(reason = "callback") {
      progress.stopRequest = reason;
    },
    snapshot: () =>
      copyState({
        epoch: progress.epoch,
        step: progress.step,
        time: elapsed(),
        params: progress.params,
        state: progress.layerState,
        optimizerState: progress.optState,
        regularizerStates: progress.regStates,
        rng: { batches: run.batchRng.getState(), layers: run.layerRng.getState() },
        earlyStopping: es === null
          ? null
          : { ...progress.esState, bestParams: progress.best?.params ?? null, bestState: progress.best?.state ?? null },
        scheduler: progress.scheduleState,
        config: run.config,
        stopReason: progress.stopRequest ?? progress.stopReason,
      }),
  };
}

/** An epoch's running sums, weighted by batch size, for its record. */
interface EpochTotals {
  seen: number;
  loss: number;
  penalty: number;
  /** Each metric's accumulator. */
  metrics: unknown[];
  /** Each layer's gradient norm, summed over the epoch's steps. */
  gradNorms: Record<string, number>;
  /** The learning rate of the epoch's last step, when known. */
  lastRate: number | undefined;
}

/** Runs one epoch's steps, batch by batch, and returns its totals. */
async function trainEpoch(run: Run, progress: Progress, context: TrainContext): Promise<EpochTotals> {
  const totals: EpochTotals = {
    seen: 0,
    loss: 0,
    penalty: 0,
    metrics: run.metrics.map((m) => m.init()),
    gradNorms: {},
    lastRate: undefined,
  };
  for (const indices of run.plan.epoch(run.batchRng)) {
    progress.batch++;
    const record = trainBatch(run, progress, indices, totals);
    if (run.recordSteps) progress.history.steps.push(record);
    await each(run.callbacks, (c) => c.onStepEnd?.(record, context));
  }
  return totals;
}

/** One update on the samples at `indices`; adds to the epoch's totals and returns the step's record. */
function trainBatch(run: Run, progress: Progress, indices: Int32Array, totals: EpochTotals): StepRecord {
  const xb = takeRows(run.trainSet.x, indices), yb = takeRows(run.trainSet.y, indices);
  const rate = run.learningRateAt(progress.step);
  const r = _trainStep({
    model: run.model,
    loss: run.loss,
    optimizer: run.optimizer,
    regularizers: run.regularizers,
    params: progress.params,
    layerState: progress.layerState,
    optState: progress.optState,
    regStates: progress.regStates,
    x: xb,
    y: yb,
    rng: run.layerRng.fork().getState(),
    step: progress.step,
    learningRate: rate,
    where: `step ${progress.step + 1} (epoch ${progress.epoch}, batch ${progress.batch} of ${run.plan.stepsPerEpoch})`,
    epoch: progress.epoch,
    history: progress.history,
    donate: !progress.stateShared,
    donateParams: !progress.paramsShared,
    gradientNorms: run.gradientNorms,
    optimizerName: run.optimizerName,
    regularizerNames: run.regularizerNames,
  });
  progress.params = r.params;
  progress.layerState = r.layerState;
  progress.optState = r.optState;
  progress.paramsShared = progress.stateShared = false; // a step without donation leaves new buffers nothing else holds
  progress.regStates = r.regStates;
  progress.step++;
  const n = progress.batchSamples = indices.length;
  const dataLoss = r.dataLoss, penalty = r.penalty ?? 0;
  totals.seen += n;
  totals.loss += dataLoss * n;
  totals.penalty += penalty * n;
  run.metrics.forEach((m, i) => (totals.metrics[i] = m.update(totals.metrics[i], r.output, yb)));
  // The batch's inputs are done with: unless an output or a state shares their buffer (a reshape of the
  // input, say), the buffer goes back to the allocator for the next batch.
  if (exclusiveMemory([xb, r.output, ...flattenTree(r.layerState).map(([, t]) => t)]).every((own) => own)) {
    recycle([xb]);
  }
  const record: StepRecord = { epoch: progress.epoch, step: progress.step, loss: dataLoss };
  if (run.hasPenalty) record.penalty = penalty;
  if (rate !== undefined) record.learningRate = totals.lastRate = rate;
  if (r.gradNorms !== null) {
    for (const [layer, norm] of Object.entries(r.gradNorms)) {
      record[`gradNorm.${layer}`] = norm;
      totals.gradNorms[layer] = (totals.gradNorms[layer] ?? 0) + norm;
    }
  }
  return record;
}

/** The epoch's record (with the validation set evaluated), added to the history; early stopping updated. */
function endEpoch(run: Run, progress: Progress, totals: EpochTotals, elapsed: () => number): EpochRecord {
  const { params, layerState } = progress;
  const record: EpochRecord = { epoch: progress.epoch, step: progress.step, loss: totals.loss / totals.seen, time: 0 };
  if (run.hasPenalty) record.penalty = totals.penalty / totals.seen;
  run.metrics.forEach((m, i) => recordMetric(record, m.name, m.result(totals.metrics[i])));
  if (run.validation !== null) {
    const out = predict({ model: run.model, params, state: layerState }, run.validation.x, {
      batchSize: run.evalBatchSize,
    });
    record.valLoss = run.loss(out, run.validation.y).data[0];
    for (const m of run.metrics) {
      recordMetric(record, validationKey(m.name), m.result(m.update(m.init(), out, run.validation.y)));
    }
  }
  if (totals.lastRate !== undefined) record.learningRate = totals.lastRate;
  for (const [layer, sum] of Object.entries(totals.gradNorms)) {
    record[`gradNorm.${layer}`] = sum / run.plan.stepsPerEpoch;
  }
  run.regularizers.forEach((r, i) => {
    if (!r.report) return;
    for (const [key, value] of Object.entries(r.report(params, progress.regStates[i]))) {
      record[`${run.regLabels[i]}.${key}`] = value;
    }
  });
  record.time = elapsed();
  progress.history.epochs.push(record);
  if (run.adaptive !== null) {
    progress.scheduleState = run.adaptive.observe(progress.scheduleState, record[run.adaptive.monitor]);
  }
  const es = run.earlyStopping;
  if (es !== null) {
    const r = earlyStoppingStep(es, progress.esState, record[es.monitor], progress.epoch);
    progress.esState = r.state;
    if (r.improved && es.restoreBest) {
      progress.best = { params, state: layerState };
      progress.paramsShared = true;
    }
    if (r.stop) progress.stopRequest ??= "early-stopping";
  }
  return record;
}
