/**
 * Composition of layers into a model.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import type { Tree } from "../../core/tree.ts";

/** Options for {@linkcode sequential}. */
export interface SequentialOptions {
  /** The layers, applied in order. */
  layers: readonly Layer[];
}

/**
 * Chains layers: the output of each is the input of the next. Parameters and
 * state are arrays with one entry per layer (`params[0].weight`, …), so a
 * checkpoint names them `0.weight`, `1.bias` and so on.
 *
 * A model need not be a stack: any function of ops over named parameters is
 * a valid model for `grad` and the trainer (a DAG with skips, say).
 *
 * @param layers The layers, or `{ layers }`.
 * @returns The composed layer.
 * @throws {TypeError} When an entry is not a layer (its position is named).
 *
 * @example
 * ```ts
 * import { sequential } from "./sequential.ts";
 * import { dense } from "./dense.ts";
 * import { sigmoid } from "./sigmoid.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const model = sequential([dense({ units: 3 }), sigmoid(), dense({ units: 1 })]);
 * const { params, state, outputShape } = model.init([2], new Random(1));
 * assert.deepEqual(outputShape, [1]);
 * assert.deepEqual(model.apply(params, state, tensor([[0, 1]]), { training: false }).output.shape, [1, 1]);
 * ```
 */
export function sequential(layers: readonly Layer[] | SequentialOptions): Layer<Tree[], Tree[]> {
  const list = Array.isArray(layers) ? layers : (layers as SequentialOptions)?.layers;
  if (!Array.isArray(list)) {
    throw new TypeError(
      `Cannot create layer "sequential" as layers must be an array of layers: current value is ${typeof list}`,
    );
  }
  list.forEach((layer, i) => {
    if (typeof layer?.init !== "function" || typeof layer?.apply !== "function") {
      throw new TypeError(
        `Cannot create layer "sequential" as layers[${i}] must be a layer with init() and apply(): current value is ${typeof layer}`,
      );
    }
  });
  return {
    init(inputShape, rng) {
      const params: Tree[] = [], state: Tree[] = [];
      let shape = [...inputShape];
      for (const layer of list) {
        const r = layer.init(shape, rng);
        params.push(r.params);
        state.push(r.state);
        shape = r.outputShape;
      }
      return { params, state, outputShape: shape };
    },
    apply(params, state, input, context) {
      let x = input;
      const next: Tree[] = [];
      list.forEach((layer, i) => {
        const r = layer.apply(params[i], state[i], x, context);
        x = r.output;
        next.push(r.state);
      });
      return { output: x, state: next };
    },
  };
}

/** Registers {@linkcode sequential} as layer "sequential". */
const plugin: Plugin<"layer", SequentialOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "sequential",
  description: "Chains layers in order.",
  defaults: {},
  create: (options) => sequential(options as SequentialOptions) as unknown as Layer,
};
export default plugin;
