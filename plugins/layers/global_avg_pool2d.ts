/**
 * Global average pooling.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { mean, reshape } from "../../core/ops/mod.ts";
import { checkBoolean, checkKeys } from "../../core/options.ts";

/** Options for {@linkcode globalAvgPool2d}. */
export interface GlobalAvgPool2dOptions {
  /** Keep the pooled axes: `[batch, channels, 1, 1]` (PyTorch's `AdaptiveAvgPool2d(1)`) rather than `[batch, channels]`. @default {false} */
  keepDims?: boolean;
}

/**
 * Global average pooling over `[batch, channels, height, width]`: each
 * channel's mean over all its positions (Lin, Chen and Yan's "Network in
 * Network", 2014), giving `[batch, channels]` as Keras's
 * `GlobalAveragePooling2D` — in PyTorch, `AdaptiveAvgPool2d(1)` followed by
 * `Flatten()`, or `x.mean((2, 3))`. With `keepDims` the output is
 * `[batch, channels, 1, 1]`, as `AdaptiveAvgPool2d(1)` alone. Linear; its
 * gradient spreads each cotangent evenly over the channel.
 *
 * @param options `keepDims`.
 * @returns The layer (no parameters, no state).
 * @throws {TypeError} For an unknown option; at `init`/`apply`, for an input that is not rank 4.
 *
 * @example
 * ```ts
 * import { globalAvgPool2d } from "./global_avg_pool2d.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = globalAvgPool2d();
 * const { params, state, outputShape } = layer.init([2, 2, 2], new Random(0));
 * assert.deepEqual(outputShape, [2]);
 * const x = tensor([1, 2, 3, 4, 10, 20, 30, 40], [1, 2, 2, 2]);
 * assert.deepEqual(layer.apply(params, state, x, { training: false }).output.toArray(), [[2.5, 25]]);
 * ```
 */
export function globalAvgPool2d(
  options: GlobalAvgPool2dOptions = {},
): Layer<Record<string, never>, Record<string, never>> {
  const owner = 'layer "global-avg-pool2d"';
  checkKeys(owner, options, ["keepDims"]);
  const keepDims = checkBoolean(owner, "keepDims", options.keepDims, false);
  const check = (action: string, shape: readonly number[]) => {
    if (shape.length !== 4 || shape[2] * shape[3] === 0) {
      throw new RangeError(
        `Cannot ${action} ${owner} as the input must be [batch, channels, height, width] with at least one position: current shape is [${shape}]`,
      );
    }
  };
  return {
    init(inputShape) {
      check("initialize", [1, ...inputShape]);
      return { params: {}, state: {}, outputShape: keepDims ? [inputShape[0], 1, 1] : [inputShape[0]] };
    },
    apply(_params, state, input) {
      check("apply", input.shape);
      const [n, c, h, w] = input.shape;
      // One reduction over the contiguous positions of each channel.
      const pooled = mean(reshape(input, [n, c, h * w]), { axis: 2 });
      return { output: keepDims ? reshape(pooled, [n, c, 1, 1]) : pooled, state };
    },
  };
}

/** Registers {@linkcode globalAvgPool2d} as layer "global-avg-pool2d". */
const plugin: Plugin<"layer", GlobalAvgPool2dOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "global-avg-pool2d",
  description: "Mean of each channel over height and width: [batch, channels] (keepDims: [batch, channels, 1, 1]).",
  defaults: { keepDims: false },
  create: (options) => globalAvgPool2d(options) as unknown as Layer,
};
export default plugin;
