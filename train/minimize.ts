/**
 * `minimize`: run an optimizer on a scalar function and watch its path.
 *
 * @module
 */

import { grad, hvp as exactHvp, treeDot, valueAndGrad, vjp } from "../core/autodiff.ts";
import type { Evaluation, Optimizer, StateValue, UpdateContext } from "../core/interfaces.ts";
import type { Registry } from "../core/registry.ts";
import { Tensor, zeros } from "../core/tensor.ts";
import { applyUpdates, flattenTree, type Tree } from "../core/tree.ts";
import { createRegistry } from "../plugins/mod.ts";
import { type PluginSpec, resolvePlugin } from "./resolve.ts";

/** Options of {@linkcode minimize}; `T` is the type of the point. */
export interface MinimizeOptions<T extends Tree = Tree> {
  /** The number of optimizer steps. @default {100} */
  steps?: number;
  /** Where `{ name }` optimizers are looked up. @default {createRegistry()} */
  registry?: Registry;
  /** Stop early once the loss is at or below this value. */
  tolerance?: number;
  /**
   * `f` split as `f(x) = loss(model(x))`, so the update context also offers
   * Gauss–Newton products `Jᵀ·∇²loss·J·v` (see {@linkcode gaussNewtonVp}).
   * The caller keeps the two consistent with `f`.
   */
  gaussNewton?: GaussNewtonSplit<T>;
  /**
   * Called at each point of the run once its loss is known: the start (`k` = 0) and the point after each
   * step, with the work done so far (it includes reaching and evaluating this point). For charts of the
   * loss against evaluations, or to watch a long run.
   */
  onPoint?: (point: MinimizePoint<T>) => void;
}

/** One point of a {@linkcode minimize} run, as {@linkcode MinimizeOptions.onPoint} sees it. */
export interface MinimizePoint<T extends Tree> {
  /** The number of steps taken to reach it. */
  k: number;
  /** The point. */
  x: T;
  /** f at the point. */
  loss: number;
  /** The work done so far (a copy). */
  counts: EvaluationCounts;
}

/** A scalar function written as `loss(model(x))`, for Gauss–Newton products. */
export interface GaussNewtonSplit<T extends Tree> {
  /** Maps the parameters to the outputs `z` (any shape). */
  model: (x: T) => Tensor;
  /** Maps the outputs to the scalar loss; convex in `z` for a positive semidefinite product. */
  loss: (z: Tensor) => Tensor;
}

/** How many times `minimize` evaluated the function and its derivatives. */
export interface EvaluationCounts {
  /**
   * Loss-and-gradient evaluations (each step's, plus line-search trials); each
   * gives the function value and the gradient together. A point evaluated
   * again (a line search's accepted point, then the next step's start) is
   * served from a small cache and not counted twice.
   */
  gradients: number;
  /** Hessian-vector products. */
  hvps: number;
  /** Gauss–Newton-vector products (with the `gaussNewton` option). */
  gaussNewtonVps: number;
}

/** The result of {@linkcode minimize}. */
export interface MinimizeResult<T extends Tree> {
  /** The final point. */
  x: T;
  /** `losses[k]` is the loss before step k; the last entry is the final loss. */
  losses: number[];
  /** `path[k]` is the point after step k. */
  path: T[];
  /** How much work the run took. */
  counts: EvaluationCounts;
}

function describeNonFinite(grads: Tree): string | null {
  for (const [path, t] of flattenTree(grads)) {
    const i = t.data.findIndex((v) => !Number.isFinite(v));
    if (i !== -1) return `${path === "" ? "element" : `"${path}" element`} ${i} is ${t.data[i]}`;
  }
  return null;
}

/** How many recent evaluations `minimize` keeps to answer a repeated point. */
const CACHE_SIZE = 8;

/** Whether two trees hold bitwise-equal leaves (same order and sizes). */
function sameLeaves(a: readonly Tensor[], b: readonly Tensor[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i].data, y = b[i].data;
    if (x === y) continue;
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

/**
 * The Gauss–Newton-vector product `G·v = Jᵀ·∇²ℓ(z)·J·v` of `f(x) = ℓ(model(x))`
 * at `x`, where `J = ∂z/∂x` and `z = model(x)` (Schraudolph 2002; Martens
 * 2010). `G` drops the second derivatives of the model from the Hessian, so it
 * is positive semidefinite whenever `ℓ` is convex in `z` (MSE, cross-entropy).
 * `J·v` comes from reverse mode twice (the VJP's own VJP, linear in the
 * cotangent), `∇²ℓ·(J·v)` from the exact `hvp`, and `Jᵀ·(…)` from the VJP.
 *
 * @param model Maps the parameters to outputs.
 * @param loss Maps the outputs to a scalar.
 * @param x The point.
 * @param v The direction, with the structure of `x`.
 * @returns `G·v`, with the structure of `x`.
 *
 * @example For ℓ(z) = ½‖z‖², G = JᵀJ
 * ```ts
 * import { gaussNewtonVp } from "./minimize.ts";
 * import { mul, square, sum, tensor, type Tensor } from "../core/mod.ts";
 * import assert from "node:assert/strict";
 *
 * // z = x² (elementwise): J = diag(2x), so G·v = 4x²·v
 * const g = gaussNewtonVp((x: Tensor) => square(x), (z) => mul(sum(square(z)), 0.5), tensor([1, 3]), tensor([1, 1]));
 * assert.deepEqual(g.toArray(), [4, 36]);
 * ```
 */
export function gaussNewtonVp<T extends Tree>(model: (x: T) => Tensor, loss: (z: Tensor) => Tensor, x: T, v: T): T {
  const { output, vjp: back } = vjp(model, x);
  const jv = grad((u: Tensor) => treeDot(back(u), v))(zeros(output.shape, output.dtype));
  const hjv = exactHvp(loss, new Tensor(output.data, output.shape), jv);
  return back(hjv);
}

/**
 * Runs an optimizer on a scalar function of a tensor or a tree of tensors,
 * supplying the full update context (loss, re-evaluation, exact Hessian-vector
 * products, and Gauss–Newton products with the `gaussNewton` option) so
 * second-order methods work too. The input is never mutated.
 *
 * @param f The scalar function to minimize.
 * @param x0 The starting point.
 * @param optimizer An optimizer, or `{ name, ...options }` (e.g. `{ name: "sgd", learningRate: 0.01 }`).
 * @param options `steps`, `registry`, `tolerance`, `gaussNewton`, `onPoint`.
 * @returns `{ x, losses, path, counts }`.
 * @throws {RangeError} When the loss is not a scalar, or the loss or gradient
 *   becomes non-finite (naming the step); the points reached before stay in the error's message.
 *
 * @example Walk down a bowl
 * ```ts
 * import { minimize } from "./minimize.ts";
 * import { square, sum, tensor, type Tensor } from "../core/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const { x, losses } = minimize((v: Tensor) => sum(square(v)), tensor([3, -4]), { name: "sgd", learningRate: 0.1 }, { steps: 50 });
 * assert.ok(losses[losses.length - 1] < 1e-8 && Math.abs(x.data[0]) < 1e-4);
 * ```
 */
export function minimize<T extends Tree>(
  f: (x: T) => Tensor,
  x0: T,
  optimizer: PluginSpec<"optimizer">,
  options: MinimizeOptions<T> = {},
): MinimizeResult<T> {
  const steps = options.steps ?? 100;
  if (!Number.isInteger(steps) || steps < 0) {
    throw new RangeError(`Cannot minimize as steps must be a non-negative integer: current value is ${steps}`);
  }
  const registry = options.registry ?? createRegistry();
  const opt = resolvePlugin(registry, "optimizer", optimizer, (o) => "update" in o) as Optimizer<StateValue>;
  const counts: EvaluationCounts = { gradients: 0, hvps: 0, gaussNewtonVps: 0 };
  const cache: { leaves: Tensor[]; result: Evaluation }[] = [];
  const evaluateAt = (x: T): Evaluation => {
    const leaves = flattenTree(x).map(([, t]) => t);
    const hit = cache.find((entry) => sameLeaves(entry.leaves, leaves));
    if (hit !== undefined) return hit.result;
    counts.gradients++;
    const { value, grad } = valueAndGrad(f)(x);
    if (value.size !== 1) {
      throw new RangeError(`Cannot minimize as f must return a scalar tensor: current shape is [${value.shape}]`);
    }
    const result = { loss: value.data[0], grads: grad as Tree };
    cache.unshift({ leaves, result });
    if (cache.length > CACHE_SIZE) cache.pop();
    return result;
  };
  const context: UpdateContext = {
    evaluate: (x) => evaluateAt(x as T),
    hvp: (x, v) => {
      counts.hvps++;
      return exactHvp(f as (x: Tree) => Tensor, x, v);
    },
  };
  const split = options.gaussNewton;
  if (split !== undefined) {
    if (typeof split?.model !== "function" || typeof split?.loss !== "function") {
      throw new TypeError(
        `Cannot minimize as gaussNewton must be { model, loss }, two functions: current value is ${
          split === null ? "null" : typeof split
        }`,
      );
    }
    context.gaussNewtonVp = (x, v) => {
      counts.gaussNewtonVps++;
      return gaussNewtonVp(split.model, split.loss, x as T, v as T);
    };
  }
  let x = x0;
  let state = opt.init(x);
  const losses: number[] = [];
  const path: T[] = [];
  for (let k = 0; k <= steps; k++) {
    const { loss, grads } = evaluateAt(x);
    losses.push(loss);
    options.onPoint?.({ k, x, loss, counts: { ...counts } });
    if (!Number.isFinite(loss)) {
      throw new RangeError(
        `Cannot minimize as the loss became ${loss} before step ${k}: the last finite point is path[${k - 2}]`,
      );
    }
    if (k === steps || (options.tolerance !== undefined && loss <= options.tolerance)) break;
    const bad = describeNonFinite(grads);
    if (bad !== null) throw new RangeError(`Cannot minimize as the gradient is not finite before step ${k}: ${bad}`);
    const r = opt.update(grads, state, x, { ...context, loss });
    x = applyUpdates(x, r.updates);
    state = r.state;
    path.push(x);
  }
  return { x, losses, path, counts };
}
