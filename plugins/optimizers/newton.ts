/**
 * Newton's method with the exact Hessian from the flow graph.
 *
 * @module
 */

import type { Optimizer, Plugin } from "../../core/interfaces.ts";
import { checkBoolean, checkChoice, checkKeys, checkNumber } from "../../core/options.ts";
import { dot, fromVector, newtonInputs, scaled, solveNewtonSystem, solveSymmetric } from "./_linear_algebra.ts";
import { backtracking, lineFunction, maxAbs } from "./_line_search.ts";

/** Options for {@linkcode newton}. */
export interface NewtonOptions {
  /**
   * What to do when H is indefinite. `"solve"`: the exact step H⁻¹g by
   * Bunch–Kaufman LDLᵀ (to the model's stationary point, a saddle).
   * `"modify"`: solve with the positive definite P ᵀL|D|_δLᵀP instead, each
   * eigenvalue of D's blocks replaced by max(|λ|, δ), which gives a descent
   * direction and never fails on a singular H (Cheng and Higham 1998).
   * @default {"solve"}
   */
  indefinite?: "solve" | "modify";
  /** δ of `"modify"`, relative to max|Hᵢⱼ|, in (0, 1]. @default {1e-6} */
  curvatureFloor?: number;
  /**
   * Backtrack along the Newton direction, t = 1, ½, ¼, … (at most 30 trials),
   * until L(θ + td) ≤ L(θ) + 10⁻⁴·t·gᵀd (Nocedal and Wright, Algorithm 3.2);
   * a direction that is not a descent direction is replaced by −g. Needs
   * `loss` and `evaluate` in the context.
   * @default {false}
   */
  lineSearch?: boolean;
}

/** State of {@linkcode newton}. */
export interface NewtonState {
  /** Updates made so far. */
  readonly step: number;
  /** How the last Newton system was solved: `"cholesky"` (H ≻ 0), `"bunch-kaufman"` (H indefinite), or `null`. */
  readonly method: string | null;
  /** The number of negative eigenvalues of the last Hessian (its inertia, from the factorization). */
  readonly negativeEigenvalues: number;
  /** The step length of the last update (1 without `lineSearch`). */
  readonly stepSize: number;
  /** An index signature, so the value is a plain record (a `StateValue` or `Tree`). */
  readonly [key: string]: number | string | null;
}

/**
 * Newton's method (seed 000, "Second Order Methods"): the minimizer of the
 * local quadratic model J(θ) ≈ J(θᵏ) + (θ − θᵏ)ᵀg + ½(θ − θᵏ)ᵀH(θ − θᵏ),
 *   θᵏ⁺¹ ← θᵏ − H⁻¹g,   g = ∇θJ(θᵏ),  H = ∇²θJ(θᵏ)
 * with the exact Hessian assembled column by column from the update context's
 * Hessian-vector products, H·eᵢ (n products for n parameters). The system
 * H·p = g is solved by a factorization, never an explicit inverse: Cholesky
 * when H is positive definite, otherwise Bunch–Kaufman LDLᵀ (Bunch and
 * Kaufman 1977). A singular H is an error naming it. On a quadratic the
 * first step lands on the minimum. Cost: n Hessian-vector products and
 * O(n³) per step.
 *
 * Where H is indefinite the exact step heads for the model's saddle point,
 * as the seed warns ("steps along the corresponding eigenvectors are
 * gradient ascent steps"). Two remedies short of `damped-newton`: `indefinite:
 * "modify"` solves with the modified factorization P ᵀL|D|_δLᵀP (Cheng and
 * Higham 1998; Nocedal and Wright §3.4), which equals H when H ≻ 0 and is
 * positive definite otherwise, and `lineSearch` backtracks along the
 * direction (Armijo, c₁ = 10⁻⁴; N&W Algorithm 3.2, "line search Newton with
 * modification" when both are on).
 *
 * The seed writes the model without the ½; its stationarity condition
 * ∇J(θ₀) + H(θ − θ₀) = 0 (and so the update) is the one with the ½.
 * PyTorch has no Newton optimizer.
 *
 * Needs from the update context: `hvp`; with `lineSearch` also `loss` and `evaluate`.
 * `loss`, when given, must be a scalar.
 *
 * @param options `indefinite`, `curvatureFloor`, `lineSearch`.
 * @returns The optimizer.
 * @throws {TypeError | RangeError} For an unknown option or one out of range.
 *
 * @example One step on a quadratic lands on its minimum
 * ```ts
 * import { newton } from "./newton.ts";
 * import { minimize } from "../../train/minimize.ts";
 * import { add, mul, square, sum, tensor, type Tensor } from "../../core/mod.ts";
 * import assert from "node:assert/strict";
 *
 * // f(x) = Σ (i+1)·(xᵢ − 1)²
 * const f = (x: Tensor) => sum(mul(square(add(x, -1)), tensor([1, 2, 3])));
 * const { x, counts } = minimize(f, tensor([5, -3, 0.5]), newton(), { steps: 1 });
 * assert.ok(x.data.every((v) => Math.abs(v - 1) < 1e-15));
 * assert.equal(counts.hvps, 3); // one Hessian column per parameter
 * ```
 */
export function newton(options: NewtonOptions = {}): Optimizer<NewtonState> {
  const owner = 'optimizer "newton"';
  checkKeys(owner, options, ["indefinite", "curvatureFloor", "lineSearch"]);
  const indefinite = checkChoice(owner, "indefinite", options.indefinite, "solve", ["solve", "modify"] as const);
  const floor = checkNumber(owner, "curvatureFloor", options.curvatureFloor, 1e-6, {
    min: 0,
    max: 1,
    minExclusive: true,
  });
  const lineSearch = checkBoolean(owner, "lineSearch", options.lineSearch, false);
  const trials = lineSearch ? { loss: "", evaluate: "for the line search (lineSearch: true)" } : undefined;
  return {
    init: () => ({ step: 0, method: null, negativeEigenvalues: 0, stepSize: 1 }),
    update(grads, state, params, context) {
      const { context: ctx, loss: f0, n, g, h } = newtonInputs(owner, grads, params, context, trials);
      const solved = indefinite === "modify"
        ? solveSymmetric(h, n, g, floor * maxAbs(h) || 1)! // H = 0: δ = 1, a gradient step
        : solveNewtonSystem(
          owner,
          "the Hessian",
          h,
          n,
          g,
          '; "damped-newton" adds αI to it, indefinite: "modify" floors it',
        );
      const next = { method: solved.method, negativeEigenvalues: solved.negative };
      if (!lineSearch) {
        return {
          updates: fromVector(params, scaled(-1, solved.x)),
          state: { step: state.step + 1, ...next, stepSize: 1 },
        };
      }
      let d = scaled(-1, solved.x);
      if (!(dot(g, d) < 0)) d = scaled(-1, g);
      const phi = lineFunction(owner, ctx.evaluate!, params, d);
      const r = backtracking(phi, { t: 0, loss: f0, grad: g, slope: dot(g, d), updates: null }, 1, {
        c1: 1e-4,
        shrink: 0.5,
        maxEvaluations: 30,
      });
      return {
        updates: r.updates ?? fromVector(params, new Float64Array(n)),
        state: { step: state.step + 1, ...next, stepSize: r.t },
      };
    },
  };
}

/** Registers {@linkcode newton} as optimizer "newton". */
const plugin: Plugin<"optimizer", NewtonOptions> = {
  apiVersion: 1,
  kind: "optimizer",
  name: "newton",
  description: "Newton's method θ ← θ − H⁻¹g with the exact Hessian (Cholesky, or Bunch–Kaufman LDLᵀ when indefinite).",
  defaults: { indefinite: "solve", curvatureFloor: 1e-6, lineSearch: false },
  create: newton as Plugin<"optimizer", NewtonOptions>["create"],
};
export default plugin;
