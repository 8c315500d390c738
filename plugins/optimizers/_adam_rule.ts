/**
 * The update rule of PyTorch's `torch.optim.Adam` and `torch.optim.AdamW`,
 * shared by the `adam` and `adamw` plugins.
 *
 * @module
 */

import type { Optimizer, Scheduler } from "../../core/interfaces.ts";
import { add, div, maximum, mul, sqrt } from "../../core/ops/mod.ts";
import { type Tree, treeMap } from "../../core/tree.ts";
import { checkShapes, coupledWeightDecay, fullLike, lerp, rateAt } from "./_common.ts";

/** State of `adam` and `adamw`. */
export interface AdamState {
  /** t, the updates made so far. */
  readonly step: number;
  /** m, the biased first-moment estimate (PyTorch's `exp_avg`). */
  readonly m: Tree;
  /** v, the biased second raw moment estimate (PyTorch's `exp_avg_sq`). */
  readonly v: Tree;
  /** The running maximum of v (only with `amsgrad`, PyTorch's `max_exp_avg_sq`), else `null`. */
  readonly vMax: Tree | null;
  /** An index signature, so the state is a plain record (a `StateValue`). */
  readonly [key: string]: number | Tree | null;
}

/** The validated settings of {@linkcode adamRule}. */
export interface AdamConfig {
  /** The learning-rate schedule α_t. */
  learningRate: Scheduler;
  /** β₁. */
  beta1: number;
  /** β₂. */
  beta2: number;
  /** ε. */
  epsilon: number;
  /** λ. */
  weightDecay: number;
  /** Decoupled (AdamW) rather than coupled (Adam's L2) weight decay. */
  decoupled: boolean;
  /** The AMSGrad variant. */
  amsgrad: boolean;
}

/**
 * PyTorch's Adam/AdamW step on trees (options already validated):
 *   coupled: g ← g + λθ;   decoupled: θ ← θ·(1 − αλ) before the step
 *   m ← lerp(m, g, 1 − β₁);  v ← β₂v + (1 − β₂)g²;  v̄ ← max(v̄, v) (AMSGrad)
 *   θ ← θ − (α/(1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * @param owner The plugin, for runtime errors (`optimizer "adamw"`).
 * @param config The settings.
 * @returns The optimizer.
 *
 * @example
 * ```ts
 * import { adamRule } from "./_adam_rule.ts";
 * import { tensor, type Tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const opt = adamRule('optimizer "adam"', {
 *   learningRate: () => 0.1, beta1: 0.9, beta2: 0.999, epsilon: 0, weightDecay: 0, decoupled: false, amsgrad: false,
 * });
 * const p = tensor([1]);
 * assert.ok(Math.abs((opt.update(tensor([5]), opt.init(p), p).updates as Tensor).item() + 0.1) < 1e-12);
 * ```
 */
export function adamRule(owner: string, config: AdamConfig): Optimizer<AdamState> {
  const { learningRate, beta1, beta2, epsilon, weightDecay, decoupled, amsgrad } = config;
  return {
    init: (params) => ({ step: 0, m: fullLike(params), v: fullLike(params), vMax: amsgrad ? fullLike(params) : null }),
    update(grads, state, params) {
      const rate = rateAt(owner, learningRate, state.step);
      checkShapes(owner, "the gradient", grads, params, "the parameters");
      checkShapes(owner, "state m", state.m, grads, "the gradient");
      checkShapes(owner, "state v", state.v, grads, "the gradient");
      if (amsgrad) checkShapes(owner, "state vMax", state.vMax, grads, "the gradient");
      const t = state.step + 1;
      const g = decoupled ? grads : coupledWeightDecay(grads, params, weightDecay);
      const m = treeMap((mi, gi) => lerp(mi, gi!, 1 - beta1), state.m, g);
      const v = treeMap((vi, gi) => add(mul(vi, beta2), mul(mul(gi!, 1 - beta2), gi!)), state.v, g);
      const vMax = amsgrad ? treeMap((a, b) => maximum(a, b!), state.vMax!, v) : null;
      const biasCorrection1 = 1 - beta1 ** t;
      const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** t);
      const stepSize = rate / biasCorrection1;
      const step = treeMap(
        (mi, vi) => div(mul(mi, -stepSize), add(div(sqrt(vi!), biasCorrection2Sqrt), epsilon)),
        m,
        vMax ?? v,
      );
      const decay = rate * weightDecay;
      const updates = decoupled && decay !== 0 ? treeMap((s, p) => add(mul(p!, -decay), s), step, params) : step;
      return { updates, state: { step: t, m, v, vMax } };
    },
  };
}
