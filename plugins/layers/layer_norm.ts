/**
 * Layer normalization.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { add, div, mean, mul, sqrt, square, sub } from "../../core/ops/mod.ts";
import { checkChoice, checkKeys, checkNumber } from "../../core/options.ts";
import { type DType, full, type Tensor } from "../../core/tensor.ts";

/** Options for {@linkcode layerNorm}. */
export interface LayerNormOptions {
  /**
   * How many trailing axes to normalize over, together (PyTorch's
   * `len(normalized_shape)`): 1 for the features of `[batch, features]` or
   * `[batch, time, features]`, 3 for all of `[batch, channels, height, width]`. @default {1}
   */
  axes?: number;
  /** The ε added to the variance before the square root (PyTorch's `eps`). @default {1e-5} */
  epsilon?: number;
  /** The dtype of the weight and bias. @default {the inputs' dtype: `init`'s `context.dtype` (the training data's, in `train`), float64 when not given} */
  dtype?: DType;
}

/** The learned parameters of {@linkcode layerNorm}, of the normalized shape. */
export interface LayerNormParams {
  /** The scale γ (PyTorch's `weight`), initially 1. */
  readonly weight: Tensor;
  /** The shift β (PyTorch's `bias`), initially 0. */
  readonly bias: Tensor;
  /** An index signature, so the value is a plain record (a `Tree`). */
  readonly [key: string]: Tensor;
}

/**
 * Layer normalization (Ba, Kiros and Hinton, arXiv:1607.06450, 2016), as
 * `torch.nn.LayerNorm(normalized_shape, eps=1e-5)`: each sample is normalized
 * over its last `axes` axes, with the same arithmetic in training and
 * evaluation (no running statistics, unlike `batch-norm`):
 *   μ = mean(x),  σ² = mean((x − μ)²) (biased),  y = (x − μ)/√(σ² + ε) · γ + β,
 * the mean and variance over the normalized axes, γ (`weight`, initially 1)
 * and β (`bias`, initially 0) elementwise parameters of the normalized shape.
 * Built from ops, so the gradient flows through μ and σ² to any order.
 * PyTorch names the parameters `weight` and `bias` as here (the `batch-norm`
 * layer keeps the seeds' γ and β).
 *
 * @param options `axes` (default 1), `epsilon` (default 1e-5), `dtype`.
 * @returns The layer: params `{ weight, bias }`, no state; output shape = input shape.
 * @throws {RangeError | TypeError} For a bad option, naming it; at `init`/`apply` when the input has fewer axes
 *   than `axes` after the batch axis, or its trailing shape differs from the parameters'.
 *
 * @example Each row is normalized on its own
 * ```ts
 * import { layerNorm } from "./layer_norm.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = layerNorm({ epsilon: 0 });
 * const { params, state } = layer.init([2], new Random(0));
 * const { output } = layer.apply(params, state, tensor([[1, 3], [10, 0]]), { training: true });
 * assert.deepEqual(output.toArray(), [[-1, 1], [1, -1]]);
 * ```
 */
export function layerNorm(options: LayerNormOptions = {}): Layer<LayerNormParams, Record<string, never>> {
  const owner = 'layer "layer-norm"';
  checkKeys(owner, options, ["axes", "epsilon", "dtype"]);
  const axes = checkNumber(owner, "axes", options.axes, 1, { min: 1, integer: true });
  const epsilon = checkNumber(owner, "epsilon", options.epsilon, 1e-5, { min: 0 });
  const dtype = options.dtype === undefined
    ? undefined
    : checkChoice(owner, "dtype", options.dtype, "float64", ["float32", "float64"] as const);
  return {
    init(inputShape, _rng, context) {
      if (inputShape.length < axes || inputShape.slice(-axes).some((n) => !(n > 0))) {
        throw new RangeError(
          `Cannot initialize ${owner} as the input must have at least ${axes} non-empty ax${
            axes === 1 ? "is" : "es"
          } after the batch axis to normalize over: current shape is [${inputShape}]`,
        );
      }
      const shape = inputShape.slice(-axes), type = dtype ?? context?.dtype ?? "float64";
      return {
        params: { weight: full(shape, 1, type), bias: full(shape, 0, type) },
        state: {},
        outputShape: [...inputShape],
      };
    },
    apply(params, state, input) {
      const shape = params.weight.shape;
      const trailing = input.shape.slice(-axes);
      if (input.rank < axes + 1 || trailing.join() !== shape.join()) {
        throw new RangeError(
          `Cannot apply ${owner} as the input must end in the normalized shape [${shape}] after the batch axis: current shape is [${input.shape}]`,
        );
      }
      const over = Array.from({ length: axes }, (_, i) => input.rank - axes + i);
      const centered = sub(input, mean(input, { axis: over, keepDims: true }));
      const variance = mean(square(centered), { axis: over, keepDims: true });
      const normalized = div(centered, sqrt(add(variance, epsilon)));
      return { output: add(mul(normalized, params.weight), params.bias), state };
    },
  };
}

/** Registers {@linkcode layerNorm} as layer "layer-norm". */
const plugin: Plugin<"layer", LayerNormOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "layer-norm",
  description: "Layer normalization (x − μ)/√(σ² + ε)·γ + β over the last axes of each sample (PyTorch's LayerNorm).",
  defaults: { axes: 1, epsilon: 1e-5 },
  create: (options) => layerNorm(options) as unknown as Layer,
};
export default plugin;
