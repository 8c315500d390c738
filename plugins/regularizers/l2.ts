/**
 * The L2 penalty.
 *
 * @module
 */

import type { Plugin, Regularizer } from "../../core/interfaces.ts";
import { add, mul, square, sum } from "../../core/ops/mod.ts";
import { checkBoolean, checkKeys, checkNumber } from "../../core/options.ts";
import { full, type Tensor } from "../../core/tensor.ts";
import { flattenTree } from "../../core/tree.ts";
import { isBiasPath } from "./_select.ts";

/** Options for {@linkcode l2}. */
export interface L2Options {
  /** The coefficient λ of the penalty λ‖θ‖². @default {0.01} */
  lambda?: number;
  /** Also penalize biases (parameters named `bias` or `beta`). @default {false} */
  includeBiases?: boolean;
}

/**
 * The L2 penalty λ‖θ‖² = λ Σ θᵢ², added to the loss: seed 000's J′ = J + ‖θ‖²
 * (with λ) and seed 002's regularized cost, whose gradient step shrinks each
 * weight by a factor (1 − ηλ·2) before the usual update: weight decay.
 * Biases are not regularized by default, as seed 002 prescribes.
 *
 * PyTorch has no L2 penalty object; its optimizers' `weight_decay` adds λθ to
 * the gradient, which equals this penalty with λ/2 (see `sgd`'s `weightDecay`
 * and the decoupled `weight-decay` regularizer).
 *
 * @param options `lambda`, `includeBiases`.
 * @returns The regularizer.
 *
 * @example
 * ```ts
 * import { l2 } from "./l2.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const penalty = l2({ lambda: 0.5 }).penalty!({ weight: tensor([1, 2]), bias: tensor([3]) });
 * assert.equal(penalty.item(), 2.5); // 0.5 · (1 + 4); the bias is excluded
 * ```
 */
export function l2(options: L2Options = {}): Regularizer {
  const owner = 'regularizer "l2"';
  checkKeys(owner, options, ["lambda", "includeBiases"]);
  const lambda = checkNumber(owner, "lambda", options.lambda, 0.01, { min: 0 });
  const includeBiases = checkBoolean(owner, "includeBiases", options.includeBiases, false);
  return {
    penalty(params) {
      let total: Tensor | null = null;
      for (const [path, t] of flattenTree(params)) {
        if (!includeBiases && isBiasPath(path)) continue;
        const term = sum(square(t));
        total = total === null ? term : add(total, term);
      }
      return total === null ? full([], 0) : mul(total, lambda);
    },
  };
}

/** Registers {@linkcode l2} as regularizer "l2". */
const plugin: Plugin<"regularizer", L2Options> = {
  apiVersion: 1,
  kind: "regularizer",
  name: "l2",
  description: "Penalty λ‖θ‖² added to the loss (biases excluded by default).",
  defaults: { lambda: 0.01, includeBiases: false },
  create: l2,
};
export default plugin;
