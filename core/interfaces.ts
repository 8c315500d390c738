/**
 * The contracts between gradflow and its plugins: what a layer, loss,
 * metric, optimizer, regularizer, scheduler and initializer are, what a
 * plugin's `create` is given, and the versioned descriptor a plugin module
 * exports.
 *
 * Everything here is a type; the module has no runtime code of its own
 * besides {@linkcode PLUGIN_KINDS} and {@linkcode API_VERSION}.
 *
 * @module
 */

import type * as GradflowModule from "./api.ts";
import type { Backend } from "./backend.ts";
import type { Random } from "./random.ts";
import type { DType, Tensor } from "./tensor.ts";
import type { Tree } from "./tree.ts";

/**
 * A learning-rate schedule: a pure function of the step (0 for the first
 * update) returning the step size, Optax-style. Anywhere a learning rate is
 * accepted, a schedule is too.
 */
export type Scheduler = (step: number) => number;

/** A fixed step size or a {@linkcode Scheduler}. */
export type LearningRate = number | Scheduler;

/**
 * A schedule that also reacts, at the end of each epoch, to a value the run
 * records (the validation loss, say): PyTorch's `ReduceLROnPlateau`. The
 * trainer keeps its state, passes the monitored value to `observe` after each
 * epoch, asks `rate` for the learning rate of every step, and saves the state
 * in checkpoints, so a resumed run continues exactly. Called as a plain
 * {@linkcode Scheduler}, it gives the rate before any reduction.
 */
export interface AdaptiveScheduler {
  /** The learning rate before any reduction (so it works where a plain schedule is expected). */
  (step: number): number;
  /** The record key watched (`"valLoss"`). */
  readonly monitor: string;
  /** The state before the first epoch (plain data, for checkpoints). */
  init(): StateValue;
  /** The learning rate of step `step` (0 for the first update) in this state. */
  rate(state: StateValue, step: number): number;
  /** The state after an epoch whose monitored value was `value`. */
  observe(state: StateValue, value: number): StateValue;
}

/** What a metric gives: one number, or named numbers (per class, say), recorded as `name.key`. */
export type MetricValue = number | Readonly<Record<string, number>>;

/**
 * A metric: a figure of merit over many batches of predictions and targets,
 * accumulated like Keras's stateful metrics (`update_state`, `result`), so that
 * figures that are not averages of per-batch values (precision, F1, ROC AUC)
 * are exact over an epoch or a data set.
 */
export interface Metric<S = unknown> {
  /** The key in history records, camelCase (`"accuracy"`; its validation value is `"valAccuracy"`). */
  readonly name: string;
  /** Whether a larger value is better (`true` for scores, `false` for errors); absent for tables such as a confusion matrix. */
  readonly higherIsBetter?: boolean;
  /** The empty accumulator. */
  init(): S;
  /**
   * Adds a batch. The caller passes each state once, so `update` may change it
   * in place and return it.
   *
   * @param state The accumulator from `init` or the previous `update`.
   * @param predictions The model's outputs, batch axis first.
   * @param targets The targets, batch axis first.
   * @returns The accumulator with the batch added.
   */
  update(state: S, predictions: Tensor, targets: Tensor): S;
  /** The value over every batch added (it does not change the state). */
  result(state: S): MetricValue;
}

/**
 * Makes a tensor of the given shape with random or fixed values. For a
 * weight matrix of shape `[fanIn, fanOut]` (inputs × outputs, the layout of
 * `dense`), fan-in is `shape[0]` and fan-out `shape[1]`.
 */
export type Initializer = (shape: readonly number[], rng: Random, dtype?: DType) => Tensor;

/**
 * A loss: a function of predictions and targets returning a scalar tensor
 * (or per-sample values with `reduction: "none"`), built from ops so the flow
 * graph differentiates it.
 */
export type Loss = (predictions: Tensor, targets: Tensor) => Tensor;

/** What a layer's `apply` is told about the call. */
export interface ApplyContext {
  /** Training mode: dropout drops, batch-norm uses and updates batch statistics. */
  training: boolean;
  /** The generator for stochastic layers; required in training mode by those layers. */
  rng?: Random;
}

/** What a layer's `init` returns. */
export interface LayerInit<P extends Tree = Tree, S extends Tree = Tree> {
  /** The trainable parameters. */
  params: P;
  /** Non-trainable state, such as running statistics (`{}` when none). */
  state: S;
  /** The shape of one output sample (without the batch axis). */
  outputShape: number[];
}

/** What a layer's `apply` returns. */
export interface LayerOutput<S extends Tree = Tree> {
  /** The layer's output, batch axis first. */
  output: Tensor;
  /** The state after this call (the same object when unchanged). */
  state: S;
}

/**
 * A layer: parameters are created by `init` and passed explicitly to `apply`,
 * which is a function of ops (so it is differentiated automatically).
 * Shapes exclude the batch axis; inputs include it as axis 0.
 */
export interface Layer<P extends Tree = Tree, S extends Tree = Tree> {
  /**
   * Creates parameters and state for inputs of one sample's shape.
   *
   * @param inputShape The shape of one input sample.
   * @param rng The generator for random initial values.
   */
  init(inputShape: readonly number[], rng: Random): LayerInit<P, S>;
  /**
   * Computes the output for a batch.
   *
   * @param params The parameters from `init` (or their trained values).
   * @param state The state from `init` or the previous call.
   * @param input A batch, axis 0 being the batch.
   * @param context Training mode and the generator.
   */
  apply(params: P, state: S, input: Tensor, context: ApplyContext): LayerOutput<S>;
}

/**
 * The plain data an optimizer or regularizer keeps between steps: tensors,
 * numbers, strings, booleans, `null`, and arrays and records of these. It is
 * what a checkpoint stores.
 */
export type StateValue =
  | Tensor
  | number
  | string
  | boolean
  | null
  | readonly StateValue[]
  | { readonly [key: string]: StateValue };

/** What a loss evaluation at some parameters gives a second-order method. */
export interface Evaluation {
  /** The loss value. */
  loss: number;
  /** The gradient, with the structure of the parameters. */
  grads: Tree;
}

/**
 * What an optimizer may receive besides the gradient. First-order methods
 * ignore it; second-order methods (Newton, BFGS, Hessian-free) declare which
 * fields they need and fail with a clear error when one is missing.
 * `minimize` and the trainer always supply every field.
 */
export interface UpdateContext {
  /** The loss at the current parameters. */
  loss?: number;
  /** Re-evaluates loss and gradient at other parameters (for line searches). */
  evaluate?: (params: Tree) => Evaluation;
  /** The exact Hessian-vector product `H(params)·v` of the loss, from the flow graph. */
  hvp?: (params: Tree, v: Tree) => Tree;
  /** The Gauss–Newton product `Jᵀ·H_loss·J·v`, where the loss offers one (positive semidefinite). */
  gaussNewtonVp?: (params: Tree, v: Tree) => Tree;
  /**
   * The caller donates `grads` and `state` (JAX's buffer donation), and to
   * `step` also `params`: it will not read them, or anything sharing their
   * buffers, after this call. The
   * optimizer may then write its new state and the updates into those buffers
   * instead of allocating. A permission, not a request: optimizers may ignore
   * it, and must compute the same values either way. The trainer sets it (it
   * owns the state); `minimize` and direct callers leave it off by default.
   */
  donate?: boolean;
}

/** What an optimizer's `update` returns. */
export interface OptimizerUpdate<S extends StateValue = StateValue> {
  /** The changes to add to the parameters (`θ ← θ + updates`), like Optax. */
  updates: Tree;
  /** The new state. */
  state: S;
}

/**
 * An optimizer as a pair of pure functions, Optax-style: `init` makes the
 * state, and `update` turns gradients into parameter updates (not new
 * parameters), so transformations chain.
 */
export interface Optimizer<S extends StateValue = StateValue> {
  /** Creates the state for these parameters. */
  init(params: Tree): S;
  /**
   * Computes the updates for one step. Never mutates its arguments.
   *
   * @param grads The gradient of the loss at `params`.
   * @param state The state from `init` or the previous update.
   * @param params The current parameters.
   * @param context Extra information for second-order methods.
   */
  update(grads: Tree, state: S, params: Tree, context?: UpdateContext): OptimizerUpdate<S>;
  /**
   * Optional: `update` followed by `applyUpdates`, in one pass where the
   * optimizer has a kernel for it (PyTorch's `fused=True` Adam). It must give
   * the parameters and state that `update` then `applyUpdates` give. With
   * `context.donate`, the caller donates `params` as well as `grads` and
   * `state`. Callers that want only the new parameters (the trainer) use it
   * when present.
   *
   * @param grads The gradient of the loss at `params`.
   * @param state The state from `init` or the previous update.
   * @param params The current parameters.
   * @param context As for `update`.
   * @returns The new parameters and state.
   */
  step?(grads: Tree, state: S, params: Tree, context?: UpdateContext): OptimizerStep<S>;
}

/** What an optimizer's `step` returns. */
export interface OptimizerStep<S extends StateValue = StateValue> {
  /** The parameters after the update. */
  params: Tree;
  /** The new state. */
  state: S;
}

/** What a regularizer's `project` is told about the step. */
export interface ProjectContext {
  /** The number of updates made so far (1 after the first). */
  step: number;
  /** The learning rate of this step, when the trainer knows it. */
  learningRate?: number;
}

/**
 * A regularizer acts in one or both of two places: `penalty` adds a
 * differentiable term to the loss (L2, L1), and `project` changes the
 * parameters after each update (decoupled weight decay, soft thresholding,
 * pruning masks).
 */
export interface Regularizer<S extends StateValue = StateValue> {
  /** A scalar term added to the loss. */
  penalty?(params: Tree): Tensor;
  /** Creates the state `project` keeps (a pruning mask, say). */
  init?(params: Tree): S;
  /** Maps the parameters after an update to their regularized values. */
  project?(params: Tree, state: S, context: ProjectContext): { params: Tree; state: S };
  /** Figures worth logging, such as the sparsity reached. */
  report?(params: Tree, state: S): Record<string, number>;
}

/** What a plugin of each kind creates. */
export interface PluginKinds {
  /** A layer factory's product. */
  layer: Layer;
  /** A loss function. */
  loss: Loss;
  /** A metric. */
  metric: Metric;
  /** An optimizer (or gradient transformation). */
  optimizer: Optimizer;
  /** A regularizer. */
  regularizer: Regularizer;
  /** A learning-rate schedule. */
  scheduler: Scheduler;
  /** A parameter initializer. */
  initializer: Initializer;
  /** A kernel backend. */
  backend: Backend;
}

/** The kinds of plugin. */
export type PluginKind = keyof PluginKinds;

/** Every plugin kind, in the order `list` shows them. */
export const PLUGIN_KINDS: readonly PluginKind[] = Object.freeze([
  "layer",
  "loss",
  "metric",
  "optimizer",
  "regularizer",
  "scheduler",
  "initializer",
  "backend",
]);

/** The plugin API version this gradflow implements. */
export const API_VERSION = 1;

/**
 * gradflow's computing API, as a registry hands it to plugins: the module
 * `core/api.ts` (tensors, ops, autodiff, trees, `Random`, option checks).
 */
export type GradflowApi = typeof GradflowModule;

/** A plugin given by name, or by name and options: `"adam"`, `{ name: "adam", learningRate: 0.01 }`. */
export type PluginSpecifier = string | { readonly name: string; readonly [option: string]: unknown };

/**
 * What a plugin's `create` receives besides its options, from the registry that
 * creates it. A plugin loaded by URL computes with `gradflow` (its host's copy)
 * instead of importing gradflow itself; a plugin built from others (`chain`)
 * creates them with `create`.
 */
export interface CreateContext {
  /** gradflow's computing API, the host's own copy (see {@linkcode GradflowApi}). */
  readonly gradflow: GradflowApi;
  /**
   * Creates another plugin from the same registry.
   *
   * @param kind The plugin kind.
   * @param spec Its name, or `{ name, ...options }`.
   * @returns What that plugin creates.
   */
  create<K extends PluginKind>(kind: K, spec: PluginSpecifier): PluginKinds[K];
}

/**
 * The descriptor a plugin module exports as its default: everything the
 * registry, the CLI and `list` need to know about one algorithm.
 *
 * @example A third-party loss plugin that computes with its host's gradflow
 * ```ts
 * import type { Plugin } from "./interfaces.ts";
 *
 * const plugin: Plugin<"loss", Record<string, never>> = {
 *   apiVersion: 1,
 *   kind: "loss",
 *   name: "mean-absolute-error",
 *   description: "Mean of |prediction − target|.",
 *   defaults: {},
 *   create: (_options, { gradflow: { abs, mean, sub } }) => (p, t) => mean(abs(sub(p, t))),
 * };
 * export default plugin;
 * ```
 */
export interface Plugin<K extends PluginKind = PluginKind, O = Record<string, unknown>> {
  /** The plugin API version the plugin was written against (now 1). */
  readonly apiVersion: number;
  /** What the plugin creates. */
  readonly kind: K;
  /** The name it is registered and chosen by, in kebab-case (`"softmax-cross-entropy"`). */
  readonly name: string;
  /** One line saying what it is, for `list`. */
  readonly description?: string;
  /** The option defaults, for `list` and documentation. */
  readonly defaults?: Readonly<Partial<O>>;
  /** The options that have no default and must be given, each with what it must be, for `list`. */
  readonly required?: Readonly<Record<string, string>>;
  /**
   * Builds the algorithm; validates its options and throws a clear error on bad ones.
   *
   * @param options The options (`undefined` for the defaults).
   * @param context From the registry: gradflow's API and a way to create other plugins.
   * @returns The algorithm.
   */
  create(options: O | undefined, context: CreateContext): PluginKinds[K];
}
