/**
 * Gradient descent with classical (heavy-ball) momentum.
 *
 * @module
 */

import type { LearningRate, Optimizer, Plugin } from "../../core/interfaces.ts";
import { checkKeys, checkLearningRate, checkNumber } from "../../core/options.ts";
import { sgdRule, type SgdState } from "./_sgd_rule.ts";

/** Options for {@linkcode momentum}. */
export interface MomentumOptions {
  /** Step size η, a number or a schedule of the step. @default {0.001} */
  learningRate?: LearningRate;
  /** Momentum factor γ (μ in PyTorch), at least 0. @default {0.9} */
  momentum?: number;
  /** Dampening τ of the gradient in the buffer, in [0, 1] (PyTorch's; not in the seeds). @default {0} */
  dampening?: number;
  /** Coupled L2 coefficient λ: λθ is added to the gradient (PyTorch's `weight_decay`). @default {0} */
  weightDecay?: number;
}

/**
 * Classical momentum (Polyak 1964; seed 000 "Momentum", seed 001 "momentum"),
 * exactly PyTorch's `torch.optim.SGD(momentum=μ)` with `nesterov=False`:
 *   g_t ← ∇J(θ_{t−1}) + λθ_{t−1}
 *   b_1 ← g_1,   b_t ← μ·b_{t−1} + (1 − τ)·g_t   (t > 1)
 *   θ_t ← θ_{t−1} − η_t·b_t
 *
 * Where the seeds differ:
 * - Seed 000 writes Δθ^t = η·∂L/∂θ + γ·Δθ^{t−1}, θ ← θ − Δθ. With a constant η
 *   this is the same rule (Δθ = η·b). Under a schedule, PyTorch and this plugin
 *   multiply the whole buffer by the current η_t, the seed only the newest gradient.
 * - Seed 001 writes momentum as a moving average, Δθ^{k+1} = α·Δθ^k + (1 − α)·g.
 *   That is `dampening: τ` with τ = μ = α, except that PyTorch (and this) does not
 *   damp the first step (b_1 = g_1, not (1 − α)·g_1).
 * - Dampening and weight decay are PyTorch's additions.
 *
 * It is the rule of `sgd` with `momentum` defaulting to 0.9 (seed 000: "Typically
 * the momentum is set to 0.9"); the state is sgd's `{ step, buffer }`.
 *
 * @param options `learningRate`, `momentum`, `dampening`, `weightDecay`.
 * @returns The optimizer.
 * @throws {TypeError} For an option of the wrong type or an unknown option.
 * @throws {RangeError} For an option out of range (named with its range and value).
 *
 * @example Two steps on a constant gradient: the buffer grows to 1 + 0.9
 * ```ts
 * import { momentum } from "./momentum.ts";
 * import { applyUpdates } from "../../core/tree.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const opt = momentum({ learningRate: 0.1 });
 * let params = tensor([0]);
 * let state = opt.init(params);
 * for (let k = 0; k < 2; k++) {
 *   const r = opt.update(tensor([1]), state, params);
 *   params = applyUpdates(params, r.updates);
 *   state = r.state;
 * }
 * assert.ok(Math.abs(params.item() - -(0.1 + 0.1 * 1.9)) < 1e-15);
 * ```
 */
export function momentum(options: MomentumOptions = {}): Optimizer<SgdState> {
  const owner = 'optimizer "momentum"';
  checkKeys(owner, options, ["learningRate", "momentum", "dampening", "weightDecay"]);
  const learningRate = checkLearningRate(owner, options.learningRate, 1e-3);
  const mu = checkNumber(owner, "momentum", options.momentum, 0.9, { min: 0 });
  const dampening = checkNumber(owner, "dampening", options.dampening, 0, { min: 0, max: 1 });
  const weightDecay = checkNumber(owner, "weightDecay", options.weightDecay, 0, { min: 0 });
  return sgdRule(owner, { learningRate, momentum: mu, dampening, nesterov: false, weightDecay });
}

/** Registers {@linkcode momentum} as optimizer "momentum". */
const plugin: Plugin<"optimizer", MomentumOptions> = {
  apiVersion: 1,
  kind: "optimizer",
  name: "momentum",
  description: "Classical momentum b ← μb + g, θ ← θ − ηb (seed 000; PyTorch SGD with momentum).",
  defaults: { learningRate: 1e-3, momentum: 0.9, dampening: 0, weightDecay: 0 },
  create: momentum as Plugin<"optimizer", MomentumOptions>["create"],
};
export default plugin;
