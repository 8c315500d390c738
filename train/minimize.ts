/**
 * `minimize`: run an optimizer on a scalar function and watch its path.
 *
 * @module
 */

import { hvp as exactHvp, valueAndGrad } from "../core/autodiff.ts";
import type { Optimizer, StateValue, UpdateContext } from "../core/interfaces.ts";
import type { Registry } from "../core/registry.ts";
import { Tensor } from "../core/tensor.ts";
import { applyUpdates, flattenTree, type Tree } from "../core/tree.ts";
import { createRegistry } from "../plugins/mod.ts";
import { type PluginSpec, resolvePlugin } from "./resolve.ts";

/** Options of {@linkcode minimize}. */
export interface MinimizeOptions {
  /** The number of optimizer steps. @default {100} */
  steps?: number;
  /** Where `{ name }` optimizers are looked up. @default {createRegistry()} */
  registry?: Registry;
  /** Stop early once the loss is at or below this value. */
  tolerance?: number;
}

/** How many times `minimize` evaluated the function and its derivatives. */
export interface EvaluationCounts {
  /** Loss-and-gradient evaluations (each step's, plus line-search trials). */
  gradients: number;
  /** Hessian-vector products. */
  hvps: number;
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

/**
 * Runs an optimizer on a scalar function of a tensor or a tree of tensors,
 * supplying the full update context (loss, re-evaluation, exact Hessian-vector
 * products) so second-order methods work too. The input is never mutated.
 *
 * @param f The scalar function to minimize.
 * @param x0 The starting point.
 * @param optimizer An optimizer, or `{ name, ...options }` (e.g. `{ name: "sgd", learningRate: 0.01 }`).
 * @param options `steps`, `registry`, `tolerance`.
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
  options: MinimizeOptions = {},
): MinimizeResult<T> {
  const steps = options.steps ?? 100;
  if (!Number.isInteger(steps) || steps < 0) {
    throw new RangeError(`Cannot minimize as steps must be a non-negative integer: current value is ${steps}`);
  }
  const registry = options.registry ?? createRegistry();
  const opt = resolvePlugin(registry, "optimizer", optimizer, (o) => "update" in o) as Optimizer<StateValue>;
  const counts: EvaluationCounts = { gradients: 0, hvps: 0 };
  const evaluateAt = (x: T) => {
    counts.gradients++;
    const { value, grad } = valueAndGrad(f)(x);
    if (value.size !== 1) {
      throw new RangeError(`Cannot minimize as f must return a scalar tensor: current shape is [${value.shape}]`);
    }
    return { loss: value.data[0], grads: grad as Tree };
  };
  const context: UpdateContext = {
    evaluate: (x) => evaluateAt(x as T),
    hvp: (x, v) => {
      counts.hvps++;
      return exactHvp(f as (x: Tree) => Tensor, x, v);
    },
  };
  let x = x0;
  let state = opt.init(x);
  const losses: number[] = [];
  const path: T[] = [];
  for (let k = 0; k <= steps; k++) {
    const { loss, grads } = evaluateAt(x);
    losses.push(loss);
    if (!Number.isFinite(loss)) {
      throw new RangeError(`Cannot minimize as the loss became ${loss} before step ${k}: the last finite point is path[${k - 2}]`);
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
