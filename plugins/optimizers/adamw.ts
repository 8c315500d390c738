/**
 * AdamW: Adam with decoupled weight decay.
 *
 * @module
 */

import type { LearningRate, Optimizer, Plugin } from "../../core/interfaces.ts";
import { adamRule, type AdamState, checkAdamOptions } from "./_adam_rule.ts";

/** Options for {@linkcode adamw}. */
export interface AdamwOptions {
  /** Step size α, a number or a schedule of the step. @default {0.001} */
  learningRate?: LearningRate;
  /** Decay β₁ of the first-moment estimate, in [0, 1). @default {0.9} */
  beta1?: number;
  /** Decay β₂ of the second-moment estimate, in [0, 1). @default {0.999} */
  beta2?: number;
  /** ε added to √v̂ in the denominator, at least 0. @default {1e-8} */
  epsilon?: number;
  /** Decoupled decay λ: each step first shrinks θ by the factor (1 − α_t·λ). @default {0.01} */
  weightDecay?: number;
  /** Use the running maximum of v (AMSGrad, Reddi et al. 2018). @default {false} */
  amsgrad?: boolean;
}

/**
 * AdamW (Loshchilov and Hutter, ICLR 2019, "Decoupled weight decay
 * regularization"), exactly PyTorch's `torch.optim.AdamW`: Adam on the raw
 * gradient, with the weights shrunk separately:
 *   θ_{t−1} ← θ_{t−1}·(1 − α_t·λ)
 *   m_t, v_t, (v̄_t), m̂_t, v̂_t as in `adam`, from g_t = ∇f_t(θ_{t−1}) (no λθ term)
 *   θ_t ← θ_{t−1} − α_t·m̂_t / (√v̂_t + ε)
 *
 * Where the seeds and PyTorch differ: the seeds have no AdamW. Seed 002's
 * weight decay w ← (1 − ηα/m)·w − η∂C₀/∂w is this shrinking applied to plain
 * gradient descent; inside Adam, decoupling keeps the decay out of m and v, so
 * it is not rescaled by 1/√v̂ as Adam's coupled `weightDecay` is. Like PyTorch
 * (and unlike the paper, which scales λ by a schedule multiplier only), the
 * decay is multiplied by the learning rate α_t. Default λ = 0.01, as in PyTorch.
 * The update returned is −α_tλ·θ_{t−1} plus Adam's step.
 *
 * @param options `learningRate`, `beta1`, `beta2`, `epsilon`, `weightDecay`, `amsgrad`.
 * @returns The optimizer.
 * @throws {TypeError} For an option of the wrong type or an unknown option.
 * @throws {RangeError} For an option out of range (named with its range and value),
 *   and from `update` when a schedule gives a negative or non-finite learning rate.
 *
 * @example With a zero gradient only the decay acts: θ·(1 − αλ)
 * ```ts
 * import { adamw } from "./adamw.ts";
 * import { applyUpdates } from "../../core/tree.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const opt = adamw({ learningRate: 0.5, weightDecay: 0.25 });
 * const params = tensor([8, -4]);
 * const { updates } = opt.update(tensor([0, 0]), opt.init(params), params);
 * assert.deepEqual(applyUpdates(params, updates).toArray(), [7, -3.5]);
 * ```
 */
export function adamw(options: AdamwOptions = {}): Optimizer<AdamState> {
  const owner = 'optimizer "adamw"';
  return adamRule(owner, checkAdamOptions(owner, options, 1e-2, true));
}

/** Registers {@linkcode adamw} as optimizer "adamw". */
const plugin: Plugin<"optimizer", AdamwOptions> = {
  apiVersion: 1,
  kind: "optimizer",
  name: "adamw",
  description:
    "AdamW: θ ← θ(1 − αλ), then Adam's step on the raw gradient (Loshchilov and Hutter 2019; PyTorch AdamW).",
  defaults: { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-2, amsgrad: false },
  create: adamw as Plugin<"optimizer", AdamwOptions>["create"],
};
export default plugin;
