/**
 * Inference with a trained model.
 *
 * @module
 */

import type { Layer } from "../core/interfaces.ts";
import { withRecording } from "../core/graph.ts";
import { Tensor, withScratch } from "../core/tensor.ts";
import type { Tree } from "../core/tree.ts";
import { concatRows } from "./data/_rows.ts";

/** A model with its trained parameters and state: what `train` and `loadModel` return. */
export interface TrainedModel {
  /** The layer. */
  model: Layer;
  /** Its parameters. */
  params: Tree;
  /** Its state (running statistics; `{}` or `[]` of empties when none). */
  state: Tree;
}

/** Options of {@linkcode predict}. */
export interface PredictOptions {
  /** Samples per forward pass (bounds memory). @default {1024} */
  batchSize?: number;
}

/**
 * Runs a trained model on inputs in evaluation mode (dropout off, batch
 * normalization on its running statistics), in chunks, without recording a
 * flow graph.
 *
 * @param trained `{ model, params, state }`, e.g. the result of `train` or `loadModel`.
 * @param x Inputs, batch axis first.
 * @param options `batchSize`.
 * @returns The outputs for all samples, batch axis first.
 * @throws {RangeError} When `batchSize` is not a positive integer or `x` has no batch axis.
 *
 * @example
 * ```ts
 * import { predict } from "./predict.ts";
 * import { dense } from "../plugins/layers/dense.ts";
 * import { Random } from "../core/random.ts";
 * import { tensor } from "../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const model = dense({ units: 1 });
 * const { params, state } = model.init([2], new Random(0));
 * const y = predict({ model, params, state }, tensor([[1, 2], [3, 4], [5, 6]]), { batchSize: 2 });
 * assert.deepEqual(y.shape, [3, 1]);
 * ```
 */
export function predict(trained: TrainedModel, x: Tensor, options: PredictOptions = {}): Tensor {
  const batchSize = options.batchSize ?? 1024;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`Cannot predict as batchSize must be a positive integer: current value is ${batchSize}`);
  }
  if (!(x instanceof Tensor) || x.rank < 1) {
    throw new RangeError(`Cannot predict as x must be a tensor with a batch axis: current shape is [${x?.shape}]`);
  }
  const { model, params, state } = trained;
  // Each chunk's intermediate activations go back to the allocator once its output is known.
  const run = (input: Tensor) =>
    withScratch(() => model.apply(params, state, input, { training: false }).output, (out) => [out]);
  return withRecording(false, () => {
    const n = x.shape[0];
    if (n <= batchSize) return run(x);
    const width = x.size / n;
    const parts: Tensor[] = [];
    for (let i = 0; i < n; i += batchSize) {
      const rows = Math.min(batchSize, n - i);
      parts.push(run(new Tensor(x.data.subarray(i * width, (i + rows) * width), [rows, ...x.shape.slice(1)])));
    }
    return concatRows(parts);
  });
}
