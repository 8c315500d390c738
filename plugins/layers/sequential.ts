/**
 * Composition of layers into a model.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { checkKeys } from "../../core/options.ts";
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
 * a valid model for `grad` and the trainer (a DAG with skips, say; see the
 * second example). Layers are then building blocks whose `init` and `apply`
 * the function calls itself.
 *
 * The context (training mode, generator) is passed to every layer unchanged,
 * so stochastic layers share one generator and draw from it in layer order.
 *
 * @param layers The layers, or `{ layers }` (the registry's form).
 * @returns The composed layer.
 * @throws {TypeError} When an entry is not a layer (its position is named), or for an unknown option;
 *   at `apply`, when params or state are not arrays with one entry per layer.
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
 *
 * @example A model that is not a stack: a plain function of ops with a skip connection, trained with grad
 * ```ts
 * import { dense } from "./dense.ts";
 * import { tanh } from "./tanh.ts";
 * import { grad } from "../../core/autodiff.ts";
 * import { add, mean, mul, square, sub } from "../../core/ops/mod.ts";
 * import { Random } from "../../core/random.ts";
 * import { type Tensor, tensor } from "../../core/tensor.ts";
 * import { applyUpdates, treeMap } from "../../core/tree.ts";
 * import assert from "node:assert/strict";
 *
 * // y = x + W₂·tanh(W₁·x + b₁) + b₂: the input reaches the output by two paths.
 * const hidden = dense({ units: 8 }), out = dense({ units: 2 }), act = tanh();
 * const rng = new Random(0);
 * let params = { hidden: hidden.init([2], rng).params, out: out.init([8], rng).params };
 * const model = (p: typeof params, x: Tensor) => {
 *   const h = act.apply({}, {}, hidden.apply(p.hidden, {}, x, { training: true }).output, { training: true }).output;
 *   return add(x, out.apply(p.out, {}, h, { training: true }).output);
 * };
 * const x = tensor([[0, 1], [1, 0], [1, 1], [-1, 0.5]]);
 * const y = tensor([[0.5, 1], [1, 0.5], [1.5, 1.5], [-1, 0]]);
 * const loss = (p: typeof params) => mean(square(sub(model(p, x), y)));
 * const before = loss(params).item();
 * for (let step = 0; step < 100; step++) {
 *   params = applyUpdates(params, treeMap((g) => mul(g, -0.1), grad(loss)(params)));
 * }
 * assert.ok(loss(params).item() < before / 10);
 * ```
 */
export function sequential(layers: readonly Layer[] | SequentialOptions): Layer<Tree[], Tree[]> {
  const owner = 'layer "sequential"';
  if (!Array.isArray(layers)) checkKeys(owner, layers, ["layers"]);
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
      for (const [what, value] of [["params", params], ["state", state]] as const) {
        if (!Array.isArray(value) || value.length !== list.length) {
          throw new TypeError(
            `Cannot apply ${owner} as ${what} must be an array with one entry per layer (${list.length}): current value is ${
              Array.isArray(value) ? `an array of ${value.length}` : typeof value
            }`,
          );
        }
      }
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
  required: { layers: "an array of layers, applied in order" },
  create: (options) => sequential(options as SequentialOptions) as unknown as Layer,
};
export default plugin;
