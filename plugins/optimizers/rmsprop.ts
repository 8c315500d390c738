/**
 * RMSProp: divide each gradient by a running root mean square.
 *
 * @module
 */

import type { LearningRate, Optimizer, Plugin } from "../../core/interfaces.ts";
import { add, div, mul, neg, sqrt, sub } from "../../core/ops/mod.ts";
import { checkBoolean, checkKeys, checkLearningRate, checkNumber } from "../../core/options.ts";
import { type Tree, treeMap } from "../../core/tree.ts";
import { checkShapes, coupledWeightDecay, fullLike, lerp, rateAt } from "./_common.ts";

/** Options for {@linkcode rmsprop}. */
export interface RmspropOptions {
  /** Step size η, a number or a schedule of the step. @default {0.01} */
  learningRate?: LearningRate;
  /** Decay α of the running mean of squared gradients, in [0, 1]. @default {0.99} */
  alpha?: number;
  /** ε added to the root mean square (outside the square root), at least 0. @default {1e-8} */
  epsilon?: number;
  /** Momentum factor μ on the normalized step, at least 0 (0: none). @default {0} */
  momentum?: number;
  /** Divide by an estimate of the variance (E[g²] − E[g]²) instead of E[g²] (Graves 2013). @default {false} */
  centered?: boolean;
  /** Coupled L2 coefficient λ: λθ is added to the gradient (PyTorch's `weight_decay`). @default {0} */
  weightDecay?: number;
}

/** State of {@linkcode rmsprop}. */
export interface RmspropState {
  /** Updates made so far. */
  readonly step: number;
  /** s = E[g²], the running mean of squared gradients. */
  readonly squareAvg: Tree;
  /** E[g], the running mean of gradients (only when `centered`), else `null`. */
  readonly gradAvg: Tree | null;
  /** The momentum buffer (only when `momentum` > 0), else `null`. */
  readonly buffer: Tree | null;
  /** An index signature, so the state is a plain record (a `StateValue`). */
  readonly [key: string]: number | Tree | null;
}

/**
 * RMSProp (Tieleman and Hinton 2012, Coursera lecture 6.5; seed 000 "RMSProp
 * [Tieleman and Hinton, 2012]"), exactly PyTorch's `torch.optim.RMSprop`:
 *   g_t ← ∇J(θ_{t−1}) + λθ_{t−1}
 *   s_t ← α·s_{t−1} + (1 − α)·g_t²
 *   centered: ḡ_t ← ḡ_{t−1} + (1 − α)·(g_t − ḡ_{t−1});  r_t ← √(s_t − ḡ_t²) + ε
 *   otherwise: r_t ← √s_t + ε
 *   momentum μ > 0: b_t ← μ·b_{t−1} + g_t / r_t;  θ_t ← θ_{t−1} − η_t·b_t
 *   otherwise:      θ_t ← θ_{t−1} − η_t·g_t / r_t
 *
 * Seed 000 only names RMSProp. The lecture uses α = 0.9 and no ε; PyTorch's
 * default is α = 0.99, and it adds ε after the square root (TensorFlow adds it
 * inside). The centered variant (Graves 2013), momentum and weight decay are
 * PyTorch's options; ḡ is updated with PyTorch's `lerp`, rounded as it rounds.
 *
 * @param options `learningRate`, `alpha`, `epsilon`, `momentum`, `centered`, `weightDecay`.
 * @returns The optimizer.
 * @throws {TypeError} For an option of the wrong type or an unknown option.
 * @throws {RangeError} For an option out of range (named with its range and value),
 *   and from `update` when a schedule gives a negative or non-finite learning rate.
 *
 * @example The first step is η·g/(√((1 − α)g²) + ε)
 * ```ts
 * import { rmsprop } from "./rmsprop.ts";
 * import { tensor, type Tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const opt = rmsprop({ learningRate: 0.5, alpha: 0.75, epsilon: 0 });
 * const params = tensor([0, 0]);
 * const { updates } = opt.update(tensor([2, -8]), opt.init(params), params);
 * assert.deepEqual((updates as Tensor).toArray(), [-1, 1]); // √(0.25·g²) = |g|/2
 * ```
 */
export function rmsprop(options: RmspropOptions = {}): Optimizer<RmspropState> {
  const owner = 'optimizer "rmsprop"';
  checkKeys(owner, options, ["learningRate", "alpha", "epsilon", "momentum", "centered", "weightDecay"]);
  const lr = checkLearningRate(owner, options.learningRate, 1e-2);
  const alpha = checkNumber(owner, "alpha", options.alpha, 0.99, { min: 0, max: 1 });
  const epsilon = checkNumber(owner, "epsilon", options.epsilon, 1e-8, { min: 0 });
  const momentum = checkNumber(owner, "momentum", options.momentum, 0, { min: 0 });
  const centered = checkBoolean(owner, "centered", options.centered, false);
  const weightDecay = checkNumber(owner, "weightDecay", options.weightDecay, 0, { min: 0 });
  return {
    init: (params) => ({
      step: 0,
      squareAvg: fullLike(params),
      gradAvg: centered ? fullLike(params) : null,
      buffer: momentum > 0 ? fullLike(params) : null,
    }),
    update(grads, state, params) {
      const rate = rateAt(owner, lr, state.step);
      checkShapes(owner, "the gradient", grads, params, "the parameters");
      checkShapes(owner, "state squareAvg", state.squareAvg, grads, "the gradient");
      if (centered) checkShapes(owner, "state gradAvg", state.gradAvg, grads, "the gradient");
      if (momentum > 0) checkShapes(owner, "state buffer", state.buffer, grads, "the gradient");
      const g = coupledWeightDecay(grads, params, weightDecay);
      const squareAvg = treeMap((s, gi) => add(mul(s, alpha), mul(mul(gi!, 1 - alpha), gi!)), state.squareAvg, g);
      let gradAvg: Tree | null = null;
      let avg: Tree;
      if (centered) {
        gradAvg = treeMap((m, gi) => lerp(m, gi!, 1 - alpha), state.gradAvg!, g);
        avg = treeMap((s, m) => add(sqrt(sub(s, mul(m!, m!))), epsilon), squareAvg, gradAvg);
      } else {
        avg = treeMap((s) => add(sqrt(s), epsilon), squareAvg);
      }
      let buffer: Tree | null = null;
      let updates: Tree;
      if (momentum > 0) {
        buffer = treeMap((b, gi, r) => add(mul(b, momentum), div(gi!, r!)), state.buffer!, g, avg);
        updates = treeMap((b) => neg(mul(b, rate)), buffer);
      } else {
        updates = treeMap((gi, r) => div(mul(gi, -rate), r!), g, avg);
      }
      return { updates, state: { step: state.step + 1, squareAvg, gradAvg, buffer } };
    },
  };
}

/** Registers {@linkcode rmsprop} as optimizer "rmsprop". */
const plugin: Plugin<"optimizer", RmspropOptions> = {
  apiVersion: 1,
  kind: "optimizer",
  name: "rmsprop",
  description: "RMSProp s ← αs + (1 − α)g², θ ← θ − η·g/(√s + ε) (Tieleman and Hinton 2012; PyTorch RMSprop).",
  defaults: { learningRate: 1e-2, alpha: 0.99, epsilon: 1e-8, momentum: 0, centered: false, weightDecay: 0 },
  create: rmsprop as Plugin<"optimizer", RmspropOptions>["create"],
};
export default plugin;
