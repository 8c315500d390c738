/**
 * One update of `train`: the batch objective, its gradient, the checks for
 * non-finite values, the second-order context, the optimizer and the projections.
 *
 * @module
 */

import { hvp as exactHvp, valueAndGrad } from "../core/autodiff.ts";
import type { Layer, Loss, Optimizer, Regularizer, StateValue, UpdateContext } from "../core/interfaces.ts";
import { add } from "../core/ops/mod.ts";
import { Random, type RandomState } from "../core/random.ts";
import { exclusiveMemory, recycle, shapesEqual, Tensor, withScratch } from "../core/tensor.ts";
import { applyUpdates, flattenTree, type Tree, treeLeaves, treeMap } from "../core/tree.ts";
import { allFinite, findNonFinite, gradientNorms, layerOf, NonFiniteError } from "./diagnostics.ts";
import type { History } from "./history.ts";
import { gaussNewtonVp } from "./minimize.ts";

/** What one update needs. */
export interface StepInput {
  /** The model. */
  model: Layer;
  /** The loss. */
  loss: Loss;
  /** The optimizer. */
  optimizer: Optimizer<StateValue>;
  /** The regularizers. */
  regularizers: readonly Regularizer[];
  /** The parameters before the update. */
  params: Tree;
  /** The layer state before the update. */
  layerState: Tree;
  /** The optimizer state. */
  optState: StateValue;
  /** The regularizers' states. */
  regStates: readonly StateValue[];
  /** The batch's inputs. */
  x: Tensor;
  /** The batch's targets. */
  y: Tensor;
  /** The state of this step's generator for stochastic layers (every evaluation restarts from it). */
  rng: RandomState;
  /** Updates made before this one. */
  step: number;
  /** The learning rate of this step, when known (for `project`). */
  learningRate: number | undefined;
  /** Where the step is, for error messages: `step 12 (epoch 2, batch 3 of 5)`. */
  where: string;
  /** The epoch, for errors. */
  epoch: number;
  /** The history so far, attached to errors. */
  history: History;
  /**
   * Whether the step may write over `optState` and the gradient (buffer
   * donation): true when the caller keeps nothing that shares their buffers.
   * The values are the same either way.
   */
  donate?: boolean;
  /** Whether it may also write over `params` (needs `donate`). */
  donateParams?: boolean;
  /** Whether to measure the gradient's norm per layer (before the update, which may reuse its buffers). */
  gradientNorms?: boolean;
  /** How errors name the optimizer: `optimizer "adam"`. @default {"the optimizer"} */
  optimizerName?: string;
  /** How errors name each regularizer: `regularizer "l2"`. @default {`regularizer <i>`} */
  regularizerNames?: readonly string[];
}

/** What one update gives. */
export interface StepOutput {
  /** The parameters after the update and the projections. */
  params: Tree;
  /** The layer state after the forward pass. */
  layerState: Tree;
  /** The optimizer's new state. */
  optState: StateValue;
  /** The regularizers' new states. */
  regStates: StateValue[];
  /** The batch's data loss before the update. */
  dataLoss: number;
  /** The batch's penalty before the update, or `null` without penalties. */
  penalty: number | null;
  /** The model's outputs on the batch (training mode). */
  output: Tensor;
  /** The Euclidean norm of the gradient per layer, with `gradientNorms`, else `null`. */
  gradNorms: Record<string, number> | null;
}

function fail(why: string): never {
  throw new RangeError(`Cannot train as ${why}`);
}

/**
 * A deep copy of plain data holding tensors (a snapshot, a state) whose
 * tensors own new buffers; numbers, strings and other objects are shared.
 *
 * @param value The value.
 * @returns The copy.
 *
 * @example
 * ```ts
 * import { copyState } from "./_step.ts";
 * import { tensor } from "../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const w = tensor([1, 2]);
 * const copy = copyState({ step: 3, w });
 * assert.notEqual(copy.w.data, w.data);
 * assert.deepEqual(copy.w.toArray(), [1, 2]);
 * ```
 */
export function copyState<T>(value: T): T {
  if (value instanceof Tensor) return new Tensor(value.data.slice(), value.shape) as T;
  if (Array.isArray(value)) return value.map(copyState) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copyState(item)])) as T;
  }
  return value;
}

/** Every tensor in a state value, in no particular order. */
function tensorsOf(value: StateValue, out: Tensor[] = []): Tensor[] {
  if (value instanceof Tensor) out.push(value);
  else if (Array.isArray(value)) { for (const item of value) tensorsOf(item, out); }
  else if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) {
      tensorsOf(item, out);
    }
  }
  return out;
}

/** Whether no two tensors among these values share memory. */
function disjoint(...values: StateValue[]): boolean {
  return exclusiveMemory(values.flatMap((v) => tensorsOf(v))).every((own) => own);
}

function detach(tree: Tree): Tree {
  return treeMap((t) => (t._node === null ? t : new Tensor(t.data, t.shape)), tree);
}

function describeTensor(t: Tensor): string {
  return `shape [${t.shape}] (${t.dtype})`;
}

/**
 * Checks that a plugin's result has exactly the parameters' structure, shapes and dtypes: an update of
 * the wrong shape would otherwise broadcast silently (a scalar for a matrix).
 */
function checkLikeParams(params: Tree, result: Tree, what: string, where: string): void {
  const expected = flattenTree(params);
  let got: [string, Tensor][];
  try {
    got = flattenTree(result);
  } catch (e) {
    fail(`${what} at ${where}, which is not a tree of tensors: ${(e as Error).message}`);
  }
  const byPath = new Map(got!);
  for (const [path, p] of expected) {
    const u = byPath.get(path);
    if (u === undefined) fail(`${what} with nothing for parameter "${path}" (${describeTensor(p)}) at ${where}`);
    if (u!.dtype !== p.dtype || !shapesEqual(u!.shape, p.shape)) {
      fail(
        `${what} of ${describeTensor(u!)} for parameter "${path}" of ${
          describeTensor(p)
        } at ${where}: each must have its parameter's shape and dtype exactly (no broadcasting)`,
      );
    }
    byPath.delete(path);
  }
  if (byPath.size > 0) fail(`${what} with "${[...byPath.keys()][0]}", which is not a parameter, at ${where}`);
}

function describeFiniteBlowup(loss: number, output: Tensor, params: Tree): string {
  let out = 0, big = 0, where = "";
  for (const v of output.data) out = Math.max(out, Math.abs(v));
  for (const [path, t] of flattenTree(params)) {
    for (const v of t.data) {
      if (Math.abs(v) > big) {
        big = Math.abs(v);
        where = path;
      }
    }
  }
  // Far beyond any sensible value, yet well short of overflowing when squared: about the cube root of the largest number.
  const huge = output.dtype === "float32" ? 1e12 : 1e100;
  const exploded = out > huge || big > huge;
  return `the loss function returned ${loss} for finite outputs (largest |output| ${
    out.toExponential(2)
  }, largest |parameter| ${big.toExponential(2)} in "${where}"): ${
    exploded
      ? "the values exploded (each update made them larger until they overflowed); lower the learning rate"
      : "the loss itself is undefined there (a log of 0 or a division by 0, say)"
  }`;
}

/**
 * Makes one update on a batch: J(θ) = loss(model(θ; x), y) + Σ penalties(θ),
 * g = ∂J/∂θ, θ ← θ + optimizer.update(g, context), then each `project`.
 * Every evaluation of J in this step (the gradient's, and the optimizer's
 * `evaluate`, `hvp` and `gaussNewtonVp`) sees the same layer state and the
 * same draws of stochastic layers.
 *
 * @param input The model, plugins, states, batch and position.
 * @returns The new parameters and states, the batch's loss, outputs and gradient.
 * @throws {NonFiniteError} When the loss, the gradient or the new parameters are not finite.
 * @throws {RangeError} When the loss is not a scalar, or the optimizer's updates (or a projection's
 *   parameters) do not have the parameters' shapes and dtypes exactly.
 *
 * @example
 * ```ts
 * import { _trainStep } from "./_step.ts";
 * import { dense } from "../plugins/layers/dense.ts";
 * import { mse } from "../plugins/losses/mse.ts";
 * import { sgd } from "../plugins/optimizers/sgd.ts";
 * import { Random } from "../core/random.ts";
 * import { tensor } from "../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const model = dense({ units: 1 }), optimizer = sgd({ learningRate: 0.1 });
 * const { params, state } = model.init([1], new Random(0));
 * const r = _trainStep({
 *   model, loss: mse(), optimizer, regularizers: [], params, layerState: state, optState: optimizer.init(params),
 *   regStates: [], x: tensor([[1]]), y: tensor([[2]]), rng: new Random(1).getState(), step: 0,
 *   learningRate: 0.1, where: "step 1", epoch: 1, history: { epochs: [], steps: [] },
 * });
 * assert.equal(r.penalty, null);
 * assert.ok(r.dataLoss > 0);
 * ```
 */
export function _trainStep(input: StepInput): StepOutput {
  const { model, loss, regularizers, layerState, x, y } = input;
  const hasPenalty = regularizers.some((r) => r.penalty);
  const stepRng = () => {
    const r = new Random(0);
    r.setState(input.rng);
    return r;
  };
  const objective = (p: Tree): [Tensor, { output: Tensor; state: Tree; data: Tensor; penalty: Tensor | null }] => {
    const out = model.apply(p, layerState, x, { training: true, rng: stepRng() });
    const data = loss(out.output, y);
    if (!(data instanceof Tensor) || data.size !== 1) {
      fail(`the loss must return a scalar (use reduction "mean" or "sum"): current shape is [${data?.shape}]`);
    }
    let penalty: Tensor | null = null;
    for (const r of regularizers) if (r.penalty) penalty = penalty === null ? r.penalty(p) : add(penalty, r.penalty(p));
    return [penalty === null ? data : add(data, penalty), { output: out.output, state: out.state, data, penalty }];
  };
  // The step's activations, cotangents and temporaries die with it: their buffers go back to the allocator,
  // for the next step to reuse, except what the step returns (the loss, the gradient, the outputs, the state).
  const { value, grad, aux } = withScratch(
    () => valueAndGrad(objective, { hasAux: true })(input.params),
    (r) => [r.value, ...treeLeaves(r.grad), r.aux.output, r.aux.data, r.aux.penalty, ...treeLeaves(r.aux.state)],
  );
  const lossValue = value.data[0];
  const failure = (message: string, path: string | null) =>
    new NonFiniteError(message, { step: input.step + 1, epoch: input.epoch, path, history: input.history });
  if (!Number.isFinite(lossValue)) {
    const badParam = findNonFinite(input.params), badOut = findNonFinite(aux.output);
    const why = badParam !== null
      ? `parameter "${badParam.path}" is already ${badParam.value} (element ${badParam.index}): the previous update overflowed; lower the learning rate`
      : badOut !== null
      ? `the model's output is ${badOut.value} (element ${badOut.index}) although every parameter is finite: the activations overflowed (they grow layer by layer when the weights are large)`
      : describeFiniteBlowup(lossValue, aux.output, input.params);
    throw failure(`Cannot train as the loss became ${lossValue} at ${input.where}: ${why}`, badParam?.path ?? null);
  }
  const badGrad = findNonFinite(grad);
  if (badGrad !== null) {
    throw failure(
      `Cannot train as the gradient of "${badGrad.path}" (layer "${
        layerOf(badGrad.path)
      }") became ${badGrad.value} at ${input.where} (element ${badGrad.index}; the loss was ${lossValue}): the gradients exploded (they grow layer by layer through large weights); lower the learning rate or clip the gradients`,
      badGrad.path,
    );
  }
  const gradNorms = input.gradientNorms ? gradientNorms(grad) : null;
  // Donate only what provably nothing else holds: the gradient, the optimizer state and (to `step`, when the
  // caller gives them too) the parameters to the optimizer; to applyUpdates, the parameters unless the new state
  // kept a reference to them.
  const others = [input.layerState, input.regStates as StateValue];
  const donateState = input.donate === true && disjoint(grad, input.optState, input.params, ...others);
  const donateParams = donateState && input.donateParams === true;
  const scalar = (p: Tree) => objective(p)[0];
  const context: UpdateContext = {
    donate: donateState,
    loss: lossValue,
    evaluate: (p) => {
      const r = valueAndGrad(scalar)(p);
      return { loss: r.value.data[0], grads: r.grad };
    },
    hvp: (p, v) => exactHvp(scalar, p, v),
    gaussNewtonVp: (p, v) => {
      const outputs = (q: Tree) => model.apply(q, layerState, x, { training: true, rng: stepRng() }).output;
      const gn = gaussNewtonVp(outputs, (z: Tensor) => loss(z, y), p, v);
      if (!hasPenalty) return gn;
      const penalties = (q: Tree) => objective(q)[1].penalty!;
      return treeMap((a, b) => add(a, b!), gn, exactHvp(penalties, p, v));
    },
  };
  const optimizerName = input.optimizerName ?? "the optimizer";
  let params: Tree, optState: StateValue;
  if (input.optimizer.step !== undefined && donateParams === donateState) {
    // One pass where the optimizer has one (Adam's fused step); `donate` covers the parameters too.
    ({ params, state: optState } = input.optimizer.step(grad, input.optState, input.params, context));
    checkLikeParams(input.params, params, `${optimizerName} returned parameters`, input.where);
  } else {
    const update = input.optimizer.update(grad, input.optState, input.params, context);
    checkLikeParams(input.params, update.updates, `${optimizerName} returned an update`, input.where);
    const inPlace = donateParams && disjoint(input.params, update.state, ...others);
    params = applyUpdates(input.params, update.updates, { donate: inPlace });
    optState = update.state;
  }
  // Nothing non-finite is ever committed (to the next step, an epoch's record or a checkpoint): a NaN or
  // infinite parameter stops the run here, naming who made it, and the last checkpoint stays the last good one.
  const checkFinite = (who: string) => {
    if (allFinite(params)) return;
    const bad = findNonFinite(params)!;
    throw failure(
      `Cannot train as ${who} made parameter "${bad.path}" ${bad.value} at ${input.where} (element ${bad.index}; the loss ${lossValue} and the gradient were finite): the run stops before anything non-finite is saved`,
      bad.path,
    );
  };
  checkFinite(optimizerName);
  // The optimizer has consumed the donated gradient: unless its new state or the parameters kept some of it,
  // its buffers go back to the allocator for the next step's gradient.
  if (donateState && disjoint(grad, optState, params, ...others)) recycle(treeLeaves(grad));
  const regStates = [...input.regStates];
  regularizers.forEach((r, i) => {
    if (!r.project) return;
    const projected = r.project(params, regStates[i], { step: input.step + 1, learningRate: input.learningRate });
    const name = input.regularizerNames?.[i] ?? `regularizer ${i}`;
    checkLikeParams(input.params, projected.params, `${name} returned projected parameters`, input.where);
    params = projected.params;
    regStates[i] = projected.state;
    checkFinite(`the projection of ${name}`);
  });
  return {
    params,
    layerState: detach(aux.state),
    optState,
    regStates,
    dataLoss: aux.data.data[0],
    penalty: aux.penalty === null ? null : aux.penalty.data[0],
    output: aux.output,
    gradNorms,
  };
}
