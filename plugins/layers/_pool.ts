/**
 * What `max-pool2d` and `avg-pool2d` share: option checks and the output shape.
 *
 * @module
 */

import type { Layer } from "../../core/interfaces.ts";
import { pair, type PoolOptions, window2d } from "../../core/ops/mod.ts";
import { checkBoolean, checkKeys } from "../../core/options.ts";
import type { Tensor } from "../../core/tensor.ts";

/** The options both pooling layers take; sizes are a number (both axes) or `[height, width]`. */
export interface PoolLayerOptions {
  /** The window. @default {2} */
  poolSize?: number | [number, number];
  /** Rows and columns between neighbouring windows. @default {poolSize} */
  stride?: number | [number, number];
  /** Padding on every side, at most half the window. @default {0} */
  padding?: number | [number, number];
}

/**
 * A pooling layer over `[batch, channels, height, width]`.
 *
 * @param owner `layer "max-pool2d"` or `layer "avg-pool2d"`.
 * @param options The layer's options.
 * @param extra The options only this layer has (`dilation`, `countIncludePad`).
 * @param pool The op, given the input and the checked options.
 * @returns The layer.
 */
export function poolLayer(
  owner: string,
  options: PoolLayerOptions & { dilation?: unknown; countIncludePad?: unknown },
  extra: "dilation" | "countIncludePad",
  pool: (x: Tensor, poolSize: [number, number], options: PoolOptions) => Tensor,
): Layer<Record<string, never>, Record<string, never>> {
  checkKeys(owner, options, ["poolSize", "stride", "padding", extra]);
  const poolSize = pair(owner, "poolSize", options?.poolSize, 2, 1);
  const stride = options?.stride === undefined ? poolSize : pair(owner, "stride", options.stride, 1, 1);
  const padding = pair(owner, "padding", options?.padding, 0, 0);
  const checked: PoolOptions = { stride, padding };
  if (extra === "dilation") checked.dilation = pair(owner, "dilation", options?.dilation, 1, 1);
  else checked.countIncludePad = checkBoolean(owner, "countIncludePad", options?.countIncludePad, true);
  const [dh, dw] = (checked.dilation ?? [1, 1]) as [number, number];
  const spanH = dh * (poolSize[0] - 1) + 1, spanW = dw * (poolSize[1] - 1) + 1;
  if (2 * padding[0] > spanH || 2 * padding[1] > spanW) {
    throw new RangeError(
      `Cannot create ${owner} as padding must be at most half the window (${spanH}×${spanW}), as in PyTorch: current value is ${
        JSON.stringify(options.padding)
      }`,
    );
  }
  const check = (action: string, shape: readonly number[]) => {
    if (shape.length !== 4) {
      throw new RangeError(
        `Cannot ${action} ${owner} as the input must be [batch, channels, height, width]: current shape is [${shape}]`,
      );
    }
    return window2d({ owner, inputShape: shape, kernel: poolSize, stride, padding, dilation: checked.dilation });
  };
  return {
    init(inputShape) {
      const w = check("initialize", [1, ...inputShape]);
      return { params: {}, state: {}, outputShape: [inputShape[0], w.outHeight, w.outWidth] };
    },
    apply(_params, state, input) {
      check("apply", input.shape);
      return { output: pool(input, poolSize, checked), state };
    },
  };
}
