/**
 * 2-D max pooling.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { maxPool2d as maxPool2dOp } from "../../core/ops/mod.ts";
import { poolLayer, type PoolLayerOptions } from "./_pool.ts";

/** Options for {@linkcode maxPool2d}. */
export interface MaxPool2dOptions extends PoolLayerOptions {
  /** Rows and columns between a window's neighbouring taps. @default {1} */
  dilation?: number | [number, number];
}

/**
 * Max pooling over `[batch, channels, height, width]`, as PyTorch's
 * `nn.MaxPool2d` (without `ceil_mode` or `return_indices`): each channel's
 * largest value in every `poolSize` window, the windows `stride` apart (by
 * default `poolSize`: no overlap), the padding counting as −∞. The gradient
 * flows to the position of each maximum (the first in row-major window order
 * when several tie, as PyTorch's CPU kernel); NaN propagates. Piecewise
 * linear, so its second derivative is zero away from ties.
 *
 * Where PyTorch differs: `kernel_size` is required there; here `poolSize`
 * defaults to 2 (Keras's `MaxPooling2D` default).
 *
 * @param options `poolSize`, `stride`, `padding` (at most half the window), `dilation`.
 * @returns The layer (no parameters, no state); output `[batch, channels, outHeight, outWidth]`.
 * @throws {RangeError | TypeError} For a bad option, naming it; at `init`/`apply` for an input that is not rank 4 or smaller than the window.
 *
 * @example
 * ```ts
 * import { maxPool2d } from "./max_pool2d.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = maxPool2d({ poolSize: 2 });
 * const { params, state, outputShape } = layer.init([1, 4, 4], new Random(0));
 * assert.deepEqual(outputShape, [1, 2, 2]);
 * const x = tensor([1, 5, 2, 0, 3, 4, 8, 6, 7, 1, 0, 2, 9, 3, 4, 4], [1, 1, 4, 4]);
 * assert.deepEqual(layer.apply(params, state, x, { training: false }).output.toArray(), [[[[5, 8], [9, 4]]]]);
 * ```
 */
export function maxPool2d(options: MaxPool2dOptions = {}): Layer<Record<string, never>, Record<string, never>> {
  return poolLayer('layer "max-pool2d"', options, "dilation", maxPool2dOp);
}

/** Registers {@linkcode maxPool2d} as layer "max-pool2d". */
const plugin: Plugin<"layer", MaxPool2dOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "max-pool2d",
  description: "2-D max pooling over [batch, channels, height, width], PyTorch's MaxPool2d (stride = poolSize).",
  defaults: { poolSize: 2, padding: 0, dilation: 1 },
  create: (options) => maxPool2d(options) as unknown as Layer,
};
export default plugin;
