/**
 * Residual (skip) connections.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { add } from "../../core/ops/mod.ts";
import type { Tree } from "../../core/tree.ts";
import { sequential, type SequentialOptions } from "./sequential.ts";

/** Options for {@linkcode residual}: the layers of the branch f. */
export type ResidualOptions = SequentialOptions;

/**
 * A residual block `y = x + f(x)` (He, Zhang, Ren and Sun, "Deep Residual
 * Learning", CVPR 2016), where f is the given layers applied in order, so
 * ResNet-style models can be written in an experiment file:
 * `{ "name": "residual", "layers": [{ "name": "conv2d", … }, { "name": "relu" }, …] }`.
 * f must keep the input's shape (a projection shortcut is a model function,
 * not this layer). The gradient reaches x along both paths: ∂L/∂x = ḡ + (∂f/∂x)ᵀḡ.
 * Parameters and state are arrays with one entry per layer, as `sequential`'s,
 * so a checkpoint names them `0.weight`, `1.bias` and so on within the block.
 *
 * @param layers The layers of f, or `{ layers }` (the registry's form).
 * @returns The layer.
 * @throws {TypeError} When an entry is not a layer; at `init`, a RangeError when f changes the shape.
 *
 * @example
 * ```ts
 * import { residual } from "./residual.ts";
 * import { dense } from "./dense.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const block = residual([dense({ units: 2, initializer: "zeros" })]);
 * const { params, state } = block.init([2], new Random(0));
 * const x = tensor([[1, -2]]);
 * assert.deepEqual(block.apply(params, state, x, { training: false }).output.toArray(), [[1, -2]]); // f = 0
 * ```
 */
export function residual(layers: readonly Layer[] | ResidualOptions): Layer<Tree[], Tree[]> {
  const owner = 'layer "residual"';
  let branch: Layer<Tree[], Tree[]>;
  try {
    branch = sequential(layers);
  } catch (error) {
    throw new TypeError((error as Error).message.replaceAll('layer "sequential"', owner));
  }
  return {
    init(inputShape, rng, context) {
      const r = branch.init(inputShape, rng, context);
      if (r.outputShape.join() !== inputShape.join()) {
        throw new RangeError(
          `Cannot initialize ${owner} as its layers must keep the input's shape [${inputShape}] (x + f(x)): current output shape is [${r.outputShape}]`,
        );
      }
      return r;
    },
    apply(params, state, input, context) {
      const r = branch.apply(params, state, input, context);
      if (r.output.shape.join() !== input.shape.join()) {
        throw new RangeError(
          `Cannot apply ${owner} as its layers must keep the input's shape [${input.shape}] (x + f(x)): current output shape is [${r.output.shape}]`,
        );
      }
      return { output: add(input, r.output), state: r.state };
    },
  };
}

/** Registers {@linkcode residual} as layer "residual". */
const plugin: Plugin<"layer", ResidualOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "residual",
  description: "Residual block x + f(x), f the given layers in order (ResNet's skip connection).",
  defaults: {},
  create: (options) => residual(options as ResidualOptions) as unknown as Layer,
};
export default plugin;
