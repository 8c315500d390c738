/**
 * The 1-D convolution layer.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { convLayer, type ConvLayerOptions, type ConvParams, TORCH_DEFAULT_INITIALIZER } from "./_conv.ts";

/** Options for {@linkcode conv1d}: sizes are numbers. */
export type Conv1dOptions = ConvLayerOptions<number>;

/** Parameters of {@linkcode conv1d}: `weight` `[filters, channels, k]` and `bias` `[filters]`. */
export type Conv1dParams = ConvParams;

/**
 * A 1-D convolution layer, as PyTorch's `nn.Conv1d`: for input
 * `[batch, channels, length]`, weight `[filters, channels, k]` and bias `[filters]`,
 *   y[n, o, q] = b[o] + Σ_{c,j} W[o, c, j] · x[n, c, q·s − pad + j·d],
 * zeros outside the input, the output `⌊(L + 2·pad − d·(k − 1) − 1)/s⌋ + 1`
 * long; `padding: "same"` keeps the length (stride 1), `"valid"` is none.
 * Names, layouts and defaults are PyTorch's, as for `conv2d` (whose op it runs
 * over a height of 1): weight and bias from U(±1/√fanIn), fanIn = channels·k;
 * a custom initializer gets the shape `[channels, filters, k]`.
 *
 * @param options `filters` and `kernelSize` (required), `stride`, `padding`, `dilation`, `useBias`,
 *   `initializer`, `biasInitializer`, `dtype`.
 * @returns The layer: params `{ weight, bias }`; output `[batch, filters, outLength]`.
 * @throws {RangeError | TypeError} For a bad option, naming it; at `init`/`apply` for an input that is
 *   not `[batch, channels, length]` or shorter than the window.
 *
 * @example
 * ```ts
 * import { conv1d } from "./conv1d.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = conv1d({ filters: 1, kernelSize: 2, useBias: false });
 * const { state, outputShape } = layer.init([1, 4], new Random(0));
 * assert.deepEqual(outputShape, [1, 3]);
 * const params = { weight: tensor([[[1, -1]]]) }; // a difference filter
 * const { output } = layer.apply(params, state, tensor([[[1, 4, 9, 16]]]), { training: false });
 * assert.deepEqual(output.toArray(), [[[-3, -5, -7]]]);
 * ```
 */
export function conv1d(options: Conv1dOptions): Layer<Conv1dParams, Record<string, never>> {
  return convLayer('layer "conv1d"', 1, options) as Layer<Conv1dParams, Record<string, never>>;
}

/** Registers {@linkcode conv1d} as layer "conv1d". */
const plugin: Plugin<"layer", Conv1dOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "conv1d",
  description: "1-D convolution over [batch, channels, length], PyTorch's Conv1d (weight [out, in, k]).",
  defaults: {
    stride: 1,
    padding: 0,
    dilation: 1,
    useBias: true,
    initializer: TORCH_DEFAULT_INITIALIZER,
  },
  create: (options) => conv1d(options as Conv1dOptions) as unknown as Layer,
};
export default plugin;
