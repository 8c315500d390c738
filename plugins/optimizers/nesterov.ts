/**
 * Gradient descent with Nesterov momentum.
 *
 * @module
 */

import type { LearningRate, Optimizer, Plugin } from "../../core/interfaces.ts";
import { checkKeys, checkLearningRate, checkNumber } from "../../core/options.ts";
import { sgdRule, type SgdState } from "./_sgd_rule.ts";

/** Options for {@linkcode nesterov}. */
export interface NesterovOptions {
  /** Step size η, a number or a schedule of the step. @default {0.001} */
  learningRate?: LearningRate;
  /** Momentum factor μ, greater than 0. @default {0.9} */
  momentum?: number;
  /** Coupled L2 coefficient λ: λθ is added to the gradient (PyTorch's `weight_decay`). @default {0} */
  weightDecay?: number;
}

/**
 * Nesterov's accelerated gradient (Nesterov 1983; seed 000 "Nesterov
 * Momentum"), exactly PyTorch's `torch.optim.SGD(momentum=μ, nesterov=True)`
 * (which requires dampening 0, so there is no `dampening` option):
 *   g_t ← ∇J(θ_{t−1}) + λθ_{t−1}
 *   b_1 ← g_1,   b_t ← μ·b_{t−1} + g_t   (t > 1)
 *   θ_t ← θ_{t−1} − η_t·(g_t + μ·b_t)
 *
 * Seed 000 names the method ("we would like the ball to slow down when it
 * reaches the minimum") but gives no formula. The textbook form (Sutskever et
 * al. 2013) evaluates the gradient at the look-ahead point, v ← μv − η∇J(θ + μv),
 * θ ← θ + v; PyTorch's is the same method rewritten in terms of the look-ahead
 * parameters (Bengio et al. 2013), so it needs only the gradient at the current
 * point. With a schedule, the whole step is scaled by the current η_t.
 *
 * It is the rule of `sgd` with `nesterov: true` and `momentum` defaulting to 0.9;
 * the state is sgd's `{ step, buffer }`.
 *
 * @param options `learningRate`, `momentum`, `weightDecay`.
 * @returns The optimizer.
 * @throws {TypeError} For an option of the wrong type or an unknown option.
 * @throws {RangeError} For an option out of range (named with its range and value).
 *
 * @example The first step already looks ahead: η·(1 + μ)·g
 * ```ts
 * import { nesterov } from "./nesterov.ts";
 * import { tensor, type Tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const opt = nesterov({ learningRate: 0.1, momentum: 0.5 });
 * const params = tensor([0]);
 * const { updates } = opt.update(tensor([2]), opt.init(params), params);
 * assert.equal((updates as Tensor).item(), -0.1 * (2 + 0.5 * 2));
 * ```
 */
export function nesterov(options: NesterovOptions = {}): Optimizer<SgdState> {
  const owner = 'optimizer "nesterov"';
  checkKeys(owner, options, ["learningRate", "momentum", "weightDecay"]);
  const learningRate = checkLearningRate(owner, options.learningRate, 1e-3);
  const mu = checkNumber(owner, "momentum", options.momentum, 0.9, { min: 0, minExclusive: true });
  const weightDecay = checkNumber(owner, "weightDecay", options.weightDecay, 0, { min: 0 });
  return sgdRule(owner, { learningRate, momentum: mu, dampening: 0, nesterov: true, weightDecay });
}

/** Registers {@linkcode nesterov} as optimizer "nesterov". */
const plugin: Plugin<"optimizer", NesterovOptions> = {
  apiVersion: 1,
  kind: "optimizer",
  name: "nesterov",
  description: "Nesterov momentum b ← μb + g, θ ← θ − η(g + μb) (PyTorch SGD with nesterov=True).",
  defaults: { learningRate: 1e-3, momentum: 0.9, weightDecay: 0 },
  create: nesterov as Plugin<"optimizer", NesterovOptions>["create"],
};
export default plugin;
