/**
 * The fully connected layer.
 *
 * @module
 */

import type { Initializer, Layer, Plugin } from "../../core/interfaces.ts";
import { linear } from "../../core/ops/fused.ts";
import { matmul, relu, reshape, transpose } from "../../core/ops/mod.ts";
import { checkBoolean, checkChoice, checkKeys, checkNumber } from "../../core/options.ts";
import { type DType, type Tensor, tensorTooLarge } from "../../core/tensor.ts";
import { resolveInitializer } from "../initializers/mod.ts";

/** Options for {@linkcode dense}. */
export interface DenseOptions {
  /** The number of outputs per sample. Required. */
  units: number;
  /** Add a learned bias. @default {true} */
  useBias?: boolean;
  /** The weight initializer: a function, a built-in name, or `{ name, ...options }`. @default {"xavier-uniform"} */
  initializer?: Initializer | string | { name: string; [option: string]: unknown };
  /** The bias initializer. @default {"zeros"} */
  biasInitializer?: Initializer | string | { name: string; [option: string]: unknown };
  /**
   * The parameters' dtype. @default {the inputs' dtype: `init`'s `context.dtype` (the training data's, in `train`),
   * float64 when not given}
   */
  dtype?: DType;
  /**
   * Applied to `x·W + b` in the same pass: `"none"` (a linear layer) or
   * `"relu"` (the same values as a `relu` layer after it, computed without a
   * separate pass or buffer). @default {"none"}
   */
  activation?: "none" | "relu";
  /**
   * How the weight is stored: `"in-out"`, `[inputs, units]` (Keras's and TF.js's kernel), or
   * `"out-in"`, `[units, inputs]` (PyTorch's `nn.Linear` weight, so a saved model's tensors load into
   * PyTorch as they are). The same seed gives the same function either way: the initializer draws
   * `[inputs, units]`, and `"out-in"` stores its transpose. @default {"in-out"}
   */
  weightLayout?: "in-out" | "out-in";
}

/** Parameters of a dense layer. */
export type DenseParams = { weight: Tensor; bias: Tensor } | { weight: Tensor };

/**
 * A fully connected layer: `y = x·W + b`, with `W` of shape `[inputs, units]`
 * (seed 002's `z = w·a + b`, batched). Inputs of rank above 2 are flattened
 * after the batch axis. With `activation: "relu"` it is `y = φ(x·W + b)`, seed
 * 002's `a^l = σ(W^l a^{l−1} + b^l)` with σ the ReLU φ of seed 000 (Eg1; subgradient
 * 0 at 0, as the `relu` layer), the same as a `relu` layer after it (Keras's
 * `Dense(units, activation="relu")`; PyTorch writes `ReLU()(Linear(...))`).
 *
 * The product, the bias and the activation run as one fused op
 * (`linear` in core/ops/fused.ts: the backend's matmul, then bias and
 * activation in one pass over its output, with a hand-written backward pass
 * that is differentiable again); without a bias, as `matmul` (then `relu`).
 *
 * Differences from PyTorch's `nn.Linear`: the weight is stored transposed
 * (`[in, out]`, as in TF.js and Keras) unless `weightLayout: "out-in"` asks for
 * PyTorch's `[out, in]`, initialized with Xavier/Glorot uniform
 * by default (PyTorch uses Kaiming uniform with a = √5), and the bias starts at
 * zero (PyTorch draws it from U(−1/√in, 1/√in)).
 *
 * @param options `units` (required), `useBias`, `initializer`, `biasInitializer`, `dtype`, `activation`,
 *   `weightLayout`.
 * @returns The layer.
 * @throws {RangeError | TypeError} For a bad option, naming it.
 *
 * @example
 * ```ts
 * import { dense } from "./dense.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = dense({ units: 3 });
 * const { params, state, outputShape } = layer.init([2], new Random(0));
 * assert.deepEqual(outputShape, [3]);
 * const { output } = layer.apply(params, state, tensor([[1, 2]]), { training: false });
 * assert.deepEqual(output.shape, [1, 3]);
 * ```
 *
 * @example Parameters follow the inputs' dtype (`train` gives the data's) unless told otherwise
 * ```ts
 * import { dense } from "./dense.ts";
 * import { Random } from "../../core/random.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(dense({ units: 2 }).init([3], new Random(0), { dtype: "float32" }).params.weight.dtype, "float32");
 * assert.equal(dense({ units: 2 }).init([3], new Random(0)).params.weight.dtype, "float64");
 * assert.equal(dense({ units: 2, dtype: "float64" }).init([3], new Random(0), { dtype: "float32" }).params.weight.dtype, "float64");
 * ```
 *
 * @example The ReLU fused into the layer
 * ```ts
 * import { dense } from "./dense.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = dense({ units: 2, activation: "relu" });
 * const params = { weight: tensor([[1, -1], [2, 1]]), bias: tensor([0, -0.5]) }; // x·W + b = [3, −0.5]
 * const { output } = layer.apply(params, {}, tensor([[1, 1]]), { training: false });
 * assert.deepEqual(output.toArray(), [[3, 0]]);
 * ```
 */
export function dense(options: DenseOptions): Layer<DenseParams, Record<string, never>> {
  const owner = 'layer "dense"';
  checkKeys(owner, options, [
    "units",
    "useBias",
    "initializer",
    "biasInitializer",
    "dtype",
    "activation",
    "weightLayout",
  ]);
  if (options?.units === undefined) {
    throw new TypeError(
      `Cannot create ${owner} as units must be given (a positive integer): current value is undefined`,
    );
  }
  const units = checkNumber(owner, "units", options.units, 1, { min: 1, integer: true });
  const useBias = checkBoolean(owner, "useBias", options.useBias, true);
  const init = resolveInitializer(owner, "initializer", options.initializer ?? "xavier-uniform");
  const biasInit = resolveInitializer(owner, "biasInitializer", options.biasInitializer ?? "zeros");
  const dtype = options.dtype === undefined
    ? undefined
    : checkChoice(owner, "dtype", options.dtype, "float64", ["float32", "float64"] as const);
  const activation = checkChoice(owner, "activation", options.activation, "none", ["none", "relu"] as const);
  const transposed =
    checkChoice(owner, "weightLayout", options.weightLayout, "in-out", ["in-out", "out-in"] as const) === "out-in";
  return {
    init(inputShape, rng, context) {
      const inputs = inputShape.reduce((p, n) => p * n, 1);
      if (inputShape.length === 0 || inputs === 0) {
        throw new RangeError(
          `Cannot initialize ${owner} as the input must have at least one feature: current shape is [${inputShape}]`,
        );
      }
      const type = dtype ?? context?.dtype ?? "float64";
      // Estimated before anything is allocated: units: 1e9 is refused at once, with the bytes it asks for.
      const tooLarge = tensorTooLarge(inputs * units, type);
      if (tooLarge !== null) {
        throw new RangeError(
          `Cannot initialize ${owner} as its weight [${inputs},${units}] (${type}) needs ${tooLarge}: current value of units is ${units}`,
        );
      }
      const drawn = init([inputs, units], rng, type);
      const weight = transposed ? transpose(drawn) : drawn;
      const params = useBias ? { weight, bias: biasInit([units], rng, type) } : { weight };
      return { params, state: {}, outputShape: [units] };
    },
    apply(params, state, input) {
      const inputs = params.weight.shape[transposed ? 1 : 0];
      if (input.rank < 2 || input.size / input.shape[0] !== inputs) {
        throw new RangeError(
          `Cannot apply ${owner} as the input must be [batch, ${inputs}] (features flattened after the batch axis): current shape is [${input.shape}]`,
        );
      }
      const x = input.rank === 2 ? input : reshape(input, [input.shape[0], -1]);
      if ("bias" in params) {
        return { output: linear(x, params.weight, params.bias, { activation, transposeWeight: transposed }), state };
      }
      const y = matmul(x, params.weight, { transposeB: transposed });
      return { output: activation === "relu" ? relu(y) : y, state };
    },
  };
}

/** Registers {@linkcode dense} as layer "dense". */
const plugin: Plugin<"layer", DenseOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "dense",
  description: "Fully connected: y = x·W + b.",
  defaults: {
    useBias: true,
    initializer: "xavier-uniform",
    biasInitializer: "zeros",
    activation: "none",
    weightLayout: "in-out",
  },
  create: (options) => dense(options as DenseOptions) as unknown as Layer,
};
export default plugin;
