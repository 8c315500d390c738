/**
 * Trees of tensors: how parameters, gradients and optimizer states are held.
 * A tree is a tensor, an array of trees, or a record of named trees, like a
 * JAX pytree. Paths name the leaves (`"layers.0.weight"`) for checkpoints.
 *
 * @module
 */

import { getBackend } from "./backend.ts";
import { add } from "./ops/elementwise.ts";
import { exclusiveMemory, shapesEqual, Tensor } from "./tensor.ts";

/** A tensor, or arrays and records nesting tensors. */
export type Tree = Tensor | readonly Tree[] | { readonly [key: string]: Tree };

/**
 * The leaves of a tree with their dotted paths, in a stable order (array
 * order, then record keys in insertion order).
 *
 * @param tree The tree.
 * @returns `[path, tensor]` pairs; a lone tensor has the path `""`.
 * @throws {TypeError} When a leaf is not a tensor (the path is named).
 *
 * @example
 * ```ts
 * import { flattenTree } from "./tree.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const paths = flattenTree({ w: tensor([1]), layers: [{ b: tensor([2]) }] }).map(([p]) => p);
 * assert.deepEqual(paths, ["w", "layers.0.b"]);
 * ```
 */
export function flattenTree(tree: Tree): [string, Tensor][] {
  const out: [string, Tensor][] = [];
  const visit = (node: unknown, path: string): void => {
    if (node instanceof Tensor) out.push([path, node]);
    else if (Array.isArray(node)) node.forEach((child, i) => visit(child, path === "" ? `${i}` : `${path}.${i}`));
    else if (node !== null && typeof node === "object") {
      for (const [key, child] of Object.entries(node)) visit(child, path === "" ? key : `${path}.${key}`);
    } else {
      throw new TypeError(
        `Cannot read a tree of tensors as every leaf must be a Tensor: leaf "${path}" is ${
          node === null ? "null" : typeof node
        }`,
      );
    }
  };
  visit(tree, "");
  return out;
}

/**
 * The tensors of a tree, in the order of {@linkcode flattenTree}.
 *
 * @param tree The tree.
 * @returns The leaves.
 *
 * @example
 * ```ts
 * import { treeLeaves } from "./tree.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(treeLeaves({ a: tensor([1]), b: [tensor([2]), tensor([3])] }).length, 3);
 * ```
 */
export function treeLeaves(tree: Tree): Tensor[] {
  return flattenTree(tree).map(([, t]) => t);
}

/**
 * Applies `fn` to every leaf, keeping the structure. With more trees, `fn`
 * gets the matching leaf of each; their structures must agree.
 *
 * @param fn Maps the leaves at one position (and its path) to a new tensor.
 * @param tree The tree that gives the structure.
 * @param others Trees of the same structure.
 * @returns A new tree.
 * @throws {TypeError} When the structures differ (the path is named).
 *
 * @example Add two trees leaf by leaf
 * ```ts
 * import { treeMap } from "./tree.ts";
 * import { add } from "./ops/mod.ts";
 * import { tensor, Tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const s = treeMap((a, b) => add(a, b!), { w: tensor([1]) }, { w: tensor([2]) }) as { w: Tensor };
 * assert.deepEqual(s.w.toArray(), [3]);
 * ```
 */
export function treeMap<T extends Tree>(
  fn: (leaf: Tensor, ...rest: (Tensor | undefined)[]) => Tensor,
  tree: T,
  ...others: Tree[]
): T {
  const walk = (node: unknown, rest: unknown[], path: string): unknown => {
    if (node instanceof Tensor) {
      rest.forEach((r, i) => {
        if (!(r instanceof Tensor)) {
          throw new TypeError(`Cannot map over trees of different structure: tree ${i + 1} has no tensor at "${path}"`);
        }
      });
      return fn(node, ...(rest as Tensor[]));
    }
    if (Array.isArray(node)) {
      rest.forEach((r, i) => {
        if (!Array.isArray(r) || r.length !== node.length) {
          throw new TypeError(`Cannot map over trees of different structure: tree ${i + 1} differs at "${path}"`);
        }
      });
      return node.map((child, j) =>
        walk(child, rest.map((r) => (r as unknown[])[j]), path === "" ? `${j}` : `${path}.${j}`)
      );
    }
    if (node !== null && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) {
        const sub = rest.map((r, i) => {
          if (r === null || typeof r !== "object" || !(key in r)) {
            throw new TypeError(
              `Cannot map over trees of different structure: tree ${i + 1} has no "${
                path === "" ? key : `${path}.${key}`
              }"`,
            );
          }
          return (r as Record<string, unknown>)[key];
        });
        out[key] = walk(child, sub, path === "" ? key : `${path}.${key}`);
      }
      return out;
    }
    throw new TypeError(
      `Cannot map over a tree as every leaf must be a Tensor: leaf "${path}" is ${
        node === null ? "null" : typeof node
      }`,
    );
  };
  return walk(tree, others, "") as T;
}

/**
 * Rebuilds a tree of the structure of `like` from leaves in flatten order.
 *
 * @param like A tree giving the structure.
 * @param leaves One tensor per leaf of `like`.
 * @returns A new tree.
 * @throws {RangeError} When the number of leaves differs.
 *
 * @example
 * ```ts
 * import { unflattenTree } from "./tree.ts";
 * import { tensor, Tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const t = unflattenTree({ a: tensor([0]) }, [tensor([5])]) as { a: Tensor };
 * assert.deepEqual(t.a.toArray(), [5]);
 * ```
 */
export function unflattenTree<T extends Tree>(like: T, leaves: readonly Tensor[]): T {
  const count = treeLeaves(like).length;
  if (count !== leaves.length) {
    throw new RangeError(`Cannot rebuild a tree of ${count} leaves from ${leaves.length} tensors`);
  }
  let i = 0;
  return treeMap(() => leaves[i++], like);
}

/** Options of {@linkcode applyUpdates}. */
export interface ApplyUpdatesOptions {
  /**
   * The caller donates `params` (it will not read the old values again, and
   * nothing it keeps shares their buffers): each sum is written over its
   * parameter and the same tensors come back, so the step allocates nothing.
   * A leaf is still added out of place when its buffer overlaps another
   * leaf's or an update's, or while it is being traced. @default {false}
   */
  donate?: boolean;
}

/**
 * Adds optimizer updates to parameters, leaf by leaf: `θ ← θ + u` (Optax's
 * `apply_updates`). Each update must have its parameter's shape and dtype
 * exactly: nothing is broadcast or cast (a scalar update for a matrix is an
 * error, not a shift of every weight). With `donate`,
 * the sums are written into the parameters' own buffers (what PyTorch's
 * `p.add_(u)` does); the values are the same either way.
 *
 * @param params The parameters.
 * @param updates The updates, with the same structure.
 * @param options `donate`.
 * @returns New parameters, or the donated ones updated in place.
 * @throws {RangeError} When an update's shape or dtype differs from its parameter's (naming the path).
 * @throws {TypeError} When the structures differ.
 *
 * @example
 * ```ts
 * import { applyUpdates } from "./tree.ts";
 * import { tensor, Tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const p = applyUpdates({ w: tensor([1, 2]) }, { w: tensor([0.5, -1]) }) as { w: Tensor };
 * assert.deepEqual(p.w.toArray(), [1.5, 1]);
 * assert.throws(() => applyUpdates({ w: tensor([1, 2]) }, { w: tensor(0.5) }), /update of "w" must have its parameter's shape/);
 * ```
 *
 * @example Donated parameters are updated in place
 * ```ts
 * import { applyUpdates } from "./tree.ts";
 * import { tensor, Tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const params = { w: tensor([1, 2]) };
 * const next = applyUpdates(params, { w: tensor([0.5, -1]) }, { donate: true }) as { w: Tensor };
 * assert.equal(next.w, params.w);
 * assert.deepEqual(params.w.toArray(), [1.5, 1]);
 * ```
 */
export function applyUpdates<T extends Tree>(params: T, updates: Tree, options: ApplyUpdatesOptions = {}): T {
  const byPath = new Map(flattenTree(updates));
  for (const [path, p] of flattenTree(params)) {
    const u = byPath.get(path);
    if (u !== undefined && (u.dtype !== p.dtype || !shapesEqual(u.shape, p.shape))) {
      throw new RangeError(
        `Cannot apply updates as the update of "${path}" must have its parameter's shape and dtype exactly: current value is [${u.shape}] (${u.dtype}) for a parameter of [${p.shape}] (${p.dtype})`,
      );
    }
  }
  if (options.donate !== true) return treeMap((p, u) => add(p, u!), params, updates);
  const leaves = treeLeaves(params);
  const own = exclusiveMemory([...leaves, ...treeLeaves(updates)]);
  let leaf = 0;
  return treeMap(
    (p, u) => {
      const inPlace = own[leaf++] && p._node === null && u!._node === null;
      if (!inPlace) return add(p, u!);
      getBackend().binary("add", p.data, p.shape, u!.data, u!.shape, p.data, p.shape);
      return p;
    },
    params,
    updates,
  );
}
