/**
 * Adam: adaptive moment estimation.
 *
 * @module
 */

import type { LearningRate, Optimizer, Plugin } from "../../core/interfaces.ts";
import { adamRule, type AdamState, checkAdamOptions } from "./_adam_rule.ts";

export type { AdamState } from "./_adam_rule.ts";

/** Options for {@linkcode adam}. */
export interface AdamOptions {
  /** Step size α, a number or a schedule of the step. @default {0.001} */
  learningRate?: LearningRate;
  /** Decay β₁ of the first-moment estimate, in [0, 1). @default {0.9} */
  beta1?: number;
  /** Decay β₂ of the second-moment estimate, in [0, 1). @default {0.999} */
  beta2?: number;
  /** ε added to √v̂ in the denominator, at least 0. @default {1e-8} */
  epsilon?: number;
  /** Coupled L2 coefficient λ: λθ is added to the gradient before the moments (PyTorch's `weight_decay`). @default {0} */
  weightDecay?: number;
  /** Use the running maximum of v (AMSGrad, Reddi et al. 2018). @default {false} */
  amsgrad?: boolean;
}

/**
 * Adam (Kingma and Ba, ICLR 2015, "Adam: a method for stochastic
 * optimization"; seed 000 Algorithm 1, with its defaults α = 0.001, β₁ = 0.9,
 * β₂ = 0.999, ε = 10⁻⁸), exactly PyTorch's `torch.optim.Adam`:
 *   t ← t + 1
 *   g_t ← ∇f_t(θ_{t−1}) + λθ_{t−1}
 *   m_t ← β₁·m_{t−1} + (1 − β₁)·g_t
 *   v_t ← β₂·v_{t−1} + (1 − β₂)·g_t²
 *   v̄_t ← max(v̄_{t−1}, v_t)   (AMSGrad only; then v̄_t replaces v_t below)
 *   m̂_t ← m_t / (1 − β₁ᵗ),  v̂_t ← v_t / (1 − β₂ᵗ)
 *   θ_t ← θ_{t−1} − α_t·m̂_t / (√v̂_t + ε)
 *
 * Where seed 000 and PyTorch differ:
 * - The update is Algorithm 1's, with ε added to √v̂_t (after bias correction),
 *   as in PyTorch; it is not the "more efficient" form of the paper's section 2
 *   (α_t = α·√(1 − β₂ᵗ)/(1 − β₁ᵗ), ε̂ added to √v_t), which TensorFlow uses.
 *   PyTorch computes it as (α/(1 − β₁ᵗ))·m / (√v/√(1 − β₂ᵗ) + ε), and so does this.
 * - PyTorch updates m with `lerp` (m + (1 − β₁)(g − m)); the same in exact
 *   arithmetic. The step runs as one fused kernel per parameter (the backend's
 *   `adamStep`) in PyTorch's operation order, each operation rounded to the
 *   parameter's dtype (float32 arithmetic for float32 parameters, as PyTorch),
 *   following PyTorch's single-tensor Adam operation by operation (from its
 *   source; not compared with a PyTorch run here). They can differ by an ulp
 *   where PyTorch's `lerp` or its compiler fuses a multiply-add (see
 *   `AdamStepScalars` in core/backend.ts).
 * - Besides `update`, it has the fused `step` (update and `applyUpdates` in
 *   one pass, like PyTorch's `fused=True`), which the trainer uses; with a
 *   donated context (`donate: true`) it writes over the state and parameters.
 * - `weightDecay` (coupled L2, PyTorch's) and `amsgrad` are not in the seed.
 *   For decoupled weight decay use `adamw`.
 *
 * @param options `learningRate`, `beta1`, `beta2`, `epsilon`, `weightDecay`, `amsgrad`.
 * @returns The optimizer.
 * @throws {TypeError} For an option of the wrong type or an unknown option.
 * @throws {RangeError} For an option out of range (named with its range and value),
 *   and from `update` when a schedule gives a negative or non-finite learning rate.
 *
 * @example The first step has length about α in every coordinate
 * ```ts
 * import { adam } from "./adam.ts";
 * import { tensor, type Tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const opt = adam({ learningRate: 0.01 });
 * const params = tensor([1, 1]);
 * const { updates, state } = opt.update(tensor([1000, -0.001]), opt.init(params), params);
 * const [a, b] = (updates as Tensor).toArray() as number[];
 * assert.ok(Math.abs(a + 0.01) < 1e-9 && Math.abs(b - 0.01) < 1e-7);
 * assert.equal(state.step, 1);
 * ```
 */
export function adam(options: AdamOptions = {}): Optimizer<AdamState> {
  const owner = 'optimizer "adam"';
  return adamRule(owner, checkAdamOptions(owner, options, 0, false));
}

/** Registers {@linkcode adam} as optimizer "adam". */
const plugin: Plugin<"optimizer", AdamOptions> = {
  apiVersion: 1,
  kind: "optimizer",
  name: "adam",
  description: "Adam θ ← θ − α·m̂/(√v̂ + ε) (Kingma and Ba 2015; seed 000 Algorithm 1; PyTorch Adam).",
  defaults: { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, amsgrad: false },
  create: adam as Plugin<"optimizer", AdamOptions>["create"],
};
export default plugin;
