/**
 * Trees of tensors stored as a JSON skeleton plus tensors named by their tree
 * paths (`0.weight`), the names PyTorch-style tools expect in a safetensors file.
 *
 * @module
 */

import type { StateValue } from "../core/interfaces.ts";
import type { Tensor } from "../core/tensor.ts";
import type { Tree } from "../core/tree.ts";
import { decodeState, encodeState, type JsonValue } from "./serialize.ts";

/** A tree split into its JSON skeleton and its tensors named by path. */
export interface NamedTree {
  /** The structure, with `{ $tensor, dtype, shape }` at each leaf. */
  json: JsonValue;
  /** `[path, tensor]`, the path being the leaf's dotted path (`fallback` for a lone tensor). */
  tensors: [string, Tensor][];
}

/**
 * Splits a tree into a skeleton and path-named tensors.
 *
 * @param tree The tree.
 * @param fallback The name of a lone tensor at the root (whose path is empty).
 * @returns `{ json, tensors }`.
 *
 * @example
 * ```ts
 * import { _splitTree } from "./_named_tree.ts";
 * import { tensor } from "../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(_splitTree([{ weight: tensor([1]) }], "params").tensors.map(([n]) => n), ["0.weight"]);
 * ```
 */
export function _splitTree(tree: Tree, fallback: string): NamedTree {
  const { json, tensors } = encodeState(tree as StateValue, { prefix: fallback });
  return {
    json,
    tensors: tensors.map(([name, t]) => [name === fallback ? fallback : name.slice(fallback.length + 1), t]),
  };
}

/**
 * Rebuilds a tree from {@linkcode _splitTree}'s skeleton and the path-named tensors.
 *
 * @param json The skeleton.
 * @param fallback The name used for a lone root tensor.
 * @param tensors The tensors by path.
 * @returns The tree.
 * @throws {TypeError | RangeError} When a tensor is missing or has another shape or dtype (from `decodeState`).
 *
 * @example
 * ```ts
 * import { _joinTree, _splitTree } from "./_named_tree.ts";
 * import { tensor, type Tensor } from "../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const { json, tensors } = _splitTree({ w: tensor([2]) }, "params");
 * assert.equal((_joinTree(json, "params", new Map(tensors)) as { w: Tensor }).w.data[0], 2);
 * ```
 */
export function _joinTree(json: JsonValue, fallback: string, tensors: ReadonlyMap<string, Tensor>): Tree {
  const named = new Map<string, Tensor>();
  for (const [path, t] of tensors) named.set(path === fallback ? fallback : `${fallback}.${path}`, t);
  return decodeState(json, named) as Tree;
}
