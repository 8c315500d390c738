/**
 * 2-D average pooling.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { avgPool2d as avgPool2dOp } from "../../core/ops/mod.ts";
import { poolLayer, type PoolLayerOptions } from "./_pool.ts";

/** Options for {@linkcode avgPool2d}. */
export interface AvgPool2dOptions extends PoolLayerOptions {
  /** Divide by the whole window, padding included (PyTorch's default), or only by the positions inside the input. @default {true} */
  countIncludePad?: boolean;
}

/**
 * Average pooling over `[batch, channels, height, width]`, as PyTorch's
 * `nn.AvgPool2d` (without `ceil_mode` or `divisor_override`): each channel's
 * mean over every `poolSize` window, the windows `stride` apart (by default
 * `poolSize`), the padding counting as zeros (or, with `countIncludePad:
 * false`, left out of the mean). A linear map: its gradient spreads each
 * cotangent evenly over the window, and its second derivative is zero.
 *
 * Where PyTorch differs: `kernel_size` is required there; here `poolSize`
 * defaults to 2 (Keras's `AveragePooling2D` default).
 *
 * @param options `poolSize`, `stride`, `padding` (at most half the window), `countIncludePad`.
 * @returns The layer (no parameters, no state); output `[batch, channels, outHeight, outWidth]`.
 * @throws {RangeError | TypeError} For a bad option, naming it; at `init`/`apply` for an input that is not rank 4 or smaller than the window.
 *
 * @example
 * ```ts
 * import { avgPool2d } from "./avg_pool2d.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = avgPool2d();
 * const { params, state } = layer.init([1, 4, 4], new Random(0));
 * const x = tensor([1, 5, 2, 0, 3, 4, 8, 6, 7, 1, 0, 2, 9, 3, 4, 4], [1, 1, 4, 4]);
 * assert.deepEqual(layer.apply(params, state, x, { training: false }).output.toArray(), [[[[3.25, 4], [5, 2.5]]]]);
 * ```
 */
export function avgPool2d(options: AvgPool2dOptions = {}): Layer<Record<string, never>, Record<string, never>> {
  return poolLayer('layer "avg-pool2d"', options, "countIncludePad", avgPool2dOp);
}

/** Registers {@linkcode avgPool2d} as layer "avg-pool2d". */
const plugin: Plugin<"layer", AvgPool2dOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "avg-pool2d",
  description: "2-D average pooling over [batch, channels, height, width], PyTorch's AvgPool2d (stride = poolSize).",
  defaults: { poolSize: 2, padding: 0, countIncludePad: true },
  create: (options) => avgPool2d(options) as unknown as Layer,
};
export default plugin;
