/**
 * Damped (regularized) Newton's method, with a Levenberg–Marquardt rule for
 * the damping.
 *
 * @module
 */

import type { Optimizer, Plugin } from "../../core/interfaces.ts";
import { checkBoolean, checkKeys, checkNumber } from "../../core/options.ts";
import { applyUpdates } from "../../core/tree.ts";
import { fromVector, newtonInputs, readLoss, scaled, solveNewtonSystem, solveSymmetric } from "./_linear_algebra.ts";

/** Options for {@linkcode dampedNewton}. */
export interface DampedNewtonOptions {
  /** The damping α ≥ 0 added to the Hessian's diagonal (the starting value when adaptive). @default {1} */
  damping?: number;
  /** Adapt α by the Levenberg–Marquardt rule (needs `loss` and `evaluate` in the context). @default {false} */
  adaptive?: boolean;
  /** The factor ν > 1 by which the adaptive rule shrinks α after a success and grows it after a failure. @default {10} */
  dampingFactor?: number;
  /** The most trial steps per update in adaptive mode (each one loss evaluation). @default {10} */
  maxTrials?: number;
}

/** State of {@linkcode dampedNewton}. */
export interface DampedNewtonState {
  /** Updates made so far. */
  readonly step: number;
  /** The damping α for the next update. */
  readonly damping: number;
  /** Trial steps rejected so far (adaptive mode). */
  readonly rejected: number;
  /** An index signature, so the value is a plain record (a `StateValue` or `Tree`). */
  readonly [key: string]: number;
}

/**
 * Damped Newton (seed 000, "Second Order Methods"): Newton's step with the
 * Hessian regularized by α·I,
 *   θᵏ⁺¹ ← θᵏ − (H + αI)⁻¹g
 * so that directions of negative or small curvature no longer send the step
 * uphill or far away; as α grows the step becomes gradient descent with
 * learning rate 1/α. The Hessian is exact (n Hessian-vector products), and
 * the system is solved by Cholesky, or Bunch–Kaufman LDLᵀ while H + αI is
 * still indefinite; never an explicit inverse.
 *
 * With `adaptive: true` α follows the Levenberg–Marquardt rule (Levenberg
 * 1944; Marquardt 1963): the trial step is evaluated; if the loss goes down
 * it is taken and α ← α/ν, otherwise it is rejected (the parameters stay)
 * and α ← α·ν, and the step is retried with the larger α, up to `maxTrials`
 * times per update (after which the update is zero and α stays large). A
 * singular H + αI counts as a failure there. PyTorch has no damped Newton.
 *
 * Needs from the update context: `hvp`; with `adaptive` also `loss` and `evaluate`.
 *
 * @param options `damping`, `adaptive`, `dampingFactor`, `maxTrials`.
 * @returns The optimizer.
 * @throws {RangeError} For an option out of range (named with its range and value).
 *
 * @example The damped step on a 1-D quadratic, H = 2: p = g/(2 + α)
 * ```ts
 * import { dampedNewton } from "./damped_newton.ts";
 * import { hvp, square, sum, tensor, type Tensor } from "../../core/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const f = (x: Tensor) => sum(square(x));
 * const opt = dampedNewton({ damping: 2 });
 * const x = tensor([3]);
 * const { updates } = opt.update(tensor([6]), opt.init(x), x, { hvp: (p, v) => hvp(f, p as Tensor, v as Tensor) });
 * assert.deepEqual((updates as Tensor).toArray(), [-1.5]); // −6/(2 + 2)
 * ```
 */
export function dampedNewton(options: DampedNewtonOptions = {}): Optimizer<DampedNewtonState> {
  const owner = 'optimizer "damped-newton"';
  checkKeys(owner, options, ["damping", "adaptive", "dampingFactor", "maxTrials"]);
  const damping = checkNumber(owner, "damping", options.damping, 1, { min: 0 });
  const adaptive = checkBoolean(owner, "adaptive", options.adaptive, false);
  const factor = checkNumber(owner, "dampingFactor", options.dampingFactor, 10, { min: 1, minExclusive: true });
  const maxTrials = checkNumber(owner, "maxTrials", options.maxTrials, 10, { min: 1, integer: true });
  if (adaptive && damping === 0) {
    throw new RangeError(
      `Cannot create ${owner} as damping must be positive when adaptive (it is scaled by dampingFactor): current value is 0`,
    );
  }
  const trials = adaptive
    ? { loss: "to compare trial steps with", evaluate: "to try steps (adaptive: true)" }
    : undefined;
  const addDiagonal = (h: Float64Array, n: number, alpha: number) => {
    const a = Float64Array.from(h);
    for (let i = 0; i < n; i++) a[i * n + i] += alpha;
    return a;
  };
  return {
    init: () => ({ step: 0, damping, rejected: 0 }),
    update(grads, state, params, context) {
      const { context: ctx, loss: f0, n, g, h } = newtonInputs(owner, grads, params, context, trials);
      if (!adaptive) {
        const solved = solveNewtonSystem(owner, "H + αI", addDiagonal(h, n, state.damping), n, g, "; raise damping");
        return {
          updates: fromVector(params, scaled(-1, solved.x)),
          state: { step: state.step + 1, damping: state.damping, rejected: state.rejected },
        };
      }
      let alpha = state.damping, rejected = state.rejected;
      for (let trial = 0; trial < maxTrials; trial++) {
        const solved = solveSymmetric(addDiagonal(h, n, alpha), n, g);
        if (solved !== null) {
          const updates = fromVector(params, scaled(-1, solved.x));
          const result = ctx.evaluate!(applyUpdates(params, updates));
          const raw = result?.loss;
          // A NaN loss at the trial point is a failed trial, like a rise.
          const loss = Number.isNaN(raw) ? Infinity : readLoss(owner, "the loss returned by evaluate(params)", raw);
          if (loss < f0) {
            return { updates, state: { step: state.step + 1, damping: alpha / factor, rejected } };
          }
        }
        rejected++;
        alpha *= factor;
      }
      return {
        updates: fromVector(params, new Float64Array(n)),
        state: { step: state.step + 1, damping: alpha, rejected },
      };
    },
  };
}

/** Registers {@linkcode dampedNewton} as optimizer "damped-newton". */
const plugin: Plugin<"optimizer", DampedNewtonOptions> = {
  apiVersion: 1,
  kind: "optimizer",
  name: "damped-newton",
  description: "Regularized Newton θ ← θ − (H + αI)⁻¹g, α fixed or Levenberg–Marquardt adaptive.",
  defaults: { damping: 1, adaptive: false, dampingFactor: 10, maxTrials: 10 },
  create: dampedNewton as Plugin<"optimizer", DampedNewtonOptions>["create"],
};
export default plugin;
