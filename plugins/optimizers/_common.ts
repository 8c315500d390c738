/**
 * Small pieces the first-order optimizers share: PyTorch's `lerp`, coupled
 * weight decay, state trees of zeros, and reading a schedule safely.
 *
 * @module
 */

import type { Scheduler } from "../../core/interfaces.ts";
import { add, mul, sub } from "../../core/ops/mod.ts";
import { getBackend } from "../../core/backend.ts";
import { allocate, full, shapesEqual, Tensor } from "../../core/tensor.ts";
import { flattenTree, type Tree, treeMap } from "../../core/tree.ts";

/**
 * `a + w·(b − a)`, computed as PyTorch's `torch.lerp` computes it (for
 * `|w| < 0.5` as written, otherwise `b − (b − a)·(1 − w)`), so running means
 * written with `lerp_` in `torch.optim` round the same way here.
 *
 * @param a The start (the old mean).
 * @param b The end (the new value).
 * @param w The weight of `b`.
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { lerp } from "./_common.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(lerp(tensor([0, 10]), tensor([10, 20]), 0.1).toArray(), [1, 11]);
 * ```
 */
export function lerp(a: Tensor, b: Tensor, w: number): Tensor {
  const diff = sub(b, a);
  return Math.abs(w) < 0.5 ? add(a, mul(diff, w)) : sub(b, mul(diff, 1 - w));
}

/**
 * Zeros with the structure, shapes and dtypes of `like`, in memory that the
 * active backend's kernels use without copying where it offers some
 * (`Backend.allocate`: the wasm and blas backends' WebAssembly memory, for
 * float32), else in ordinary arrays: for optimizer state that a fused kernel
 * updates in place every step (Adam's moments).
 *
 * @param like The tree to mirror.
 * @returns A tree of zero tensors.
 *
 * @example
 * ```ts
 * import { kernelZerosLike } from "./_common.ts";
 * import { tensor, type Tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const z = kernelZerosLike({ w: tensor([1, 2], [2], "float32") }) as { w: Tensor };
 * assert.deepEqual([...z.w.data], [0, 0]);
 * assert.equal(z.w.dtype, "float32");
 * ```
 */
export function kernelZerosLike<T extends Tree>(like: T): T {
  const backend = getBackend();
  return treeMap((p) => new Tensor(backend.allocate?.(p.dtype, p.size) ?? allocate(p.dtype, p.size), p.shape), like);
}

/**
 * A tree of the structure of `like` whose leaves are filled with `value`,
 * each with its leaf's shape and dtype (`torch.full_like`).
 *
 * @param like The tree giving structure, shapes and dtypes.
 * @param value The fill value. @default {0}
 * @returns A new tree.
 *
 * @example
 * ```ts
 * import { fullLike } from "./_common.ts";
 * import { tensor, type Tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const z = fullLike({ w: tensor([1, 2]) }) as { w: Tensor };
 * assert.deepEqual(z.w.toArray(), [0, 0]);
 * ```
 */
export function fullLike<T extends Tree>(like: T, value = 0): T {
  return treeMap((p) => full(p.shape, value, p.dtype), like);
}

/**
 * PyTorch's coupled weight decay (an L2 penalty λ/2·‖θ‖² folded into the
 * gradient): `g ← g + λθ`, leaf by leaf. Returns `grads` itself when λ = 0.
 *
 * @param grads The gradients.
 * @param params The parameters, of the same structure.
 * @param weightDecay The coefficient λ.
 * @returns The decayed gradients.
 *
 * @example
 * ```ts
 * import { coupledWeightDecay } from "./_common.ts";
 * import { tensor, type Tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const g = coupledWeightDecay(tensor([1, 1]), tensor([10, -10]), 0.1) as Tensor;
 * assert.deepEqual(g.toArray(), [2, 0]);
 * ```
 */
export function coupledWeightDecay<T extends Tree>(grads: T, params: Tree, weightDecay: number): T {
  if (weightDecay === 0) return grads;
  return treeMap((g, p) => add(g, mul(p!, weightDecay)), grads, params);
}

/**
 * The learning rate of an update, read from its schedule and checked, so a
 * schedule that returns a negative or non-finite value fails with a clear
 * message instead of silently walking uphill.
 *
 * @param owner Who is asking, e.g. `optimizer "adam"`.
 * @param schedule The learning-rate schedule.
 * @param step The number of updates made before this one (0 for the first).
 * @returns The learning rate.
 * @throws {RangeError} When the schedule gives a negative or non-finite value.
 *
 * @example
 * ```ts
 * import { rateAt } from "./_common.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(rateAt('optimizer "adam"', (k) => 1 / (k + 1), 1), 0.5);
 * assert.throws(() => rateAt('optimizer "adam"', () => -1, 0), RangeError);
 * ```
 */
export function rateAt(owner: string, schedule: Scheduler, step: number): number {
  const rate = schedule(step);
  if (typeof rate !== "number" || !Number.isFinite(rate) || rate < 0) {
    throw new RangeError(
      `Cannot update ${owner} as the learning rate at step ${step} must be a non-negative finite number: current value is ${rate}`,
    );
  }
  return rate;
}

/**
 * Checks that a tree (a gradient, or a buffer of the optimizer's state) has
 * the structure and leaf shapes of a reference tree, before any arithmetic:
 * ops broadcast, so a state restored for another model would otherwise be
 * combined silently with the wrong gradients.
 *
 * @param owner Who is asking, e.g. `optimizer "adam"`.
 * @param what What is checked, e.g. `state m`.
 * @param tree The tree to check (`null` when a buffer is missing).
 * @param like The reference tree.
 * @param likeWhat What the reference is, e.g. `the gradient`.
 * @throws {RangeError} Naming the path and both shapes, or the missing buffer.
 *
 * @example
 * ```ts
 * import { checkShapes } from "./_common.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * checkShapes('optimizer "adam"', "state m", { w: tensor([0, 0]) }, { w: tensor([1, 2]) }, "the gradient");
 * assert.throws(
 *   () => checkShapes('optimizer "adam"', "state m", { w: tensor([0]) }, { w: tensor([1, 2]) }, "the gradient"),
 *   { message: 'Cannot update optimizer "adam" as state m "w" must have the shape of the gradient [2]: current shape is [1]' },
 * );
 * ```
 */
export function checkShapes(owner: string, what: string, tree: Tree | null, like: Tree, likeWhat: string): void {
  if (tree === null || typeof tree !== "object") {
    throw new RangeError(
      `Cannot update ${owner} as ${what} must be tensors shaped like ${likeWhat} (was the state made by another configuration?): current value is ${tree}`,
    );
  }
  const a = flattenTree(tree), b = flattenTree(like);
  if (a.length !== b.length) {
    throw new RangeError(
      `Cannot update ${owner} as ${what} must have as many tensors as ${likeWhat} (${b.length}): current count is ${a.length}`,
    );
  }
  for (let i = 0; i < a.length; i++) {
    const [path, t] = a[i], [expectedPath, e] = b[i];
    if (path !== expectedPath) {
      throw new RangeError(
        `Cannot update ${owner} as ${what} must have the structure of ${likeWhat}: found "${path}" where "${expectedPath}" is expected`,
      );
    }
    if (!shapesEqual(t.shape, e.shape)) {
      const at = path === "" ? "" : ` "${path}"`;
      throw new RangeError(
        `Cannot update ${owner} as ${what}${at} must have the shape of ${likeWhat} [${
          e.shape.join(", ")
        }]: current shape is [${t.shape.join(", ")}]`,
      );
    }
  }
}
