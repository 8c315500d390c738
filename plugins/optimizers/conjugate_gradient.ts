/**
 * Nonlinear conjugate gradient (Polak–Ribière+, with restarts) and a
 * strong-Wolfe line search.
 *
 * @module
 */

import type { Optimizer, Plugin } from "../../core/interfaces.ts";
import { checkBoolean, checkKeys, checkNumber } from "../../core/options.ts";
import type { Tensor } from "../../core/tensor.ts";
import { dot, finiteVector, fromVector, readLoss, requireContext, toVector, vectorTensor } from "./_linear_algebra.ts";
import {
  checkLineSearchOptions,
  LINE_SEARCH_KEYS,
  lineFunction,
  type LineSearchOptions,
  maxAbs,
  strongWolfe,
} from "./_line_search.ts";

/** Options for {@linkcode conjugateGradient}. */
export interface ConjugateGradientOptions extends LineSearchOptions {
  /** Curvature constant c₂ of the strong Wolfe conditions, in (c₁, 1); N&W advise 0.1 for CG. @default {0.1} */
  c2?: number;
  /** Restart with −g every this many iterations; 0 means every n (the number of parameters). @default {0} */
  restartEvery?: number;
  /**
   * Take the first trial step of each line search from one Hessian-vector
   * product, t = −gᵀd / dᵀHd (the exact line minimizer on a quadratic), instead
   * of N&W's eq. 3.60. Needs `hvp` in the context.
   * @default {false}
   */
  curvatureStep?: boolean;
}

/** State of {@linkcode conjugateGradient}. */
export interface ConjugateGradientState {
  /** Iterations made so far. */
  readonly step: number;
  /** The gradient at the start of the last iteration, flat; `null` before the first. */
  readonly previousGrad: Tensor | null;
  /** The last search direction, flat; `null` before the first. */
  readonly direction: Tensor | null;
  /** The last accepted step length. */
  readonly stepSize: number;
  /** The last directional derivative gᵀd. */
  readonly slope: number;
  /** Iterations since the last restart with steepest descent. */
  readonly sinceRestart: number;
  /** Restarts so far (periodic, Powell's test, or a non-descent direction). */
  readonly restarts: number;
  /** An index signature, so the value is a plain record (a `StateValue` or `Tree`). */
  readonly [key: string]: number | Tensor | null;
}

/**
 * Nonlinear conjugate gradient (Fletcher and Reeves 1964; Polak and Ribière
 * 1969; Nocedal and Wright 2006, §5.2), the cheap first-order relative of the
 * second-order methods in seed 000 ("CG methods find search directions that
 * are conjugate with respect to the Hessian"). With gₖ = ∇L(θₖ):
 *   βₖ = max(0, gₖᵀ(gₖ − gₖ₋₁) / gₖ₋₁ᵀgₖ₋₁)        (Polak–Ribière+, N&W 5.45)
 *   dₖ = −gₖ + βₖdₖ₋₁,   θₖ₊₁ = θₖ + tₖdₖ
 * restarting with dₖ = −gₖ every n iterations (or `restartEvery`), when
 * successive gradients are far from orthogonal, |gₖᵀgₖ₋₁| ≥ 0.1‖gₖ‖² (Powell's
 * test, N&W 5.52), or when dₖ is not a descent direction. tₖ comes from the
 * strong-Wolfe line search of `bfgs` with c₁ = 10⁻⁴ and c₂ = 0.1 (N&W's choice
 * for CG: small c₂ makes the search nearly exact, which CG needs); the first
 * trial is min(1, 1/‖g₀‖₁), then tₖ₋₁·gₖ₋₁ᵀdₖ₋₁ / gₖᵀdₖ (N&W eq. 3.60), or with
 * `curvatureStep` the model minimizer −gᵀd/dᵀHd from one Hessian-vector
 * product. On a strictly convex quadratic with exact line searches the
 * directions are H-conjugate and CG ends in at most n iterations;
 * `curvatureStep` makes the searches exact there. No step is taken once
 * max|gᵢ| ≤ `toleranceGrad`. PyTorch has no nonlinear CG optimizer.
 *
 * Needs from the update context: `loss`, `evaluate`; with `curvatureStep` also `hvp`.
 *
 * @param options `c1`, `c2`, `restartEvery`, `curvatureStep`, `maxLineSearchEvaluations`, `toleranceChange`, `toleranceGrad`.
 * @returns The optimizer.
 * @throws {RangeError} For an option out of range, or c1 ≥ c2.
 *
 * @example Two iterations solve a 2-D quadratic (exact searches with curvatureStep)
 * ```ts
 * import { conjugateGradient } from "./conjugate_gradient.ts";
 * import { minimize } from "../../train/minimize.ts";
 * import { mul, square, sum, tensor, type Tensor } from "../../core/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const f = (x: Tensor) => sum(mul(square(x), tensor([1, 25])));
 * const { losses } = minimize(f, tensor([3, 1]), conjugateGradient({ curvatureStep: true }), { steps: 2 });
 * assert.ok(losses[2] < 1e-20);
 * ```
 */
export function conjugateGradient(options: ConjugateGradientOptions = {}): Optimizer<ConjugateGradientState> {
  const owner = 'optimizer "conjugate-gradient"';
  checkKeys(owner, options, ["restartEvery", "curvatureStep", ...LINE_SEARCH_KEYS]);
  const ls = checkLineSearchOptions(owner, options, 0.1);
  const restartEvery = checkNumber(owner, "restartEvery", options.restartEvery, 0, { min: 0, integer: true });
  const curvatureStep = checkBoolean(owner, "curvatureStep", options.curvatureStep, false);
  return {
    init: () => ({
      step: 0,
      previousGrad: null,
      direction: null,
      stepSize: 0,
      slope: 0,
      sinceRestart: 0,
      restarts: 0,
    }),
    update(grads, state, params, context) {
      const ctx = curvatureStep
        ? requireContext(owner, context, { loss: "", evaluate: "for the line search", hvp: "for curvatureStep" })
        : requireContext(owner, context, { loss: "", evaluate: "for the line search" });
      const f0 = readLoss(owner, "the loss in the update context", ctx.loss);
      const n = toVector(params).length;
      const g = finiteVector(owner, "the gradient", grads, n);
      const zero = fromVector(params, new Float64Array(n));
      if (maxAbs(g) <= ls.toleranceGrad || !Number.isFinite(f0)) return { updates: zero, state };

      const gg = dot(g, g);
      let d: Float64Array | null = null;
      let restarts = state.restarts, sinceRestart = state.sinceRestart;
      const period = restartEvery === 0 ? n : restartEvery;
      if (state.previousGrad !== null && state.direction !== null && state.stepSize > 0 && sinceRestart < period) {
        const gPrev = state.previousGrad.data, dPrev = state.direction.data;
        let gPrevSq = 0, gDotPrev = 0;
        for (let i = 0; i < n; i++) {
          gPrevSq += gPrev[i] * gPrev[i];
          gDotPrev += g[i] * gPrev[i];
        }
        if (Math.abs(gDotPrev) < 0.1 * gg) {
          const beta = Math.max(0, (gg - gDotPrev) / gPrevSq);
          d = new Float64Array(n);
          for (let i = 0; i < n; i++) d[i] = -g[i] + beta * dPrev[i];
          if (!(dot(g, d) < 0)) d = null;
        }
      }
      const restart = d === null;
      if (restart) {
        d = g.map((v) => -v);
        if (state.step > 0) restarts++;
        sinceRestart = 0;
      }
      const direction = d!;
      const gtd = dot(g, direction);
      if (gtd > -ls.toleranceChange) return { updates: zero, state };

      let t0: number;
      let curvature = NaN;
      if (curvatureStep) {
        const hd = finiteVector(
          owner,
          "the Hessian-vector product from hvp(params, v)",
          ctx.hvp!(params, fromVector(params, direction)),
          n,
        );
        curvature = dot(direction, hd);
      }
      if (curvature > 0) {
        t0 = -gtd / curvature;
      } else if (state.step === 0 || state.stepSize === 0) {
        let g1 = 0;
        for (let i = 0; i < n; i++) g1 += Math.abs(g[i]);
        t0 = Math.min(1, 1 / g1);
      } else {
        t0 = state.stepSize * state.slope / gtd;
      }
      const phi = lineFunction(owner, ctx.evaluate, params, direction);
      const r = strongWolfe(phi, { t: 0, loss: f0, grad: g, slope: gtd, updates: null }, t0, maxAbs(direction), {
        c1: ls.c1,
        c2: ls.c2,
        toleranceChange: ls.toleranceChange,
        maxEvaluations: ls.maxLineSearchEvaluations,
      });
      return {
        updates: r.updates ?? zero,
        state: {
          step: state.step + 1,
          previousGrad: vectorTensor(g),
          direction: vectorTensor(direction),
          stepSize: r.t,
          slope: gtd,
          sinceRestart: sinceRestart + 1,
          restarts,
        },
      };
    },
  };
}

/** Registers {@linkcode conjugateGradient} as optimizer "conjugate-gradient". */
const plugin: Plugin<"optimizer", ConjugateGradientOptions> = {
  apiVersion: 1,
  kind: "optimizer",
  name: "conjugate-gradient",
  description: "Nonlinear conjugate gradient, Polak–Ribière+ with restarts and a strong-Wolfe line search.",
  defaults: {
    c1: 1e-4,
    c2: 0.1,
    restartEvery: 0,
    curvatureStep: false,
    maxLineSearchEvaluations: 25,
    toleranceChange: 1e-9,
    toleranceGrad: 1e-7,
  },
  create: conjugateGradient as Plugin<"optimizer", ConjugateGradientOptions>["create"],
};
export default plugin;
