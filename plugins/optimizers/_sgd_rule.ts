/**
 * The update rule of PyTorch's `torch.optim.SGD`, shared by the `sgd`,
 * `momentum` and `nesterov` plugins (each validates its own options and names
 * itself in runtime errors).
 *
 * @module
 */

import type { Optimizer, Scheduler } from "../../core/interfaces.ts";
import { add, mul, neg } from "../../core/ops/mod.ts";
import { type Tree, treeMap } from "../../core/tree.ts";
import { checkShapes, coupledWeightDecay, rateAt } from "./_common.ts";

/** State of `sgd`, `momentum` and `nesterov`. */
export interface SgdState {
  /** Updates made so far. */
  readonly step: number;
  /** The momentum buffer, or `null` before the first step or without momentum. */
  readonly buffer: Tree | null;
  /** An index signature, so the state is a plain record (a `StateValue`). */
  readonly [key: string]: number | Tree | null;
}

/** The validated settings of {@linkcode sgdRule}. */
export interface SgdConfig {
  /** The learning-rate schedule. */
  learningRate: Scheduler;
  /** Momentum factor μ (0: no buffer). */
  momentum: number;
  /** Dampening τ. */
  dampening: number;
  /** Nesterov momentum. */
  nesterov: boolean;
  /** Coupled L2 coefficient λ. */
  weightDecay: number;
}

/**
 * PyTorch's SGD step on trees (options already validated):
 * g ← ∇ + λθ; b ← g on the first step, else μb + (1 − τ)g;
 * d ← g + μb (Nesterov) or b (μ > 0) or g; updates −η_k·d.
 *
 * @param owner The plugin, for runtime errors (`optimizer "momentum"`).
 * @param config The settings.
 * @returns The optimizer.
 *
 * @example
 * ```ts
 * import { sgdRule } from "./_sgd_rule.ts";
 * import { tensor, type Tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const opt = sgdRule('optimizer "sgd"', { learningRate: () => 0.5, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 });
 * const p = tensor([1]);
 * assert.equal((opt.update(tensor([2]), opt.init(p), p).updates as Tensor).item(), -1);
 * ```
 */
export function sgdRule(owner: string, config: SgdConfig): Optimizer<SgdState> {
  const { learningRate, momentum, dampening, nesterov, weightDecay } = config;
  return {
    init: () => ({ step: 0, buffer: null }),
    update(grads, state, params) {
      const rate = rateAt(owner, learningRate, state.step);
      checkShapes(owner, "the gradient", grads, params, "the parameters");
      if (momentum !== 0 && state.buffer !== null) {
        checkShapes(owner, "state buffer", state.buffer, grads, "the gradient");
      }
      const g = coupledWeightDecay(grads, params, weightDecay);
      let direction = g, buffer: Tree | null = null;
      if (momentum !== 0) {
        buffer = state.buffer === null
          ? g
          : treeMap((b, gi) => add(mul(b, momentum), mul(gi!, 1 - dampening)), state.buffer, g);
        direction = nesterov ? treeMap((gi, b) => add(gi, mul(b!, momentum)), g, buffer) : buffer;
      }
      return { updates: treeMap((d) => neg(mul(d, rate)), direction), state: { step: state.step + 1, buffer } };
    },
  };
}
