/**
 * The 2-D convolution layer.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { convLayer, type ConvLayerOptions, type ConvParams, TORCH_DEFAULT_INITIALIZER } from "./_conv.ts";

/** Options for {@linkcode conv2d}: sizes are a number (both axes) or `[height, width]`. */
export type Conv2dOptions = ConvLayerOptions<number | [number, number]>;

/** Parameters of {@linkcode conv2d}: `weight` `[filters, channels, kh, kw]` and `bias` `[filters]`. */
export type Conv2dParams = ConvParams;

/**
 * A 2-D convolution layer, as PyTorch's `nn.Conv2d` (LeCun et al. 1989's
 * shared-weight layer): for input `[batch, channels, height, width]`, weight
 * `[filters, channels, kh, kw]` and bias `[filters]`,
 *   y[n, o, p, q] = b[o] + Σ_{c,i,j} W[o, c, i, j] · x[n, c, p·sₕ − padₜ + i·dₕ, q·s_w − padₗ + j·d_w]
 * (a cross-correlation, as in every framework), zeros outside the input, the
 * output `⌊(H + 2·pad − d·(k − 1) − 1)/s⌋ + 1` high and likewise wide.
 * `padding: "same"` keeps the size (stride 1; the odd extra row or column at
 * the bottom or right, as PyTorch), `"valid"` is no padding.
 *
 * Parameter names, layouts and defaults are PyTorch's, so weights move
 * between the two as they are: the weight is drawn from U(±1/√fanIn)
 * (Kaiming uniform with a = √5, i.e. `he-uniform` with gain √(1/3)) and the
 * bias from U(±1/√fanIn), fanIn = channels·kh·kw. A custom initializer is
 * called with the shape `[channels, filters, kh, kw]` (gradflow's fan-in-first
 * layout, so that its fans are right) and its values are laid out as
 * `[filters, channels, kh, kw]`. Differences from PyTorch: no `groups` and no
 * padding modes other than zeros; the parameters follow the inputs' dtype
 * (float32 data trains in float32, as PyTorch's default dtype), float64 when not told.
 *
 * The convolution is one op (`conv2d` in core/ops/conv.ts): im2col and a
 * matrix product on the backend, with a backward pass of two more products
 * that is itself differentiable.
 *
 * @param options `filters` and `kernelSize` (required), `stride`, `padding`, `dilation`, `useBias`,
 *   `initializer`, `biasInitializer`, `dtype`.
 * @returns The layer: params `{ weight, bias }`; output `[batch, filters, outHeight, outWidth]`.
 * @throws {RangeError | TypeError} For a bad option, naming it; at `init`/`apply` for an input that is
 *   not `[batch, channels, height, width]` or too small for the window.
 *
 * @example A 3×3 convolution with padding 1 keeps a 28×28 image's size
 * ```ts
 * import { conv2d } from "./conv2d.ts";
 * import { Random } from "../../core/random.ts";
 * import { zeros } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = conv2d({ filters: 32, kernelSize: 3, padding: 1 });
 * const { params, state, outputShape } = layer.init([1, 28, 28], new Random(0));
 * assert.deepEqual(outputShape, [32, 28, 28]);
 * assert.deepEqual(params.weight.shape, [32, 1, 3, 3]);
 * const { output } = layer.apply(params, state, zeros([2, 1, 28, 28]), { training: false });
 * assert.deepEqual(output.shape, [2, 32, 28, 28]);
 * ```
 */
export function conv2d(options: Conv2dOptions): Layer<Conv2dParams, Record<string, never>> {
  return convLayer('layer "conv2d"', 2, options) as Layer<Conv2dParams, Record<string, never>>;
}

/** Registers {@linkcode conv2d} as layer "conv2d". */
const plugin: Plugin<"layer", Conv2dOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "conv2d",
  description: "2-D convolution over [batch, channels, height, width], PyTorch's Conv2d (weight [out, in, kh, kw]).",
  defaults: {
    stride: 1,
    padding: 0,
    dilation: 1,
    useBias: true,
    initializer: TORCH_DEFAULT_INITIALIZER,
  },
  create: (options) => conv2d(options as Conv2dOptions) as unknown as Layer,
};
export default plugin;
