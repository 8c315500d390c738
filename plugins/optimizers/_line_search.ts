/**
 * Line searches along a direction `d` from parameters `θ`, on
 * `φ(t) = L(θ + t·d)`, shared by `bfgs`, `lbfgs`, `conjugate-gradient`,
 * `hessian-free` and `damped-newton`:
 *
 * - {@linkcode strongWolfe}: Nocedal and Wright's Algorithms 3.5 (bracketing)
 *   and 3.6 (zoom) with safeguarded cubic interpolation, as in
 *   `torch.optim.lbfgs._strong_wolfe` (itself a port of minFunc). It returns
 *   a step satisfying the strong Wolfe conditions
 *     φ(t) ≤ φ(0) + c₁·t·φ′(0)        (sufficient decrease, Armijo)
 *     |φ′(t)| ≤ c₂·|φ′(0)|            (curvature)
 *   with 0 < c₁ < c₂ < 1, or the best point found within its budget.
 * - {@linkcode backtracking}: Armijo backtracking t ← ρ·t.
 *
 * Trial points are built as `applyUpdates(θ, t·d)`, exactly as `minimize` and
 * the trainer apply the returned updates, so the caller's evaluation of the
 * accepted point can be recognized and reused.
 *
 * @module
 */

import type { Evaluation } from "../../core/interfaces.ts";
import { checkNumber } from "../../core/options.ts";
import { applyUpdates, type Tree } from "../../core/tree.ts";
import { dot, finiteVector, fromVector, readLoss, scaled } from "./_linear_algebra.ts";

/** One evaluated point on the line `θ + t·d`. */
export interface LinePoint {
  /** The step length. */
  t: number;
  /** `φ(t)`; `Infinity` where the loss was not finite. */
  loss: number;
  /** The gradient at `θ + t·d` (empty where the loss was not finite). */
  grad: Float64Array;
  /** `φ′(t) = ∇L(θ + t·d)ᵀd` (NaN where the loss was not finite). */
  slope: number;
  /** The update tree `t·d` that reaches this point (`null` for t = 0). */
  updates: Tree | null;
}

/**
 * Makes `φ` for a direction: a function of the step that evaluates loss and
 * gradient at `θ + t·d` through the context's `evaluate`, checking what comes
 * back. A non-finite loss reads as `+∞` (so searches back off); a non-finite
 * gradient at a finite loss is an error.
 *
 * @param owner Who is asking, e.g. `optimizer "bfgs"`.
 * @param evaluate The context's `evaluate(params)`.
 * @param params The parameters θ.
 * @param direction The direction d (flat).
 * @param onEvaluate Called after each evaluation (to count them).
 * @returns `φ` as a function of `t`.
 *
 * @example
 * ```ts
 * import { lineFunction } from "./_line_search.ts";
 * import { grad, square, sum, tensor, type Tensor } from "../../core/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const f = (x: Tensor) => sum(square(x));
 * const evaluate = (x: Tensor) => ({ loss: f(x).item(), grads: grad(f)(x) });
 * const phi = lineFunction('optimizer "bfgs"', evaluate as never, tensor([1, 1]), new Float64Array([-1, -1]));
 * assert.equal(phi(1).loss, 0);
 * assert.equal(phi(0.5).slope, -2); // ∇ = (1, 1), d = (−1, −1)
 * ```
 */
export function lineFunction(
  owner: string,
  evaluate: (params: Tree) => Evaluation,
  params: Tree,
  direction: Float64Array,
  onEvaluate: () => void = () => {},
): (t: number) => LinePoint {
  const size = direction.length;
  return (t) => {
    const updates = fromVector(params, scaled(t, direction));
    const result = evaluate(applyUpdates(params, updates));
    onEvaluate();
    if (result === null || typeof result !== "object") {
      throw new TypeError(
        `Cannot update with ${owner} as evaluate(params) must return { loss, grads }: current value is ${
          result === null ? "null" : typeof result
        }`,
      );
    }
    const loss = readLoss(owner, "the loss returned by evaluate(params)", (result as Evaluation).loss);
    if (!Number.isFinite(loss)) return { t, loss: Infinity, grad: new Float64Array(0), slope: NaN, updates };
    const g = finiteVector(owner, "the gradient returned by evaluate(params)", result.grads, size);
    return { t, loss, grad: g, slope: dot(g, direction), updates };
  };
}

/**
 * The minimizer of the cubic through `(x1, f1)` and `(x2, f2)` with slopes
 * `g1`, `g2`, clamped to `bounds` (default: the interval between x1 and x2);
 * the midpoint of the bounds when the cubic has no minimizer or a value is
 * not finite (Nocedal and Wright eq. 3.59).
 *
 * @param x1 The first abscissa.
 * @param f1 Its value.
 * @param g1 Its slope.
 * @param x2 The second abscissa.
 * @param f2 Its value.
 * @param g2 Its slope.
 * @param bounds `[min, max]` for the result.
 * @returns The step.
 *
 * @example On a quadratic the cubic is exact
 * ```ts
 * import { cubicMinimizer } from "./_line_search.ts";
 * import assert from "node:assert/strict";
 *
 * // φ(t) = (t − 3)²: φ(0) = 9, φ′(0) = −6, φ(1) = 4, φ′(1) = −4
 * assert.equal(cubicMinimizer(0, 9, -6, 1, 4, -4, [0, 10]), 3);
 * ```
 */
export function cubicMinimizer(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  bounds?: [number, number],
): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0 && [x1, f1, g1, x2, f2, g2].every(Number.isFinite)) {
    const d2 = Math.sqrt(d2Square);
    const t = x1 <= x2
      ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
      : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    if (Number.isFinite(t)) return Math.min(Math.max(t, lo), hi);
  }
  return (lo + hi) / 2;
}

/** Options of {@linkcode strongWolfe}. */
export interface StrongWolfeOptions {
  /** Sufficient-decrease constant c₁. @default {1e-4} */
  c1?: number;
  /** Curvature constant c₂. @default {0.9} */
  c2?: number;
  /** Stop zooming once the bracket is shorter than this (times max|dᵢ|). @default {1e-9} */
  toleranceChange?: number;
  /** The most evaluations. @default {25} */
  maxEvaluations?: number;
}

/** The result of {@linkcode strongWolfe} and {@linkcode backtracking}. */
export interface LineSearchResult extends LinePoint {
  /** Loss evaluations made. */
  evaluations: number;
  /** Whether the returned point satisfies the conditions the search tests. */
  satisfied: boolean;
}

/**
 * A line search for a step satisfying the strong Wolfe conditions (Nocedal
 * and Wright 2006, Algorithms 3.5 and 3.6; the safeguards and interpolation of
 * `torch.optim.lbfgs._strong_wolfe`): bracketing by cubic extrapolation in
 * [t + 0.01·(t − t_prev), 10·t], then zoom by cubic interpolation kept at
 * least 10% of the bracket away from its ends. When the budget runs out it
 * returns the lowest point bracketed (possibly t = 0, no step).
 *
 * @param phi `φ`, from {@linkcode lineFunction}.
 * @param start `φ` at t = 0 (loss, gradient and slope φ′(0) < 0).
 * @param t0 The first trial step.
 * @param maxAbsDirection `max |dᵢ|`, to measure the bracket in parameter units.
 * @param options `c1`, `c2`, `toleranceChange`, `maxEvaluations`.
 * @returns The accepted point and the evaluations made.
 *
 * @example φ(t) = (t − 3)²: the first trial t = 1 is too short, the cubic finds t = 3
 * ```ts
 * import { strongWolfe } from "./_line_search.ts";
 * import assert from "node:assert/strict";
 *
 * const phi = (t: number) => ({ t, loss: (t - 3) ** 2, grad: new Float64Array(), slope: 2 * (t - 3), updates: null });
 * const r = strongWolfe(phi, phi(0), 1, 1, { c2: 0.1 });
 * assert.equal(r.t, 3);
 * assert.equal(r.evaluations, 2);
 * ```
 */
export function strongWolfe(
  phi: (t: number) => LinePoint,
  start: LinePoint,
  t0: number,
  maxAbsDirection: number,
  options: StrongWolfeOptions = {},
): LineSearchResult {
  const c1 = options.c1 ?? 1e-4, c2 = options.c2 ?? 0.9;
  const toleranceChange = options.toleranceChange ?? 1e-9, maxEvaluations = options.maxEvaluations ?? 25;
  const f0 = start.loss, gtd0 = start.slope;
  const armijo = (p: LinePoint) => p.loss <= f0 + c1 * p.t * gtd0;
  const curvature = (p: LinePoint) => Math.abs(p.slope) <= -c2 * gtd0;
  let evaluations = 0;
  const trial = (t: number) => {
    evaluations++;
    return phi(t);
  };
  const done = (p: LinePoint, satisfied: boolean): LineSearchResult => ({ ...p, evaluations, satisfied });

  // Bracketing (Algorithm 3.5).
  let prev = start;
  let current = trial(t0);
  let bracket: [LinePoint, LinePoint] | null = null;
  while (true) {
    if (!armijo(current) || (evaluations > 1 && current.loss >= prev.loss)) {
      bracket = [prev, current];
      break;
    }
    if (curvature(current)) return done(current, true);
    if (current.slope >= 0) {
      bracket = [prev, current];
      break;
    }
    if (evaluations >= maxEvaluations) return done(current, false);
    const t = cubicMinimizer(prev.t, prev.loss, prev.slope, current.t, current.loss, current.slope, [
      current.t + 0.01 * (current.t - prev.t),
      current.t * 10,
    ]);
    prev = current;
    current = trial(t);
  }

  // Zoom (Algorithm 3.6): bracket[low] has the lower loss and satisfies sufficient decrease.
  let low = bracket[0].loss <= bracket[1].loss ? 0 : 1;
  let insufficientProgress = false;
  while (evaluations < maxEvaluations) {
    const a = bracket[0], b = bracket[1];
    if (Math.abs(b.t - a.t) * maxAbsDirection < toleranceChange) break;
    let t = cubicMinimizer(a.t, a.loss, a.slope, b.t, b.loss, b.slope);
    const hi = Math.max(a.t, b.t), lo = Math.min(a.t, b.t), eps = 0.1 * (hi - lo);
    if (Math.min(hi - t, t - lo) < eps) {
      if (insufficientProgress || t >= hi || t <= lo) {
        t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    const p = trial(t);
    if (!armijo(p) || p.loss >= bracket[low].loss) {
      bracket[1 - low] = p;
      low = bracket[0].loss <= bracket[1].loss ? 0 : 1;
    } else {
      if (curvature(p)) return done(p, true);
      if (p.slope * (bracket[1 - low].t - bracket[low].t) >= 0) bracket[1 - low] = bracket[low];
      bracket[low] = p;
    }
  }
  const best = bracket[low];
  return done(best, best.t !== 0 && armijo(best) && curvature(best));
}

/** Options of {@linkcode backtracking}. */
export interface BacktrackingOptions {
  /** Sufficient-decrease constant c. @default {1e-4} */
  c1?: number;
  /** The factor ρ ∈ (0, 1) the step shrinks by. @default {0.5} */
  shrink?: number;
  /** The most evaluations. @default {30} */
  maxEvaluations?: number;
  /** An evaluation already made at `t0` (reused, not repeated). */
  first?: LinePoint;
}

/**
 * Armijo backtracking (Nocedal and Wright, Algorithm 3.1): tries t0, ρ·t0,
 * ρ²·t0, … until `φ(t) ≤ φ(0) + c·t·φ′(0)`. When no trial passes within the
 * budget it returns t = 0 (no step), `satisfied: false`.
 *
 * @param phi `φ`, from {@linkcode lineFunction}.
 * @param start `φ` at t = 0.
 * @param t0 The first trial step.
 * @param options `c1`, `shrink`, `maxEvaluations`, `first`.
 * @returns The accepted point.
 *
 * @example
 * ```ts
 * import { backtracking } from "./_line_search.ts";
 * import assert from "node:assert/strict";
 *
 * const phi = (t: number) => ({ t, loss: (t - 0.3) ** 2, grad: new Float64Array(), slope: 2 * (t - 0.3), updates: null });
 * assert.equal(backtracking(phi, phi(0), 1).t, 0.5);
 * ```
 */
export function backtracking(
  phi: (t: number) => LinePoint,
  start: LinePoint,
  t0: number,
  options: BacktrackingOptions = {},
): LineSearchResult {
  const c1 = options.c1 ?? 1e-4, shrink = options.shrink ?? 0.5, maxEvaluations = options.maxEvaluations ?? 30;
  let evaluations = 0;
  let t = t0;
  let p = options.first ?? (evaluations++, phi(t));
  while (true) {
    if (p.loss <= start.loss + c1 * p.t * start.slope) return { ...p, evaluations, satisfied: true };
    if (evaluations >= maxEvaluations) return { ...start, evaluations, satisfied: false };
    t *= shrink;
    evaluations++;
    p = phi(t);
  }
}

/** The line-search options `bfgs`, `lbfgs` and `conjugate-gradient` share. */
export interface LineSearchOptions {
  /** Sufficient-decrease constant c₁ of the strong Wolfe conditions, in (0, c₂). @default {1e-4} */
  c1?: number;
  /** Curvature constant c₂ of the strong Wolfe conditions, in (c₁, 1). */
  c2?: number;
  /** The most loss evaluations per line search. @default {25} */
  maxLineSearchEvaluations?: number;
  /** Stop when the directional derivative, the bracket or the loss change falls below this. @default {1e-9} */
  toleranceChange?: number;
  /** No step once max|gᵢ| is at or below this (first-order optimality). @default {1e-7} */
  toleranceGrad?: number;
}

/** The option names of {@linkcode LineSearchOptions}. */
export const LINE_SEARCH_KEYS: readonly string[] = [
  "c1",
  "c2",
  "maxLineSearchEvaluations",
  "toleranceChange",
  "toleranceGrad",
];

/**
 * Validates the shared line-search options with `core/options.ts`, including
 * 0 < c₁ < c₂ < 1.
 *
 * @param owner Who is asking, e.g. `optimizer "bfgs"`.
 * @param options The options given.
 * @param c2Default The default c₂ (0.9 for quasi-Newton, 0.1 for conjugate gradient).
 * @returns The values, defaults filled in.
 * @throws {RangeError} For a value out of range, or c₁ ≥ c₂.
 *
 * @example
 * ```ts
 * import { checkLineSearchOptions } from "./_line_search.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkLineSearchOptions('optimizer "bfgs"', {}, 0.9).c2, 0.9);
 * assert.throws(() => checkLineSearchOptions('optimizer "bfgs"', { c1: 0.5, c2: 0.4 }, 0.9), /c1 must be less than c2/);
 * ```
 */
export function checkLineSearchOptions(
  owner: string,
  options: LineSearchOptions,
  c2Default: number,
): Required<LineSearchOptions> {
  const open = { min: 0, max: 1, minExclusive: true, maxExclusive: true };
  const c1 = checkNumber(owner, "c1", options.c1, 1e-4, open);
  const c2 = checkNumber(owner, "c2", options.c2, c2Default, open);
  if (c1 >= c2) {
    throw new RangeError(
      `Cannot create ${owner} as c1 must be less than c2 (0 < c1 < c2 < 1): current values are c1 ${c1}, c2 ${c2}`,
    );
  }
  return {
    c1,
    c2,
    maxLineSearchEvaluations: checkNumber(owner, "maxLineSearchEvaluations", options.maxLineSearchEvaluations, 25, {
      min: 1,
      integer: true,
    }),
    toleranceChange: checkNumber(owner, "toleranceChange", options.toleranceChange, 1e-9, { min: 0 }),
    toleranceGrad: checkNumber(owner, "toleranceGrad", options.toleranceGrad, 1e-7, { min: 0 }),
  };
}

/**
 * The largest absolute element, `max |xᵢ|` (0 for an empty vector).
 *
 * @param x A vector.
 * @returns `‖x‖∞`.
 *
 * @example
 * ```ts
 * import { maxAbs } from "./_line_search.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(maxAbs(new Float64Array([1, -3, 2])), 3);
 * ```
 */
export function maxAbs(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}
