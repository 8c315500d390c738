/**
 * The Lion optimizer as a third-party plugin: written only against gradflow's
 * public API (`../../mod.ts`), so it loads by URL from any copy of the
 * repository (`--plugin https://…/examples/plugins/lion.ts`).
 *
 * @module
 */

import {
  add,
  checkKeys,
  checkLearningRate,
  checkNumber,
  type LearningRate,
  mul,
  neg,
  type Optimizer,
  type Plugin,
  sign,
  type Tree,
  treeMap,
  zeros,
} from "../../mod.ts";

/** Options for {@linkcode lion}. */
export interface LionOptions {
  /** Step size η, a number or a schedule of the step. Use 3–10× less than for AdamW. @default {1e-4} */
  learningRate?: LearningRate;
  /** Interpolation β₁ between momentum and gradient for the update's sign, in [0, 1). @default {0.9} */
  beta1?: number;
  /** Decay β₂ of the momentum that is carried to the next step, in [0, 1). @default {0.99} */
  beta2?: number;
  /** Decoupled weight decay λ (the update is −η·λθ besides the sign step), at least 0. @default {0} */
  weightDecay?: number;
}

/** State of {@linkcode lion}: the step count and the momentum m (zeros at first). */
export interface LionState {
  /** Updates made so far. */
  readonly step: number;
  /** The momentum m, with the structure of the parameters. */
  readonly momentum: Tree;
  readonly [key: string]: number | Tree;
}

/**
 * Lion, "EvoLved Sign Momentum" (Chen et al., 2023, "Symbolic Discovery of
 * Optimization Algorithms", arXiv:2302.06675, Algorithm 2). Every coordinate
 * moves by exactly ±η (plus decay), in the sign of an interpolation between the
 * momentum and the gradient; the momentum itself is a slower running mean:
 *   c_k ← β₁·m_{k−1} + (1 − β₁)·g_k
 *   θ_k ← θ_{k−1} − η_k·(sign(c_k) + λ·θ_{k−1})
 *   m_k ← β₂·m_{k−1} + (1 − β₂)·g_k
 * with sign(0) = 0 and m₀ = 0. PyTorch has no Lion in `torch.optim`; this
 * matches the authors' reference (`lion-pytorch`: lr 1e-4, betas (0.9, 0.99),
 * weight_decay 0, decay applied as θ·(1 − ηλ) before the sign step) and Optax's
 * `optax.lion` (which defaults to weight_decay 1e-3).
 *
 * @param options `learningRate`, `beta1`, `beta2`, `weightDecay`.
 * @returns The optimizer.
 * @throws {TypeError} For an unknown option or an option of the wrong type.
 * @throws {RangeError} For an option out of range (named with its range and value).
 *
 * @example Each coordinate moves by exactly the learning rate
 * ```ts
 * import { lion } from "./lion.ts";
 * import { tensor, type Tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const opt = lion({ learningRate: 0.1 });
 * const params = tensor([1, 1, 1]);
 * const { updates, state } = opt.update(tensor([1000, -0.001, 0]), opt.init(params), params);
 * assert.deepEqual((updates as Tensor).toArray(), [-0.1, 0.1, -0]);
 * assert.equal(state.step, 1);
 * ```
 */
export function lion(options: LionOptions = {}): Optimizer<LionState> {
  const owner = 'optimizer "lion"';
  checkKeys(owner, options, ["learningRate", "beta1", "beta2", "weightDecay"]);
  const learningRate = checkLearningRate(owner, options.learningRate, 1e-4);
  const beta1 = checkNumber(owner, "beta1", options.beta1, 0.9, { min: 0, max: 1, maxExclusive: true });
  const beta2 = checkNumber(owner, "beta2", options.beta2, 0.99, { min: 0, max: 1, maxExclusive: true });
  const weightDecay = checkNumber(owner, "weightDecay", options.weightDecay, 0, { min: 0 });
  return {
    init: (params) => ({ step: 0, momentum: treeMap((p) => zeros(p.shape, p.dtype), params) }),
    update(grads, state, params) {
      const rate = learningRate(state.step);
      if (!(rate >= 0) || !Number.isFinite(rate)) {
        throw new RangeError(
          `Cannot update ${owner} as the learning rate at step ${state.step} must be a finite number ≥ 0: current value is ${rate}`,
        );
      }
      const updates = treeMap(
        (m, g, p) => {
          const c = add(mul(m, beta1), mul(g!, 1 - beta1));
          const step = weightDecay === 0 ? sign(c) : add(sign(c), mul(p!, weightDecay));
          return neg(mul(step, rate));
        },
        state.momentum,
        grads,
        params,
      );
      const momentum = treeMap((m, g) => add(mul(m, beta2), mul(g!, 1 - beta2)), state.momentum, grads);
      return { updates, state: { step: state.step + 1, momentum } };
    },
  };
}

/** Registers {@linkcode lion} as optimizer "lion". */
const plugin: Plugin<"optimizer", LionOptions> = {
  apiVersion: 1,
  kind: "optimizer",
  name: "lion",
  description: "Lion θ ← θ − η·(sign(β₁m + (1 − β₁)g) + λθ) (Chen et al. 2023).",
  defaults: { learningRate: 1e-4, beta1: 0.9, beta2: 0.99, weightDecay: 0 },
  create: lion as Plugin<"optimizer", LionOptions>["create"],
};
export default plugin;
