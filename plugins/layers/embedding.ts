/**
 * The embedding table.
 *
 * @module
 */

import type { Initializer, Layer, Plugin } from "../../core/interfaces.ts";
import { gatherRows } from "../../core/ops/mod.ts";
import { checkChoice, checkKeys, checkNumber } from "../../core/options.ts";
import type { DType, Tensor } from "../../core/tensor.ts";
import { resolveInitializer } from "../initializers/mod.ts";

/** Options for {@linkcode embedding}. */
export interface EmbeddingOptions {
  /** The number of rows: indices are integers in [0, count) (PyTorch's `num_embeddings`). Required. */
  count: number;
  /** The length of each row (PyTorch's `embedding_dim`). Required. */
  dim: number;
  /** The table's initializer. @default {PyTorch's: "normal", N(0, 1)} */
  initializer?: Initializer | string | { name: string; [option: string]: unknown };
  /** The table's dtype. @default {the inputs' dtype: `init`'s `context.dtype` (the training data's, in `train`), float64 when not given} */
  dtype?: DType;
}

/** The parameters of {@linkcode embedding}. */
export interface EmbeddingParams {
  /** The table, `[count, dim]` (PyTorch's `weight`). */
  readonly weight: Tensor;
  /** An index signature, so the value is a plain record (a `Tree`). */
  readonly [key: string]: Tensor;
}

/**
 * A lookup table, as `torch.nn.Embedding(count, dim)`: an input of integer
 * indices of any shape `[batch, …]` gives their rows of the `[count, dim]`
 * table, `[batch, …, dim]` (the first layer of a sequence model over tokens).
 * The indices are tensor values that must be integers in `[0, count)`; any
 * other value is an error naming it and its position. The table's gradient
 * adds each output row's cotangent into the row it came from (rows not looked
 * up get zero); the indices get none. The table starts as N(0, 1) draws, as in
 * PyTorch. Not covered: `padding_idx`, `max_norm` and sparse gradients.
 *
 * @param options `count` and `dim` (required), `initializer`, `dtype`.
 * @returns The layer: params `{ weight }`, no state.
 * @throws {RangeError | TypeError} For a bad option, naming it; at `apply`, for an index that is not an integer in `[0, count)`.
 *
 * @example Two sequences of three tokens each
 * ```ts
 * import { embedding } from "./embedding.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = embedding({ count: 10, dim: 4 });
 * const { params, state, outputShape } = layer.init([3], new Random(0));
 * assert.deepEqual(outputShape, [3, 4]);
 * const { output } = layer.apply(params, state, tensor([[1, 2, 1], [9, 0, 0]]), { training: false });
 * assert.deepEqual(output.shape, [2, 3, 4]);
 * assert.throws(() => layer.apply(params, state, tensor([[10, 0, 0]]), { training: false }), /\[0, 10\).*10/);
 * ```
 */
export function embedding(options: EmbeddingOptions): Layer<EmbeddingParams, Record<string, never>> {
  const owner = 'layer "embedding"';
  checkKeys(owner, options, ["count", "dim", "initializer", "dtype"]);
  for (const required of ["count", "dim"] as const) {
    if (options?.[required] === undefined) {
      throw new TypeError(
        `Cannot create ${owner} as ${required} must be given (a positive integer): current value is undefined`,
      );
    }
  }
  const count = checkNumber(owner, "count", options.count, 1, { min: 1, integer: true });
  const dim = checkNumber(owner, "dim", options.dim, 1, { min: 1, integer: true });
  const init = resolveInitializer(owner, "initializer", options.initializer ?? "normal");
  const dtype = options.dtype === undefined
    ? undefined
    : checkChoice(owner, "dtype", options.dtype, "float64", ["float32", "float64"] as const);
  return {
    init(inputShape, rng, context) {
      const type = dtype ?? context?.dtype ?? "float64";
      return { params: { weight: init([count, dim], rng, type) }, state: {}, outputShape: [...inputShape, dim] };
    },
    apply(params, state, input) {
      const v = input.data;
      for (let i = 0; i < v.length; i++) {
        if (!Number.isInteger(v[i]) || v[i] < 0 || v[i] >= count) {
          throw new RangeError(
            `Cannot apply ${owner} as every index must be an integer in [0, ${count}): current value is ${
              v[i]
            } (element ${i} of the input [${input.shape}])`,
          );
        }
      }
      return { output: gatherRows(params.weight, input), state };
    },
  };
}

/** Registers {@linkcode embedding} as layer "embedding". */
const plugin: Plugin<"layer", EmbeddingOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "embedding",
  description: "Lookup table: integer indices in [0, count) to rows of a [count, dim] weight (PyTorch's Embedding).",
  defaults: { initializer: "normal" },
  create: (options) => embedding(options as EmbeddingOptions) as unknown as Layer,
};
export default plugin;
