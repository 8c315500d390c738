/**
 * AdaGrad: per-coordinate step sizes from the sum of squared gradients.
 *
 * @module
 */

import type { LearningRate, Optimizer, Plugin } from "../../core/interfaces.ts";
import { add, div, mul, sqrt } from "../../core/ops/mod.ts";
import { checkKeys, checkLearningRate, checkNumber } from "../../core/options.ts";
import { type Tree, treeMap } from "../../core/tree.ts";
import { checkShapes, coupledWeightDecay, fullLike, rateAt } from "./_common.ts";

/** Options for {@linkcode adagrad}. */
export interface AdagradOptions {
  /** Step size η, a number or a schedule of the step. @default {0.01} */
  learningRate?: LearningRate;
  /** Learning-rate decay d: step k uses η_k / (1 + k·d) (PyTorch's `lr_decay`). @default {0} */
  lrDecay?: number;
  /** Coupled L2 coefficient λ: λθ is added to the gradient (PyTorch's `weight_decay`). @default {0} */
  weightDecay?: number;
  /** The starting value of every accumulated sum, at least 0. @default {0} */
  initialAccumulatorValue?: number;
  /** ε added to √G in the denominator, at least 0. @default {1e-10} */
  epsilon?: number;
}

/** State of {@linkcode adagrad}. */
export interface AdagradState {
  /** Updates made so far. */
  readonly step: number;
  /** G, the sum of squared gradients, shaped like the parameters. */
  readonly sum: Tree;
  /** An index signature, so the state is a plain record (a `StateValue`). */
  readonly [key: string]: number | Tree;
}

/**
 * AdaGrad (Duchi, Hazan and Singer 2011, "Adaptive subgradient methods";
 * seed 000 "AdaGrad [Duchi 2011]"), exactly PyTorch's `torch.optim.Adagrad`:
 *   g_t ← ∇J(θ_{t−1}) + λθ_{t−1}
 *   η̃_t ← η_t / (1 + (t − 1)·d)
 *   G_t ← G_{t−1} + g_t²            (G_0 = initialAccumulatorValue)
 *   θ_t ← θ_{t−1} − η̃_t·g_t / (√G_t + ε)
 *
 * Seed 000 only names AdaGrad ("different parameters/scales for each
 * dimension"); the rule above is the paper's diagonal form, with ε outside the
 * square root as in the paper and PyTorch (TensorFlow's default accumulator of
 * 0.1 differs). `lrDecay`, `weightDecay` and `initialAccumulatorValue` are
 * PyTorch's additions, with its defaults.
 *
 * @param options `learningRate`, `lrDecay`, `weightDecay`, `initialAccumulatorValue`, `epsilon`.
 * @returns The optimizer.
 * @throws {TypeError} For an option of the wrong type or an unknown option.
 * @throws {RangeError} For an option out of range (named with its range and value),
 *   and from `update` when a schedule gives a negative or non-finite learning rate.
 *
 * @example The first step has length η in every coordinate, whatever the gradient's scale
 * ```ts
 * import { adagrad } from "./adagrad.ts";
 * import { tensor, type Tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const opt = adagrad({ learningRate: 0.1, epsilon: 0 });
 * const params = tensor([0, 0]);
 * const { updates } = opt.update(tensor([4, -0.5]), opt.init(params), params);
 * assert.deepEqual((updates as Tensor).toArray(), [-0.1, 0.1]);
 * ```
 */
export function adagrad(options: AdagradOptions = {}): Optimizer<AdagradState> {
  const owner = 'optimizer "adagrad"';
  checkKeys(owner, options, ["learningRate", "lrDecay", "weightDecay", "initialAccumulatorValue", "epsilon"]);
  const lr = checkLearningRate(owner, options.learningRate, 1e-2);
  const lrDecay = checkNumber(owner, "lrDecay", options.lrDecay, 0, { min: 0 });
  const weightDecay = checkNumber(owner, "weightDecay", options.weightDecay, 0, { min: 0 });
  const initial = checkNumber(owner, "initialAccumulatorValue", options.initialAccumulatorValue, 0, { min: 0 });
  const epsilon = checkNumber(owner, "epsilon", options.epsilon, 1e-10, { min: 0 });
  return {
    init: (params) => ({ step: 0, sum: fullLike(params, initial) }),
    update(grads, state, params) {
      const clr = rateAt(owner, lr, state.step) / (1 + state.step * lrDecay);
      checkShapes(owner, "the gradient", grads, params, "the parameters");
      checkShapes(owner, "state sum", state.sum, grads, "the gradient");
      const g = coupledWeightDecay(grads, params, weightDecay);
      const sum = treeMap((s, gi) => add(s, mul(gi!, gi!)), state.sum, g);
      const updates = treeMap((gi, s) => div(mul(gi, -clr), add(sqrt(s!), epsilon)), g, sum);
      return { updates, state: { step: state.step + 1, sum } };
    },
  };
}

/** Registers {@linkcode adagrad} as optimizer "adagrad". */
const plugin: Plugin<"optimizer", AdagradOptions> = {
  apiVersion: 1,
  kind: "optimizer",
  name: "adagrad",
  description: "AdaGrad G ← G + g², θ ← θ − η·g/(√G + ε) (Duchi et al. 2011; PyTorch Adagrad).",
  defaults: { learningRate: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, epsilon: 1e-10 },
  create: adagrad as Plugin<"optimizer", AdagradOptions>["create"],
};
export default plugin;
