/**
 * BFGS: a dense inverse-Hessian approximation with a strong-Wolfe line search.
 *
 * @module
 */

import type { Optimizer, Plugin } from "../../core/interfaces.ts";
import { checkKeys } from "../../core/options.ts";
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

/** Options for {@linkcode bfgs}. */
export interface BfgsOptions extends LineSearchOptions {
  /** Curvature constant c₂ of the strong Wolfe conditions, in (c₁, 1). @default {0.9} */
  c2?: number;
}

/** State of {@linkcode bfgs}. */
export interface BfgsState {
  /** Updates made so far. */
  readonly step: number;
  /** The inverse-Hessian approximation Hₖ, `[n, n]`; `null` while it is still the identity. */
  readonly inverseHessian: Tensor | null;
  /** The gradient at the start of the last update, flat; `null` before the first. */
  readonly previousGrad: Tensor | null;
  /** The last step taken sₖ = θₖ₊₁ − θₖ, flat; `null` before the first. */
  readonly previousStep: Tensor | null;
  /** An index signature, so the value is a plain record (a `StateValue` or `Tree`). */
  readonly [key: string]: number | Tensor | null;
}

/**
 * BFGS (Broyden, Fletcher, Goldfarb, Shanno 1970; seed 000, "More on Second
 * Order Methods"), Nocedal and Wright (2006) Algorithm 6.1. With sₖ = θₖ₊₁ − θₖ,
 * yₖ = gₖ₊₁ − gₖ and ρₖ = 1/(yₖᵀsₖ), the inverse-Hessian approximation is
 *   Hₖ₊₁ = (I − ρₖsₖyₖᵀ)·Hₖ·(I − ρₖyₖsₖᵀ) + ρₖsₖsₖᵀ
 * (kept dense, O(n²) memory, no matrix is ever inverted), and each step is
 *   dₖ = −Hₖgₖ,   θₖ₊₁ = θₖ + tₖdₖ
 * with tₖ from a line search satisfying the strong Wolfe conditions
 *   L(θₖ + tdₖ) ≤ L(θₖ) + c₁·t·gₖᵀdₖ,   |∇L(θₖ + tdₖ)ᵀdₖ| ≤ c₂·|gₖᵀdₖ|
 * (Algorithms 3.5/3.6 with cubic interpolation, c₁ = 10⁻⁴, c₂ = 0.9), which
 * keeps yₖᵀsₖ > 0 and so Hₖ positive definite. H₀ = I; the first trial step
 * is min(1, 1/‖g₀‖₁) (as torch's L-BFGS), later ones t = 1; before the first
 * update H₀ is rescaled to (yᵀs/yᵀy)·I (N&W eq. 6.20). A pair with
 * yᵀs ≤ 10⁻¹⁰ is skipped; a non-descent direction resets H to I. No step is
 * taken once max|gᵢ| ≤ `toleranceGrad`.
 *
 * One `update` is one BFGS iteration: the line search's trial points are
 * evaluated through the context, and the accepted one is the returned update
 * (`minimize` reuses its evaluation). PyTorch has no dense BFGS (see `lbfgs`).
 *
 * Needs from the update context: `loss`, `evaluate`.
 *
 * @param options `c1`, `c2`, `maxLineSearchEvaluations`, `toleranceChange`, `toleranceGrad`.
 * @returns The optimizer.
 * @throws {RangeError} For an option out of range, or c1 ≥ c2.
 *
 * @example Rosenbrock's valley from (−1.2, 1)
 * ```ts
 * import { bfgs } from "./bfgs.ts";
 * import { minimize } from "../../train/minimize.ts";
 * import { add, mul, slice, square, sub, sum, tensor, type Tensor } from "../../core/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const rosenbrock = (v: Tensor) => {
 *   const x = slice(v, [0], [1]), y = slice(v, [1], [1]);
 *   return sum(add(square(sub(1, x)), mul(100, square(sub(y, square(x))))));
 * };
 * const { losses } = minimize(rosenbrock, tensor([-1.2, 1]), bfgs(), { steps: 100, tolerance: 1e-12 });
 * assert.ok(losses[losses.length - 1] <= 1e-12);
 * ```
 */
export function bfgs(options: BfgsOptions = {}): Optimizer<BfgsState> {
  const owner = 'optimizer "bfgs"';
  checkKeys(owner, options, LINE_SEARCH_KEYS);
  const ls = checkLineSearchOptions(owner, options, 0.9);
  return {
    init: () => ({ step: 0, inverseHessian: null, previousGrad: null, previousStep: null }),
    update(grads, state, params, context) {
      const ctx = requireContext(owner, context, { loss: "", evaluate: "for the line search" });
      const f0 = readLoss(owner, "the loss in the update context", ctx.loss);
      const n = toVector(params).length;
      const g = finiteVector(owner, "the gradient", grads, n);
      const none = () => ({
        updates: fromVector(params, new Float64Array(n)),
        state: { ...state, step: state.step + 1 },
      });
      if (maxAbs(g) <= ls.toleranceGrad || !Number.isFinite(f0)) return none();

      // Hₖ from Hₖ₋₁ and the last pair (sₖ₋₁, yₖ₋₁).
      let h: Float64Array | null = state.inverseHessian === null ? null : Float64Array.from(state.inverseHessian.data);
      if (state.previousGrad !== null && state.previousStep !== null && state.previousGrad.size === n) {
        const s = state.previousStep.data as Float64Array;
        const y = new Float64Array(n);
        for (let i = 0; i < n; i++) y[i] = g[i] - state.previousGrad.data[i];
        const ys = dot(y, s);
        if (ys > 1e-10) {
          if (h === null) {
            h = new Float64Array(n * n);
            const gamma = ys / dot(y, y);
            for (let i = 0; i < n; i++) h[i * n + i] = gamma;
          }
          const rho = 1 / ys;
          const hy = new Float64Array(n);
          for (let i = 0; i < n; i++) {
            let acc = 0;
            for (let j = 0; j < n; j++) acc += h[i * n + j] * y[j];
            hy[i] = acc;
          }
          const c = rho + rho * rho * dot(y, hy);
          for (let i = 0; i < n; i++) {
            for (let j = 0; j < n; j++) {
              h[i * n + j] += c * s[i] * s[j] - rho * (hy[i] * s[j] + s[i] * hy[j]);
            }
          }
        }
      }

      // dₖ = −Hₖgₖ, falling back to −g when it is not a descent direction.
      let d = new Float64Array(n);
      if (h === null) {
        for (let i = 0; i < n; i++) d[i] = -g[i];
      } else {
        for (let i = 0; i < n; i++) {
          let acc = 0;
          for (let j = 0; j < n; j++) acc += h[i * n + j] * g[j];
          d[i] = -acc;
        }
      }
      let gtd = dot(g, d);
      if (!(gtd < -ls.toleranceChange) && h !== null) {
        h = null;
        d = g.map((v) => -v);
        gtd = dot(g, d);
      }
      if (!(gtd < -ls.toleranceChange)) return none();

      let g1 = 0;
      for (let i = 0; i < n; i++) g1 += Math.abs(g[i]);
      const t0 = state.step === 0 ? Math.min(1, 1 / g1) : 1;
      const phi = lineFunction(owner, ctx.evaluate, params, d);
      const r = strongWolfe(phi, { t: 0, loss: f0, grad: g, slope: gtd, updates: null }, t0, maxAbs(d), {
        c1: ls.c1,
        c2: ls.c2,
        toleranceChange: ls.toleranceChange,
        maxEvaluations: ls.maxLineSearchEvaluations,
      });
      // A failed search (t = 0) restarts from H = I next time.
      const step = new Float64Array(n);
      for (let i = 0; i < n; i++) step[i] = r.t * d[i];
      return {
        updates: r.updates ?? fromVector(params, step),
        state: {
          step: state.step + 1,
          inverseHessian: h === null || r.t === 0 ? null : vectorTensor(h, [n, n]),
          previousGrad: vectorTensor(g),
          previousStep: vectorTensor(step),
        },
      };
    },
  };
}

/** Registers {@linkcode bfgs} as optimizer "bfgs". */
const plugin: Plugin<"optimizer", BfgsOptions> = {
  apiVersion: 1,
  kind: "optimizer",
  name: "bfgs",
  description: "BFGS: dense inverse-Hessian update with a strong-Wolfe line search (Nocedal & Wright Alg. 6.1).",
  defaults: { c1: 1e-4, c2: 0.9, maxLineSearchEvaluations: 25, toleranceChange: 1e-9, toleranceGrad: 1e-7 },
  create: bfgs as Plugin<"optimizer", BfgsOptions>["create"],
};
export default plugin;
