/**
 * Hessian-free optimization: truncated conjugate gradient on curvature-vector
 * products, with Levenberg–Marquardt damping (Martens 2010).
 *
 * @module
 */

import type { Optimizer, Plugin } from "../../core/interfaces.ts";
import { checkBoolean, checkKeys, checkNumber } from "../../core/options.ts";
import type { Tensor } from "../../core/tensor.ts";
import type { Tree } from "../../core/tree.ts";
import { dot, finiteVector, fromVector, readLoss, requireContext, toVector, vectorTensor } from "./_linear_algebra.ts";
import { backtracking, lineFunction } from "./_line_search.ts";

/** Options for {@linkcode hessianFree}. */
export interface HessianFreeOptions {
  /** The damping λ ≥ 0 added to the curvature, B + λI (the starting value when adaptive; 0 stays 0). @default {1} */
  damping?: number;
  /** Adapt λ by Martens' Levenberg–Marquardt rule from the reduction ratio ρ. @default {true} */
  adaptive?: boolean;
  /** The most CG iterations per update. @default {250} */
  maxCgIterations?: number;
  /**
   * Stop CG once ‖r‖ ≤ cgTolerance·‖g‖; by default the forcing sequence
   * min(0.5, √‖g‖) of Nocedal and Wright's Algorithm 7.1.
   */
  cgTolerance?: number;
  /** Use Gauss–Newton products G·v (positive semidefinite) instead of H·v; needs `gaussNewtonVp` in the context. @default {false} */
  gaussNewton?: boolean;
  /** Start CG from ζ times the previous solution (Martens' warm start); 0 starts from zero. @default {0.95} */
  warmStart?: number;
}

/** State of {@linkcode hessianFree}. */
export interface HessianFreeState {
  /** Outer iterations (updates) so far. */
  readonly step: number;
  /** The damping λ for the next update. */
  readonly damping: number;
  /** The last CG solution (before the line search), flat, for the warm start; `null` before the first. */
  readonly previousSolution: Tensor | null;
  /** CG iterations (curvature-vector products) so far, over all updates. */
  readonly cgIterations: number;
  /** The reduction ratio ρ of the last update (NaN before the first). */
  readonly reductionRatio: number;
  /** Times CG met negative curvature and stopped early. */
  readonly negativeCurvature: number;
  /** An index signature, so the value is a plain record (a `StateValue` or `Tree`). */
  readonly [key: string]: number | Tensor | null;
}

/**
 * Hessian-free optimization (Martens 2010, "Deep learning via Hessian-free
 * optimization", ICML; seed 000, "More on Second Order Methods"; the
 * truncated Newton–CG of Nocedal and Wright's Algorithm 7.1). Each update
 * approximately minimizes the damped quadratic model
 *   q(p) = gᵀp + ½pᵀ(B + λI)p,   B = H (Hessian) or G (Gauss–Newton)
 * by linear conjugate gradient, which touches B only through products B·v
 * (from the update context: `hvp`, or `gaussNewtonVp` with `gaussNewton`):
 *   r₀ = −g − (B + λI)p₀,  d₀ = r₀;   αⱼ = rⱼᵀrⱼ / dⱼᵀ(B + λI)dⱼ
 *   pⱼ₊₁ = pⱼ + αⱼdⱼ,  rⱼ₊₁ = rⱼ − αⱼ(B + λI)dⱼ,  dⱼ₊₁ = rⱼ₊₁ + (rⱼ₊₁ᵀrⱼ₊₁ / rⱼᵀrⱼ)dⱼ
 * stopping at ‖r‖ ≤ ε‖g‖, after `maxCgIterations`, or at negative curvature
 * dⱼᵀ(B + λI)dⱼ ≤ 0, where it returns the iterate so far (or −g when that is
 * the first direction; N&W Algorithm 7.1). CG starts from ζ·p of the last
 * update (Martens' warm start, ζ = 0.95) and ends with a descent direction
 * (−g otherwise). The step θ ← θ + t·p takes t by Armijo backtracking from 1
 * (t ← 0.8t while L(θ + tp) > L(θ) + 10⁻²·t·gᵀp, as in Martens 2010). With
 * `adaptive`, λ follows Martens' Levenberg–Marquardt rule from the reduction
 * ratio of the full step ρ = (L(θ + p) − L(θ)) / (gᵀp + ½pᵀBp):
 * λ ← 1.5λ if ρ < ¼, λ ← ⅔λ if ρ > ¾.
 *
 * With exact products and λ = 0 on a strictly convex quadratic in n
 * dimensions, CG reaches the minimizer in at most n iterations (up to
 * round-off). Martens also preconditions CG and uses minibatches; neither is
 * here. PyTorch, TF.js and Keras ship no Hessian-free optimizer.
 *
 * Needs from the update context: `loss`, `evaluate`, and `hvp` (or `gaussNewtonVp`).
 *
 * @param options `damping`, `adaptive`, `maxCgIterations`, `cgTolerance`, `gaussNewton`, `warmStart`.
 * @returns The optimizer.
 * @throws {RangeError} For an option out of range.
 *
 * @example A 3-D quadratic in one update (λ = 0, at most 3 CG iterations)
 * ```ts
 * import { hessianFree } from "./hessian_free.ts";
 * import { minimize } from "../../train/minimize.ts";
 * import { add, mul, square, sum, tensor, type Tensor } from "../../core/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const f = (x: Tensor) => sum(mul(square(add(x, -1)), tensor([1, 10, 100])));
 * const { x, counts } = minimize(f, tensor([0, 0, 0]), hessianFree({ damping: 0, cgTolerance: 1e-12 }), { steps: 1 });
 * assert.ok(x.data.every((v) => Math.abs(v - 1) < 1e-9));
 * assert.ok(counts.hvps <= 3);
 * ```
 */
export function hessianFree(options: HessianFreeOptions = {}): Optimizer<HessianFreeState> {
  const owner = 'optimizer "hessian-free"';
  checkKeys(owner, options, ["damping", "adaptive", "maxCgIterations", "cgTolerance", "gaussNewton", "warmStart"]);
  const damping = checkNumber(owner, "damping", options.damping, 1, { min: 0 });
  const adaptive = checkBoolean(owner, "adaptive", options.adaptive, true);
  const maxCg = checkNumber(owner, "maxCgIterations", options.maxCgIterations, 250, { min: 1, integer: true });
  const cgTolerance = options.cgTolerance === undefined
    ? undefined
    : checkNumber(owner, "cgTolerance", options.cgTolerance, 0, { min: 0 });
  const gaussNewton = checkBoolean(owner, "gaussNewton", options.gaussNewton, false);
  const zeta = checkNumber(owner, "warmStart", options.warmStart, 0.95, { min: 0, max: 1 });
  return {
    init: () => ({
      step: 0,
      damping,
      previousSolution: null,
      cgIterations: 0,
      reductionRatio: NaN,
      negativeCurvature: 0,
    }),
    update(grads, state, params, context) {
      const ctx = gaussNewton
        ? requireContext(owner, context, {
          loss: "",
          evaluate: "for the line search",
          gaussNewtonVp: "for the Gauss–Newton products (gaussNewton: true)",
        })
        : requireContext(owner, context, {
          loss: "",
          evaluate: "for the line search",
          hvp: "for the Hessian-vector products",
        });
      const f0 = readLoss(owner, "the loss in the update context", ctx.loss);
      const n = toVector(params).length;
      const g = finiteVector(owner, "the gradient", grads, n);
      const gNorm = Math.sqrt(dot(g, g));
      const zero = fromVector(params, new Float64Array(n));
      if (gNorm === 0 || !Number.isFinite(f0)) return { updates: zero, state };

      const lambda = state.damping;
      const curvatureOf = gaussNewton ? ctx.gaussNewtonVp! : ctx.hvp!;
      const what = gaussNewton
        ? "the Gauss–Newton product from gaussNewtonVp(params, v)"
        : "the Hessian-vector product from hvp(params, v)";
      // B·v and (B + λI)·v
      const curvature = (v: Float64Array): Float64Array =>
        finiteVector(owner, what, curvatureOf(params, fromVector(params, v) as Tree), n);
      const damped = (bv: Float64Array, v: Float64Array) => {
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = bv[i] + lambda * v[i];
        return out;
      };

      // Truncated CG on (B + λI)p = −g.
      const tol = (cgTolerance ?? Math.min(0.5, Math.sqrt(gNorm))) * gNorm;
      let p = new Float64Array(n);
      const r = g.map((v) => -v);
      const previous = state.previousSolution;
      if (zeta > 0 && previous !== null && previous.size === n) {
        const p0 = (previous.data as Float64Array).map((v) => zeta * v);
        if (dot(p0, g) < 0) {
          const ap0 = damped(curvature(p0), p0);
          p = p0;
          for (let i = 0; i < n; i++) r[i] = -g[i] - ap0[i];
        }
      }
      const d = Float64Array.from(r);
      let rr = dot(r, r);
      let negative = state.negativeCurvature;
      let consistent = true; // r = −g − (B + λI)p
      let iterations = 0;
      while (Math.sqrt(rr) > tol && iterations < maxCg) {
        const ad = damped(curvature(d), d);
        iterations++;
        const dad = dot(d, ad);
        if (!(dad > 0)) {
          negative++;
          if (iterations === 1 && dot(p, g) >= 0) {
            p = g.map((v) => -v);
            consistent = false;
          }
          break;
        }
        const alpha = rr / dad;
        for (let i = 0; i < n; i++) {
          p[i] += alpha * d[i];
          r[i] -= alpha * ad[i];
        }
        const rrNext = dot(r, r);
        const beta = rrNext / rr;
        rr = rrNext;
        for (let i = 0; i < n; i++) d[i] = r[i] + beta * d[i];
      }
      let gp = dot(g, p);
      if (!(gp < 0)) {
        p = g.map((v) => -v);
        consistent = false;
      }
      gp = dot(g, p);

      // The reduction ratio ρ of the full step against the undamped model q(p) − λ‖p‖²/2.
      // While r = −g − (B + λI)p holds (CG's own iterates), pᵀ(B + λI)p = −gᵀp − rᵀp needs no product.
      const phi = lineFunction(owner, ctx.evaluate, params, p);
      const full = phi(1);
      let rho = NaN;
      if (adaptive) {
        const pBp = consistent ? -gp - dot(r, p) - lambda * dot(p, p) : dot(p, curvature(p));
        const model = gp + 0.5 * pBp;
        rho = Number.isFinite(full.loss) ? (full.loss - f0) / model : -Infinity;
      }
      const start = { t: 0, loss: f0, grad: g, slope: gp, updates: null };
      const accepted = backtracking(phi, start, 1, { c1: 1e-2, shrink: 0.8, maxEvaluations: 30, first: full });
      let nextDamping = lambda;
      if (adaptive) {
        if (!(rho >= 0.25)) nextDamping = lambda * 1.5;
        else if (rho > 0.75) nextDamping = lambda * (2 / 3);
      }
      return {
        updates: accepted.updates ?? zero,
        state: {
          step: state.step + 1,
          damping: nextDamping,
          previousSolution: vectorTensor(p),
          cgIterations: state.cgIterations + iterations,
          reductionRatio: rho,
          negativeCurvature: negative,
        },
      };
    },
  };
}

/** Registers {@linkcode hessianFree} as optimizer "hessian-free". */
const plugin: Plugin<"optimizer", HessianFreeOptions> = {
  apiVersion: 1,
  kind: "optimizer",
  name: "hessian-free",
  description: "Hessian-free (Martens 2010): truncated CG on Hessian- or Gauss–Newton-vector products, LM damping.",
  defaults: { damping: 1, adaptive: true, maxCgIterations: 250, gaussNewton: false, warmStart: 0.95 },
  create: hessianFree as Plugin<"optimizer", HessianFreeOptions>["create"],
};
export default plugin;
