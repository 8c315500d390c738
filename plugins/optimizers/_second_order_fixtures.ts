/**
 * Test fixtures shared by the second-order optimizers' tests (`newton`,
 * `damped-newton`, `bfgs`, `lbfgs`, `hessian-free`, `conjugate-gradient`):
 * the update context `minimize` would give, a seeded strictly convex
 * quadratic, the two benchmark problems of seed 000 (Rosenbrock's function and
 * the homework network, re-exported from `examples/second_order.ts`), and the
 * plain gradient descent baseline the issue's quality bars compare against.
 *
 * Test-only: it imports `node:assert`, is not listed in `mod.ts`, and no
 * library file imports it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { hvp, valueAndGrad } from "../../core/autodiff.ts";
import type { UpdateContext } from "../../core/interfaces.ts";
import { matmul, mul, reshape, sub, sum } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import type { HomeworkProblem } from "../../examples/second_order.ts";
import { minimize } from "../../train/minimize.ts";
import { sgd } from "./sgd.ts";

export { type HomeworkProblem, homeworkProblem, rosenbrock } from "../../examples/second_order.ts";

/**
 * The full update context `minimize` would give at `x`, for a function of a
 * tensor: the loss there, re-evaluation (loss and gradient) at any point, and
 * exact Hessian-vector products.
 *
 * @param f The objective, a function of one tensor returning a scalar tensor.
 * @param x The current parameters.
 * @returns `{ loss, evaluate, hvp }`.
 *
 * @example
 * ```ts
 * import { contextFor } from "./_second_order_fixtures.ts";
 * import { square, sum, tensor, type Tensor } from "../../core/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const f = (v: Tensor) => sum(square(v));
 * const context = contextFor(f, tensor([1, 2]));
 * assert.equal(context.loss, 5);
 * assert.deepEqual((context.evaluate!(tensor([3, 0])).grads as Tensor).toArray(), [6, 0]);
 * assert.deepEqual((context.hvp!(tensor([1, 2]), tensor([1, 0])) as Tensor).toArray(), [2, 0]);
 * ```
 */
export function contextFor(f: (x: Tensor) => Tensor, x: Tensor): UpdateContext {
  return {
    loss: f(x).item(),
    evaluate: (p) => {
      const { value, grad } = valueAndGrad(f)(p as Tensor);
      return { loss: value.item(), grads: grad };
    },
    hvp: (p, v) => hvp(f, p as Tensor, v as Tensor),
  };
}

/**
 * The context {@linkcode contextFor} gives, without `hvp`: what a method that
 * uses no curvature products (BFGS, L-BFGS) needs, so its tests show it does
 * without them.
 *
 * @param f The objective, a function of one tensor returning a scalar tensor.
 * @param x The current parameters.
 * @returns `{ loss, evaluate }`.
 *
 * @example
 * ```ts
 * import { firstOrderContextFor } from "./_second_order_fixtures.ts";
 * import { square, sum, tensor, type Tensor } from "../../core/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const context = firstOrderContextFor((v: Tensor) => sum(square(v)), tensor([1, 2]));
 * assert.deepEqual(Object.keys(context), ["loss", "evaluate"]);
 * assert.equal(context.evaluate!(tensor([0, 3])).loss, 9);
 * ```
 */
export function firstOrderContextFor(f: (x: Tensor) => Tensor, x: Tensor): UpdateContext {
  const { hvp: _, ...rest } = contextFor(f, x);
  return rest;
}

/** What {@linkcode quadratic} returns. */
export interface Quadratic {
  /** f(x) = ½(x − x*)ᵀA(x − x*), for `x` of shape `[n]`. */
  f: (x: Tensor) => Tensor;
  /** The minimizer x*, where f is 0. */
  xStar: number[];
  /** A start, each coordinate drawn from N(0, 3²). */
  x0: Tensor;
}

/**
 * A strictly convex quadratic ½(x − x*)ᵀA(x − x*) in n dimensions, with
 * A = MᵀM + I, M and x* standard normal, and a start: all drawn from
 * `new Random(seed)` (M, then x*, then the start), so a seed always gives the
 * same problem.
 *
 * @param n The dimension.
 * @param seed The generator's seed.
 * @returns The function, its minimizer and a start.
 *
 * @example
 * ```ts
 * import { quadratic } from "./_second_order_fixtures.ts";
 * import { tensor } from "../../core/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const { f, xStar, x0 } = quadratic(3, 7);
 * assert.equal(f(tensor(xStar)).item(), 0);
 * assert.ok(f(x0).item() > 0);
 * assert.deepEqual(quadratic(3, 7).x0.toArray(), x0.toArray());
 * ```
 */
export function quadratic(n: number, seed: number): Quadratic {
  const rng = new Random(seed);
  const m = Array.from({ length: n * n }, () => rng.normal());
  const a = Array.from({ length: n * n }, (_, k) => {
    const i = Math.floor(k / n), j = k % n;
    let s = i === j ? 1 : 0;
    for (let r = 0; r < n; r++) s += m[r * n + i] * m[r * n + j];
    return s;
  });
  const A = tensor(a, [n, n]), xStar = Array.from({ length: n }, () => rng.normal());
  const minimum = tensor(xStar, [n, 1]);
  const f = (x: Tensor) => {
    const d = sub(reshape(x, [n, 1]), minimum);
    return mul(sum(mul(d, matmul(A, d))), 0.5);
  };
  return { f, xStar, x0: tensor(Array.from({ length: n }, () => rng.normal(0, 3))) };
}

/**
 * The lowest loss plain gradient descent reaches with exactly `evaluations`
 * loss-and-gradient evaluations: the best of `sgd` at learning rates 0.03,
 * 0.1, 0.3, 1 and 3, each run for `evaluations − 1` steps (`minimize`
 * evaluates the start and every step's end). The baseline a second-order
 * method must beat with the same number of evaluations.
 *
 * @param problem The problem, usually {@linkcode homeworkProblem}`()`.
 * @param evaluations The budget of loss-and-gradient evaluations, at least 1.
 * @returns The lowest final loss over the five rates.
 * @throws {AssertionError} When a run does not use exactly `evaluations` evaluations.
 *
 * @example
 * ```ts
 * import { bestSgdLoss, homeworkProblem } from "./_second_order_fixtures.ts";
 * import assert from "node:assert/strict";
 *
 * const problem = homeworkProblem();
 * assert.ok(bestSgdLoss(problem, 3) < problem.loss(problem.params).item());
 * ```
 */
export function bestSgdLoss(problem: HomeworkProblem, evaluations: number): number {
  return Math.min(
    ...[0.03, 0.1, 0.3, 1, 3].map((learningRate) => {
      const r = minimize(problem.loss, problem.params, sgd({ learningRate }), { steps: evaluations - 1 });
      assert.equal(r.counts.gradients, evaluations);
      return r.losses.at(-1)!;
    }),
  );
}
