/**
 * A gradient transformation that rescales all gradients together when their
 * global norm is too large.
 *
 * @module
 */

import type { Optimizer, Plugin } from "../../core/interfaces.ts";
import { mul } from "../../core/ops/mod.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { flattenTree, type Tree, treeMap } from "../../core/tree.ts";

/** Options for {@linkcode clipByGlobalNorm}. */
export interface ClipByGlobalNormOptions {
  /** The largest global norm allowed, greater than 0. @default {1} */
  maxNorm?: number;
}

/** State of {@linkcode clipByGlobalNorm}: it keeps nothing. */
export type ClipByGlobalNormState = { readonly [key: string]: never };

/** √(Σ over all leaves of Σ gᵢ²), accumulated in float64 (NaN or Infinity when an element is). */
function globalNorm(tree: Tree): number {
  let total = 0;
  for (const [, t] of flattenTree(tree)) {
    const d = t.data;
    for (let i = 0; i < d.length; i++) total += d[i] * d[i];
  }
  return Math.sqrt(total);
}

/**
 * Clipping by global norm (Pascanu, Mikolov and Bengio 2013, "On the
 * difficulty of training recurrent neural networks"), as Optax's
 * `clip_by_global_norm`. Seed 000 (§19.126.1) describes exploding gradients but
 * prescribes no remedy; this is the usual one. With
 * ‖g‖ = √(Σ_leaves Σ g²),
 *   updates ← g · min(1, maxNorm / ‖g‖)
 * so every leaf is scaled by the same factor and the direction is kept.
 *
 * This is a gradient transformation, not a descent method: its updates are
 * the (clipped) gradients themselves, pointing uphill. Put it first in a
 * `chain` before an optimizer: `chain(clipByGlobalNorm({ maxNorm: 1 }), adam())`.
 *
 * PyTorch clips in place with `torch.nn.utils.clip_grad_norm_`, which scales by
 * min(1, maxNorm / (‖g‖ + 10⁻⁶)); this follows Optax and the formula above, without
 * the 10⁻⁶ (so a norm just above maxNorm is scaled to exactly maxNorm). The norm
 * is accumulated in float64 even for float32 tensors. A non-finite norm is not
 * hidden: NaN gives NaN updates, and an infinite norm zeroes the finite entries.
 *
 * @param options `maxNorm`.
 * @returns The transformation (an {@linkcode Optimizer} whose state is `{}`).
 * @throws {TypeError} For an option of the wrong type or an unknown option.
 * @throws {RangeError} When `maxNorm` is not greater than 0.
 *
 * @example A gradient of norm 10 is scaled to norm 2
 * ```ts
 * import { clipByGlobalNorm } from "./clip_by_global_norm.ts";
 * import { tensor, type Tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const clip = clipByGlobalNorm({ maxNorm: 2 });
 * const grads = { a: tensor([6]), b: tensor([0, 8]) };
 * const { updates } = clip.update(grads, clip.init(grads), grads);
 * const u = updates as { a: Tensor; b: Tensor };
 * assert.deepEqual([u.a.toArray(), u.b.toArray()], [[1.2000000000000002], [0, 1.6]]);
 * ```
 */
export function clipByGlobalNorm(options: ClipByGlobalNormOptions = {}): Optimizer<ClipByGlobalNormState> {
  const owner = 'optimizer "clip-by-global-norm"';
  checkKeys(owner, options, ["maxNorm"]);
  const maxNorm = checkNumber(owner, "maxNorm", options.maxNorm, 1, { min: 0, minExclusive: true });
  return {
    init: () => ({}),
    update(grads, state) {
      const norm = globalNorm(grads);
      if (norm <= maxNorm) return { updates: grads, state };
      const scale = maxNorm / norm; // NaN for a NaN norm, 0 for an infinite one
      return { updates: treeMap((g) => mul(g, scale), grads), state };
    },
  };
}

/** Registers {@linkcode clipByGlobalNorm} as optimizer "clip-by-global-norm". */
const plugin: Plugin<"optimizer", ClipByGlobalNormOptions> = {
  apiVersion: 1,
  kind: "optimizer",
  name: "clip-by-global-norm",
  description: "Transformation: scales all gradients by min(1, maxNorm/‖g‖); chain it before an optimizer.",
  defaults: { maxNorm: 1 },
  create: clipByGlobalNorm as Plugin<"optimizer", ClipByGlobalNormOptions>["create"],
};
export default plugin;
