/**
 * Stochastic gradient descent, with optional momentum and weight decay.
 *
 * @module
 */

import type { LearningRate, Optimizer, Plugin } from "../../core/interfaces.ts";
import { checkBoolean, checkKeys, checkLearningRate, checkNumber } from "../../core/options.ts";
import { sgdRule, type SgdState } from "./_sgd_rule.ts";

export type { SgdState } from "./_sgd_rule.ts";

/** Options for {@linkcode sgd}. */
export interface SgdOptions {
  /** Step size ε, a number or a schedule of the step. @default {0.001} */
  learningRate?: LearningRate;
  /** Momentum factor μ (0 disables the buffer). @default {0} */
  momentum?: number;
  /** Dampening of the gradient in the momentum buffer. @default {0} */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). @default {false} */
  nesterov?: boolean;
  /** L2 penalty coefficient λ, added to the gradient as λθ. @default {0} */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent (seed 001; seed 002 eq. 3, 7), exactly
 * PyTorch's `torch.optim.SGD` update:
 *   g ← ∇θ + λθ
 *   b ← g (first step), else b ← μ·b + (1 − dampening)·g
 *   g ← g + μ·b (Nesterov) or g ← b (classical momentum, μ > 0)
 *   θ ← θ − ε_k·g
 * With μ = 0 it is plain gradient descent θ^{k+1} = θ^k − ε_k ∂C/∂θ. Seed 000
 * writes momentum as Δθ = η∇ + γΔθ^{t−1}, the same rule with b = Δθ/η while η
 * is constant; under a schedule PyTorch (and this) scales the whole buffer by the
 * current ε_k, the seed only the new gradient. `dampening` and `weightDecay`
 * (coupled L2: λθ added to the gradient, i.e. a penalty λ/2·‖θ‖²) are PyTorch's,
 * not the seeds'. The `momentum` and `nesterov` plugins are this rule with
 * their own defaults (μ = 0.9).
 *
 * @param options `learningRate`, `momentum`, `dampening`, `nesterov`, `weightDecay`.
 * @returns The optimizer.
 * @throws {TypeError} For an option of the wrong type or an unknown option.
 * @throws {RangeError} For an option out of range (named with its range and value),
 *   and from `update` when a schedule gives a negative or non-finite learning rate.
 *
 * @example One step of plain gradient descent
 * ```ts
 * import { sgd } from "./sgd.ts";
 * import { tensor, Tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const opt = sgd({ learningRate: 0.1 });
 * const params = tensor([1, 2]);
 * const { updates } = opt.update(tensor([10, -10]), opt.init(params), params);
 * assert.deepEqual((updates as Tensor).toArray(), [-1, 1]);
 * ```
 */
export function sgd(options: SgdOptions = {}): Optimizer<SgdState> {
  const owner = 'optimizer "sgd"';
  checkKeys(owner, options, ["learningRate", "momentum", "dampening", "nesterov", "weightDecay"]);
  const lr = checkLearningRate(owner, options.learningRate, 1e-3);
  const momentum = checkNumber(owner, "momentum", options.momentum, 0, { min: 0 });
  const dampening = checkNumber(owner, "dampening", options.dampening, 0, { min: 0, max: 1 });
  const nesterov = checkBoolean(owner, "nesterov", options.nesterov, false);
  const weightDecay = checkNumber(owner, "weightDecay", options.weightDecay, 0, { min: 0 });
  if (nesterov && (momentum <= 0 || dampening !== 0)) {
    throw new RangeError(
      `Cannot create ${owner} as nesterov requires momentum > 0 and dampening = 0: current values are momentum ${momentum}, dampening ${dampening}`,
    );
  }
  return sgdRule(owner, { learningRate: lr, momentum, dampening, nesterov, weightDecay });
}

/** Registers {@linkcode sgd} as optimizer "sgd". */
const plugin: Plugin<"optimizer", SgdOptions> = {
  apiVersion: 1,
  kind: "optimizer",
  name: "sgd",
  description: "Gradient descent θ ← θ − ε·g, with optional momentum, Nesterov and weight decay (PyTorch SGD).",
  defaults: { learningRate: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 },
  create: sgd as Plugin<"optimizer", SgdOptions>["create"],
};
export default plugin;
