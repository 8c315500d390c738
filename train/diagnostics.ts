/**
 * Training diagnostics for seed 000's vanishing and exploding gradients:
 * per-layer gradient norms, and finding the first non-finite value.
 *
 * @module
 */

import { getBackend, jsBackend } from "../core/backend.ts";
import type { TypedArray } from "../core/tensor.ts";
import { flattenTree, type Tree } from "../core/tree.ts";
import type { History } from "./history.ts";

/**
 * The layer a parameter path belongs to: the path without its last segment
 * (`"2.weight"` → `"2"`, `"encoder.0.bias"` → `"encoder.0"`); a top-level
 * parameter is its own layer.
 *
 * @param path A dotted parameter path.
 * @returns The layer's path.
 *
 * @example
 * ```ts
 * import { layerOf } from "./diagnostics.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(layerOf("2.weight"), "2");
 * assert.equal(layerOf("w"), "w");
 * ```
 */
export function layerOf(path: string): string {
  const i = path.lastIndexOf(".");
  return i === -1 ? path : path.slice(0, i);
}

/**
 * The Euclidean norm of each layer's gradient, ‖∂J/∂θ_layer‖₂ over all of the
 * layer's parameters: watching them across layers shows gradients vanishing
 * (tiny norms in the first layers of a deep sigmoid net) or exploding.
 *
 * @param grads The gradient tree.
 * @returns `{ layerPath: norm }`, in parameter order.
 *
 * @example
 * ```ts
 * import { gradientNorms } from "./diagnostics.ts";
 * import { tensor } from "../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const norms = gradientNorms([{ weight: tensor([3]), bias: tensor([4]) }, {}, { weight: tensor([0]) }]);
 * assert.deepEqual(norms, { "0": 5, "2": 0 });
 * ```
 */
export function gradientNorms(grads: Tree): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const [path, g] of flattenTree(grads)) {
    const layer = layerOf(path) || "params";
    let s = sums[layer] ?? 0;
    for (let i = 0; i < g.size; i++) s += g.data[i] * g.data[i];
    sums[layer] = s;
  }
  for (const key of Object.keys(sums)) sums[key] = Math.sqrt(sums[key]);
  return sums;
}

/** Where a tree first holds a non-finite value. */
export interface NonFiniteValue {
  /** The leaf's dotted path (`""` for a lone tensor). */
  path: string;
  /** The element's flat index in the leaf. */
  index: number;
  /** The value: NaN, Infinity or −Infinity. */
  value: number;
}

/**
 * Finds the first NaN or infinite element of a tree, in flatten order.
 *
 * @param tree The tree.
 * @returns Its path, index and value, or `null` when every element is finite.
 *
 * @example
 * ```ts
 * import { findNonFinite } from "./diagnostics.ts";
 * import { tensor } from "../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(findNonFinite({ a: tensor([1]), b: tensor([2, NaN]) }), { path: "b", index: 1, value: NaN });
 * assert.equal(findNonFinite({ a: tensor([1]) }), null);
 * ```
 */
export function findNonFinite(tree: Tree): NonFiniteValue | null {
  for (const [path, t] of flattenTree(tree)) {
    const i = firstNonFinite(t.data);
    if (i !== -1) return { path, index: i, value: t.data[i] };
  }
  return null;
}

/**
 * The index of the first NaN or infinite element of an array, or −1 when every element is finite. The trainer
 * asks it of every gradient and the new parameters at every step, so the common case is one pass of the active
 * backend's `allFinite` kernel (WebAssembly SIMD on the default backend); only when it fails is the element
 * searched for.
 *
 * @param data The elements.
 * @returns The index, or −1.
 *
 * @example
 * ```ts
 * import { firstNonFinite } from "./diagnostics.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(firstNonFinite(new Float32Array([1, -0, 3e38])), -1);
 * assert.equal(firstNonFinite(new Float64Array([1, 2, 3, 4, -Infinity, NaN])), 4);
 * ```
 */
export function firstNonFinite(data: TypedArray): number {
  const backend = getBackend();
  if ((backend.allFinite ?? jsBackend.allFinite!)(data)) return -1;
  for (let i = 0, n = data.length; i < n; i++) {
    const v = data[i];
    if (v - v !== 0) return i;
  }
  return -1;
}

/**
 * Whether every element of a tree is finite: one pass of the active backend's
 * `allFinite` kernel per leaf, fast enough to run after every update (tens of
 * µs for 100 000 parameters); {@linkcode findNonFinite} then says where.
 *
 * @param tree The tree.
 * @returns `true` when no element is NaN or infinite.
 *
 * @example
 * ```ts
 * import { allFinite } from "./diagnostics.ts";
 * import { tensor } from "../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(allFinite({ a: tensor([1, -1e308]) }), true);
 * assert.equal(allFinite({ a: tensor([1]), b: tensor([Infinity]) }), false);
 * ```
 */
export function allFinite(tree: Tree): boolean {
  for (const [, t] of flattenTree(tree)) if (firstNonFinite(t.data) !== -1) return false;
  return true;
}

/**
 * The error `train` throws when the loss, a gradient or a parameter stops
 * being finite: the run stops at once (not after an epoch of NaN, and before
 * anything non-finite is checkpointed) and says where.
 *
 * @example Catch it and look at the history so far
 * ```ts
 * import { NonFiniteError } from "./diagnostics.ts";
 * import { train } from "./train.ts";
 * import { twoGaussians } from "./data/two_gaussians.ts";
 * import assert from "node:assert/strict";
 *
 * const error = await train({
 *   model: { name: "dense", units: 1 }, loss: "mse", optimizer: { name: "sgd", learningRate: 1e30 },
 *   data: twoGaussians({ samples: 8 }), epochs: 20, batchSize: 4,
 * }).catch((e) => e);
 * assert.ok(error instanceof NonFiniteError);
 * assert.match(error.message, /^Cannot train as the loss became Infinity at step \d+/);
 * assert.ok(error.history.epochs.length < 20);
 * ```
 */
export class NonFiniteError extends RangeError {
  /** The update during which it happened, from 1. */
  readonly step: number;
  /** The epoch, from 1. */
  readonly epoch: number;
  /** The parameter path involved (`"2.weight"`), or `null` when the loss alone is at fault. */
  readonly path: string | null;
  /** The records up to the last completed epoch (and step). */
  readonly history: History;

  /**
   * Creates the error.
   *
   * @param message The full message.
   * @param details `step`, `epoch`, `path` and `history`.
   */
  constructor(message: string, details: { step: number; epoch: number; path: string | null; history: History }) {
    super(message);
    this.name = "NonFiniteError";
    this.step = details.step;
    this.epoch = details.epoch;
    this.path = details.path;
    this.history = details.history;
  }
}
