/**
 * L-BFGS: limited-memory BFGS by the two-loop recursion, with a strong-Wolfe
 * line search, following `torch.optim.LBFGS`.
 *
 * @module
 */

import type { LearningRate, Optimizer, Plugin } from "../../core/interfaces.ts";
import { checkKeys, checkLearningRate, checkNumber } from "../../core/options.ts";
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

/** Options for {@linkcode lbfgs}. */
export interface LbfgsOptions extends LineSearchOptions {
  /** The first trial step of each line search, PyTorch's `lr`: a positive number or a schedule of the step. @default {1} */
  learningRate?: LearningRate;
  /** The number m of (s, y) pairs kept. @default {10} */
  historySize?: number;
  /** Curvature constant c₂ of the strong Wolfe conditions, in (c₁, 1). @default {0.9} */
  c2?: number;
}

/** State of {@linkcode lbfgs} (PyTorch's `state` for the parameters, flat). */
export interface LbfgsState {
  /** Iterations made so far (PyTorch's `n_iter`). */
  readonly step: number;
  /** The last direction d, flat; `null` before the first. */
  readonly direction: Tensor | null;
  /** The last step length t. */
  readonly stepSize: number;
  /** The kept steps sᵢ = tᵢdᵢ, oldest first (PyTorch's `old_stps`). */
  readonly steps: readonly Tensor[];
  /** The kept gradient changes yᵢ, oldest first (PyTorch's `old_dirs`). */
  readonly gradChanges: readonly Tensor[];
  /** 1/(yᵢᵀsᵢ) for each kept pair (PyTorch's `ro`). */
  readonly rho: readonly number[];
  /** The scale γ = yᵀs/yᵀy of the initial inverse Hessian γI (PyTorch's `H_diag`). */
  readonly hDiag: number;
  /** The gradient at the start of the last iteration, flat (PyTorch's `prev_flat_grad`). */
  readonly previousGrad: Tensor | null;
  /** An index signature, so the value is a plain record (a `StateValue` or `Tree`). */
  readonly [key: string]: number | Tensor | null | readonly Tensor[] | readonly number[];
}

/**
 * L-BFGS (Liu and Nocedal 1989; Nocedal and Wright 2006, Algorithms 7.4 and
 * 7.5): BFGS whose inverse Hessian is never stored, only the last m pairs
 * sᵢ = θᵢ₊₁ − θᵢ, yᵢ = gᵢ₊₁ − gᵢ, ρᵢ = 1/(yᵢᵀsᵢ). The direction d = −Hg comes
 * from the two-loop recursion:
 *   q ← g;  for i = k−1 … k−m:  aᵢ ← ρᵢsᵢᵀq,  q ← q − aᵢyᵢ
 *   r ← γq, γ = yₖ₋₁ᵀsₖ₋₁ / yₖ₋₁ᵀyₖ₋₁
 *   for i = k−m … k−1:  b ← ρᵢyᵢᵀr,  r ← r + sᵢ(aᵢ − b);   d = −r
 * in O(mn), and the step θ ← θ + t·d takes t from the strong-Wolfe line search
 * of `bfgs` (L(θ + td) ≤ L(θ) + c₁·t·gᵀd, |∇L(θ + td)ᵀd| ≤ c₂·|gᵀd|, c₁ = 10⁻⁴,
 * c₂ = 0.9), first trial t = min(1, 1/‖g‖₁)·lr on the first iteration, lr after.
 *
 * The semantics are those of `torch.optim.LBFGS(lr=1, line_search_fn="strong_wolfe")`
 * with `max_iter=1`: one `update` is one L-BFGS iteration (PyTorch's `step()`
 * runs up to `max_iter`, default 20, iterations per call; here `minimize` or
 * the trainer calls `update` once per iteration). As there, a pair is kept
 * only when yᵀs > 10⁻¹⁰, no step is taken once max|gᵢ| ≤ `toleranceGrad`
 * (10⁻⁷) or gᵀd > −`toleranceChange` (10⁻⁹), and the line search returns its
 * best bracketed point after 25 evaluations. Where gradflow differs: the
 * default `historySize` is 10 (the seeds' issue; SciPy's `maxcor` and N&W's
 * advice of 3–20), PyTorch's is 100; and the bracketing phase applies N&W's
 * test φ(tᵢ) ≥ φ(tᵢ₋₁) from the second trial, PyTorch's from the third.
 *
 * Needs from the update context: `loss`, `evaluate`.
 *
 * @param options `learningRate`, `historySize`, `c1`, `c2`, `maxLineSearchEvaluations`, `toleranceChange`, `toleranceGrad`.
 * @returns The optimizer.
 * @throws {RangeError} For an option out of range, or c1 ≥ c2.
 *
 * @example A badly scaled quadratic (condition number 1000)
 * ```ts
 * import { lbfgs } from "./lbfgs.ts";
 * import { minimize } from "../../train/minimize.ts";
 * import { mul, square, sum, tensor, type Tensor } from "../../core/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const f = (x: Tensor) => sum(mul(square(x), tensor([1, 10, 100, 1000])));
 * const { losses } = minimize(f, tensor([1, 1, 1, 1]), lbfgs({ historySize: 5 }), { steps: 30 });
 * assert.ok(losses[losses.length - 1] <= 1e-10);
 * ```
 */
export function lbfgs(options: LbfgsOptions = {}): Optimizer<LbfgsState> {
  const owner = 'optimizer "lbfgs"';
  checkKeys(owner, options, ["learningRate", "historySize", ...LINE_SEARCH_KEYS]);
  if (typeof options.learningRate !== "function") {
    checkNumber(owner, "learningRate", options.learningRate, 1, { min: 0, minExclusive: true });
  }
  const schedule = checkLearningRate(owner, options.learningRate, 1);
  const historySize = checkNumber(owner, "historySize", options.historySize, 10, { min: 1, integer: true });
  const ls = checkLineSearchOptions(owner, options, 0.9);
  return {
    init: () => ({
      step: 0,
      direction: null,
      stepSize: 0,
      steps: [],
      gradChanges: [],
      rho: [],
      hDiag: 1,
      previousGrad: null,
    }),
    update(grads, state, params, context) {
      const ctx = requireContext(owner, context, { loss: "", evaluate: "for the line search" });
      const f0 = readLoss(owner, "the loss in the update context", ctx.loss);
      const n = toVector(params).length;
      const g = finiteVector(owner, "the gradient", grads, n);
      const zero = fromVector(params, new Float64Array(n));
      if (maxAbs(g) <= ls.toleranceGrad || !Number.isFinite(f0)) return { updates: zero, state };

      const iteration = state.step + 1;
      const lr = schedule(state.step);
      if (!(lr > 0) || !Number.isFinite(lr)) {
        throw new RangeError(
          `Cannot update with ${owner} as the learning rate must be a positive number: current value at step ${state.step} is ${lr}`,
        );
      }
      const steps = [...state.steps], changes = [...state.gradChanges], rho = [...state.rho];
      let hDiag = state.hDiag;
      let d: Float64Array;
      if (iteration === 1 || state.direction === null || state.previousGrad === null) {
        d = g.map((v) => -v);
      } else {
        const y = new Float64Array(n), s = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          y[i] = g[i] - state.previousGrad.data[i];
          s[i] = state.direction.data[i] * state.stepSize;
        }
        const ys = dot(y, s);
        if (ys > 1e-10) {
          if (steps.length === historySize) {
            steps.shift();
            changes.shift();
            rho.shift();
          }
          steps.push(vectorTensor(s));
          changes.push(vectorTensor(y));
          rho.push(1 / ys);
          hDiag = ys / dot(y, y);
        }
        // Two-loop recursion.
        const q = g.map((v) => -v);
        const a = new Float64Array(steps.length);
        for (let i = steps.length - 1; i >= 0; i--) {
          const si = steps[i].data as Float64Array, yi = changes[i].data as Float64Array;
          a[i] = dot(si, q) * rho[i];
          for (let j = 0; j < n; j++) q[j] -= a[i] * yi[j];
        }
        d = q.map((v) => v * hDiag);
        for (let i = 0; i < steps.length; i++) {
          const si = steps[i].data as Float64Array, yi = changes[i].data as Float64Array;
          const b = dot(yi, d) * rho[i];
          for (let j = 0; j < n; j++) d[j] += si[j] * (a[i] - b);
        }
      }
      let g1 = 0;
      for (let i = 0; i < n; i++) g1 += Math.abs(g[i]);
      let t = iteration === 1 ? Math.min(1, 1 / g1) * lr : lr;
      const gtd = dot(g, d);
      const next = (updates: typeof zero, stepSize: number) => ({
        updates,
        state: {
          step: iteration,
          direction: vectorTensor(d),
          stepSize,
          steps,
          gradChanges: changes,
          rho,
          hDiag,
          previousGrad: vectorTensor(g),
        },
      });
      // PyTorch breaks out before the line search here, keeping d and the reset t.
      if (gtd > -ls.toleranceChange) return next(zero, t);
      const phi = lineFunction(owner, ctx.evaluate, params, d);
      const r = strongWolfe(phi, { t: 0, loss: f0, grad: g, slope: gtd, updates: null }, t, maxAbs(d), {
        c1: ls.c1,
        c2: ls.c2,
        toleranceChange: ls.toleranceChange,
        maxEvaluations: ls.maxLineSearchEvaluations,
      });
      t = r.t;
      return next(r.updates ?? zero, t);
    },
  };
}

/** Registers {@linkcode lbfgs} as optimizer "lbfgs". */
const plugin: Plugin<"optimizer", LbfgsOptions> = {
  apiVersion: 1,
  kind: "optimizer",
  name: "lbfgs",
  description:
    "L-BFGS two-loop recursion with a strong-Wolfe line search (torch.optim.LBFGS, strong_wolfe, max_iter=1).",
  defaults: {
    learningRate: 1,
    historySize: 10,
    c1: 1e-4,
    c2: 0.9,
    maxLineSearchEvaluations: 25,
    toleranceChange: 1e-9,
    toleranceGrad: 1e-7,
  },
  create: lbfgs as Plugin<"optimizer", LbfgsOptions>["create"],
};
export default plugin;
