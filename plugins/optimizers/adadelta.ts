/**
 * AdaDelta: step sizes from running averages of squared gradients and squared steps.
 *
 * @module
 */

import type { LearningRate, Optimizer, Plugin } from "../../core/interfaces.ts";
import { add, div, mul, neg, sqrt } from "../../core/ops/mod.ts";
import { checkKeys, checkLearningRate, checkNumber } from "../../core/options.ts";
import { type Tree, treeMap } from "../../core/tree.ts";
import { checkShapes, coupledWeightDecay, fullLike, rateAt } from "./_common.ts";

/** Options for {@linkcode adadelta}. */
export interface AdadeltaOptions {
  /** A factor η on every step, a number or a schedule (1 is Zeiler's method). @default {1} */
  learningRate?: LearningRate;
  /** Decay ρ of both running averages, in [0, 1]. @default {0.9} */
  rho?: number;
  /** ε added inside both square roots, at least 0. @default {1e-6} */
  epsilon?: number;
  /** Coupled L2 coefficient λ: λθ is added to the gradient (PyTorch's `weight_decay`). @default {0} */
  weightDecay?: number;
}

/** State of {@linkcode adadelta}. */
export interface AdadeltaState {
  /** Updates made so far. */
  readonly step: number;
  /** E[g²], the running average of squared gradients. */
  readonly squareAvg: Tree;
  /** E[Δθ²], the running average of squared steps. */
  readonly accDelta: Tree;
  /** An index signature, so the state is a plain record (a `StateValue`). */
  readonly [key: string]: number | Tree;
}

/**
 * AdaDelta (Zeiler 2012, "ADADELTA: an adaptive learning rate method";
 * seed 000 "AdaDelta [Zeiler 2012]"), exactly PyTorch's `torch.optim.Adadelta`:
 *   g_t ← ∇J(θ_{t−1}) + λθ_{t−1}
 *   E[g²]_t ← ρ·E[g²]_{t−1} + (1 − ρ)·g_t²
 *   Δθ_t ← √(E[Δθ²]_{t−1} + ε) / √(E[g²]_t + ε) · g_t
 *   E[Δθ²]_t ← ρ·E[Δθ²]_{t−1} + (1 − ρ)·Δθ_t²
 *   θ_t ← θ_{t−1} − η_t·Δθ_t
 *
 * Seed 000 only names AdaDelta; the rule is the paper's Algorithm 1, which has
 * no learning rate: η = 1 (the default, as in PyTorch) reproduces it, and other
 * values scale every step (PyTorch's addition, as is `weightDecay`). ε sits
 * inside both square roots, as in the paper and PyTorch.
 *
 * @param options `learningRate`, `rho`, `epsilon`, `weightDecay`.
 * @returns The optimizer.
 * @throws {TypeError} For an option of the wrong type or an unknown option.
 * @throws {RangeError} For an option out of range (named with its range and value),
 *   and from `update` when a schedule gives a negative or non-finite learning rate.
 *
 * @example The first step is √ε/√((1 − ρ)g² + ε)·g
 * ```ts
 * import { adadelta } from "./adadelta.ts";
 * import { tensor, type Tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const opt = adadelta({ rho: 0.75, epsilon: 0.25 });
 * const params = tensor([0]);
 * const { updates } = opt.update(tensor([3]), opt.init(params), params);
 * // √0.25 / √(0.25·9 + 0.25) · 3 = 0.5 / √2.5 · 3
 * assert.ok(Math.abs((updates as Tensor).item() - -(0.5 / Math.sqrt(2.5)) * 3) < 1e-15);
 * ```
 */
export function adadelta(options: AdadeltaOptions = {}): Optimizer<AdadeltaState> {
  const owner = 'optimizer "adadelta"';
  checkKeys(owner, options, ["learningRate", "rho", "epsilon", "weightDecay"]);
  const lr = checkLearningRate(owner, options.learningRate, 1);
  const rho = checkNumber(owner, "rho", options.rho, 0.9, { min: 0, max: 1 });
  const epsilon = checkNumber(owner, "epsilon", options.epsilon, 1e-6, { min: 0 });
  const weightDecay = checkNumber(owner, "weightDecay", options.weightDecay, 0, { min: 0 });
  return {
    init: (params) => ({ step: 0, squareAvg: fullLike(params), accDelta: fullLike(params) }),
    update(grads, state, params) {
      const rate = rateAt(owner, lr, state.step);
      checkShapes(owner, "the gradient", grads, params, "the parameters");
      checkShapes(owner, "state squareAvg", state.squareAvg, grads, "the gradient");
      checkShapes(owner, "state accDelta", state.accDelta, grads, "the gradient");
      const g = coupledWeightDecay(grads, params, weightDecay);
      const squareAvg = treeMap((s, gi) => add(mul(s, rho), mul(mul(gi!, 1 - rho), gi!)), state.squareAvg, g);
      const delta = treeMap(
        (gi, s, a) => mul(div(sqrt(add(a!, epsilon)), sqrt(add(s!, epsilon))), gi),
        g,
        squareAvg,
        state.accDelta,
      );
      const accDelta = treeMap((a, d) => add(mul(a, rho), mul(mul(d!, 1 - rho), d!)), state.accDelta, delta);
      const updates = treeMap((d) => neg(mul(d, rate)), delta);
      return { updates, state: { step: state.step + 1, squareAvg, accDelta } };
    },
  };
}

/** Registers {@linkcode adadelta} as optimizer "adadelta". */
const plugin: Plugin<"optimizer", AdadeltaOptions> = {
  apiVersion: 1,
  kind: "optimizer",
  name: "adadelta",
  description: "AdaDelta Δθ = √(E[Δθ²] + ε)/√(E[g²] + ε)·g (Zeiler 2012; PyTorch Adadelta).",
  defaults: { learningRate: 1, rho: 0.9, epsilon: 1e-6, weightDecay: 0 },
  create: adadelta as Plugin<"optimizer", AdadeltaOptions>["create"],
};
export default plugin;
