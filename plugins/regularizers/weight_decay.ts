/**
 * Decoupled weight decay, applied after each update.
 *
 * @module
 */

import type { Plugin, ProjectContext, Regularizer } from "../../core/interfaces.ts";
import { checkBoolean, checkKeys, checkNumber } from "../../core/options.ts";
import { allocate, Tensor } from "../../core/tensor.ts";
import { flattenTree, type Tree, unflattenTree } from "../../core/tree.ts";
import { isBiasPath, stepSize } from "./_select.ts";

/** Options for {@linkcode weightDecay}. */
export interface WeightDecayOptions {
  /** The decay coefficient λ (PyTorch AdamW's `weight_decay`). @default {0.01} */
  lambda?: number;
  /** Also decay biases (parameters named `bias` or `beta`). @default {false} */
  includeBiases?: boolean;
}

function scale(t: Tensor, factor: number): Tensor {
  const out = allocate(t.dtype, t.size);
  for (let i = 0; i < out.length; i++) out[i] = t.data[i] * factor;
  return new Tensor(out, t.shape);
}

/**
 * Decoupled weight decay (Loshchilov and Hutter, "Decoupled Weight Decay
 * Regularization", ICLR 2019): after each optimizer update, `project` shrinks
 * every weight toward zero,
 *   θ ← θ − ε·λ·θ = (1 − ε·λ)·θ
 * with ε the step's learning rate, independently of the gradient. With plain
 * gradient descent this is seed 002's weight decay, eq. 29,
 * w ← (1 − ηα/m)·w − η·∂C₀/∂w (λ = α/m), up to the order of the two steps
 * (see below), and so seed 000's L2 update; with
 * adaptive methods (Adam, RMSProp) it differs from adding an L2 penalty, which
 * the adaptive scaling would shrink for weights with large gradients.
 *
 * Matches PyTorch `AdamW`'s decay p ← p·(1 − lr·weight_decay) and its default
 * λ = 0.01, with two differences: PyTorch decays the parameters *before* the
 * optimizer step and this runs *after* it, so the result differs by the
 * second-order term ε²·λ·Δθ; and biases are excluded by default, as seed 002
 * prescribes (PyTorch decays every parameter in the group).
 *
 * When the project context has no `learningRate` (say, after a Newton step),
 * ε = 1 and λ is the fraction removed per step, θ ← (1 − λ)·θ: the paper's
 * form θ ← θ − η_t·λ·θ with schedule multiplier η_t = 1. Choose λ
 * accordingly.
 *
 * @param options `lambda`, `includeBiases`.
 * @returns The regularizer (it has `project` and no penalty).
 *
 * @example
 * ```ts
 * import { weightDecay } from "./weight_decay.ts";
 * import { Tensor, tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const decay = weightDecay({ lambda: 0.5 });
 * const { params } = decay.project!({ weight: tensor([2, -4]), bias: tensor([1]) }, null, { step: 1, learningRate: 0.1 });
 * const out = params as { weight: Tensor; bias: Tensor };
 * assert.deepEqual(out.weight.toArray(), [1.9, -3.8]); // (1 − 0.1·0.5)·θ
 * assert.deepEqual(out.bias.toArray(), [1]); // biases are not decayed by default
 * ```
 */
export function weightDecay(options: WeightDecayOptions = {}): Regularizer {
  const owner = 'regularizer "weight-decay"';
  checkKeys(owner, options, ["lambda", "includeBiases"]);
  const lambda = checkNumber(owner, "lambda", options.lambda, 0.01, { min: 0 });
  const includeBiases = checkBoolean(owner, "includeBiases", options.includeBiases, false);
  return {
    project(params: Tree, state, context: ProjectContext) {
      const factor = 1 - stepSize(owner, context) * lambda;
      const leaves = flattenTree(params).map(([path, t]) => includeBiases || !isBiasPath(path) ? scale(t, factor) : t);
      return { params: unflattenTree(params, leaves), state };
    },
  };
}

/** Registers {@linkcode weightDecay} as regularizer "weight-decay". */
const plugin: Plugin<"regularizer", WeightDecayOptions> = {
  apiVersion: 1,
  kind: "regularizer",
  name: "weight-decay",
  description: "Decoupled weight decay θ ← (1 − ε·λ)·θ after each update (AdamW-style).",
  defaults: { lambda: 0.01, includeBiases: false },
  create: weightDecay,
};
export default plugin;
