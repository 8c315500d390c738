/**
 * The L1 penalty, as a subgradient term or as a proximal (soft-threshold) step.
 *
 * @module
 */

import type { Plugin, ProjectContext, Regularizer } from "../../core/interfaces.ts";
import { abs, add, mul, sum } from "../../core/ops/mod.ts";
import { checkBoolean, checkKeys, checkNumber } from "../../core/options.ts";
import { allocate, full, Tensor } from "../../core/tensor.ts";
import { flattenTree, type Tree, unflattenTree } from "../../core/tree.ts";
import { isBiasPath, stepSize } from "./_select.ts";

/** Options for {@linkcode l1}. */
export interface L1Options {
  /** The coefficient λ of λ‖θ‖₁. @default {0.01} */
  lambda?: number;
  /** Also regularize biases (parameters named `bias` or `beta`). @default {false} */
  includeBiases?: boolean;
  /**
   * Apply soft-thresholding in `project` instead of adding a penalty to the
   * loss (proximal gradient descent, ISTA). @default {false}
   */
  proximal?: boolean;
}

/** θ ← sign(θ)·max(|θ| − τ, 0), elementwise, into a new tensor. */
function softThreshold(t: Tensor, threshold: number): Tensor {
  const out = allocate(t.dtype, t.size);
  for (let i = 0; i < out.length; i++) {
    const v = t.data[i];
    const shrunk = Math.abs(v) - threshold;
    out[i] = shrunk > 0 ? (v > 0 ? shrunk : -shrunk) : 0;
  }
  return new Tensor(out, t.shape);
}

/**
 * The L1 regularizer λ‖θ‖₁ = λ Σ |θᵢ| of seed 000 ("the sum of absolute
 * value of the weights"), which drives small weights to exactly zero and so
 * favours sparse networks. Biases are excluded by default (seed 002).
 *
 * - Default (subgradient): `penalty(θ) = λ Σ |θᵢ|` is added to the loss; its
 *   subgradient is λ·sign(θ), with sign(0) = 0 as seed 000 discusses for
 *   non-differentiable points (and as PyTorch's `abs` backward).
 *   A plain gradient step then oscillates around 0 rather than landing on it.
 * - `proximal: true`: no penalty; after each update `project` applies the
 *   proximal operator of ελ‖·‖₁, soft-thresholding
 *     θ ← sign(θ)·max(|θ| − ε·λ, 0)
 *   with ε the step's learning rate (proximal gradient descent, ISTA:
 *   Daubechies, Defrise and De Mol 2004; Beck and Teboulle 2009), which sets
 *   small weights exactly to zero. When the context carries no
 *   `learningRate`, ε = 1: the threshold is λ itself.
 *
 * PyTorch has no L1 regularizer object; the penalty form is the usual
 * `loss + λ·Σ|θ|` written by hand.
 *
 * @param options `lambda`, `includeBiases`, `proximal`.
 * @returns The regularizer.
 *
 * @example Penalty and proximal forms
 * ```ts
 * import { l1 } from "./l1.ts";
 * import { Tensor, tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const params = { weight: tensor([0.5, -0.05, -2]), bias: tensor([3]) };
 * assert.equal(l1({ lambda: 0.1 }).penalty!(params).item(), 0.1 * 2.55);
 *
 * const prox = l1({ lambda: 0.1, proximal: true });
 * const { params: out } = prox.project!(params, null, { step: 1, learningRate: 1 });
 * assert.deepEqual(Array.from((out as { weight: Tensor }).weight.data, (v) => +v.toFixed(12)), [0.4, 0, -1.9]);
 * ```
 */
export function l1(options: L1Options = {}): Regularizer {
  const owner = 'regularizer "l1"';
  checkKeys(owner, options, ["lambda", "includeBiases", "proximal"]);
  const lambda = checkNumber(owner, "lambda", options.lambda, 0.01, { min: 0 });
  const includeBiases = checkBoolean(owner, "includeBiases", options.includeBiases, false);
  const proximal = checkBoolean(owner, "proximal", options.proximal, false);
  const selected = (path: string) => includeBiases || !isBiasPath(path);
  if (proximal) {
    return {
      project(params: Tree, state, context: ProjectContext) {
        const threshold = stepSize(owner, context) * lambda;
        const leaves = flattenTree(params).map(([path, t]) => selected(path) ? softThreshold(t, threshold) : t);
        return { params: unflattenTree(params, leaves), state };
      },
    };
  }
  return {
    penalty(params) {
      let total: Tensor | null = null;
      for (const [path, t] of flattenTree(params)) {
        if (!selected(path)) continue;
        const term = sum(abs(t));
        total = total === null ? term : add(total, term);
      }
      return total === null ? full([], 0) : mul(total, lambda);
    },
  };
}

/** Registers {@linkcode l1} as regularizer "l1". */
const plugin: Plugin<"regularizer", L1Options> = {
  apiVersion: 1,
  kind: "regularizer",
  name: "l1",
  description: "Penalty λ‖θ‖₁ (subgradient), or soft-thresholding θ ← sign(θ)·max(|θ| − ελ, 0) with proximal.",
  defaults: { lambda: 0.01, includeBiases: false, proximal: false },
  create: l1,
};
export default plugin;
