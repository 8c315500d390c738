/**
 * What `conv1d` and `conv2d` share: option checks, PyTorch's initialization,
 * and the call of the convolution op (a 1-D convolution is a 2-D one over a
 * height of 1).
 *
 * @module
 */

import type { Initializer, Layer } from "../../core/interfaces.ts";
import { conv2d, pair, reshape, transpose, window2d } from "../../core/ops/mod.ts";
import { checkBoolean, checkChoice, checkKeys, checkNumber } from "../../core/options.ts";
import type { DType, Tensor } from "../../core/tensor.ts";
import { resolveInitializer, uniform } from "../initializers/mod.ts";

/** An initializer option: a function, a built-in name, or `{ name, ...options }`. */
export type InitializerOption = Initializer | string | { name: string; [option: string]: unknown };

/** The options `conv1d` and `conv2d` share; sizes are a number, or (2-D) `[height, width]`. */
export interface ConvLayerOptions<S> {
  /** The number of output channels (PyTorch's `out_channels`). Required. */
  filters: number;
  /** The window size. Required. */
  kernelSize: S;
  /** Positions between neighbouring windows. @default {1} */
  stride?: S;
  /** Zeros around the input: a size, `"valid"` (none) or `"same"` (stride 1 only). @default {0} */
  padding?: S | "valid" | "same";
  /** Positions between a window's neighbouring taps. @default {1} */
  dilation?: S;
  /** Add a learned bias per filter. @default {true} */
  useBias?: boolean;
  /** The weight initializer. @default {PyTorch's: "he-uniform" with gain √(1/3), i.e. U(±1/√fanIn)} */
  initializer?: InitializerOption;
  /** The bias initializer. @default {PyTorch's: U(±1/√fanIn)} */
  biasInitializer?: InitializerOption;
  /** The parameters' dtype. @default {the inputs' dtype: `init`'s `context.dtype` (the training data's, in `train`), float64 when not given} */
  dtype?: DType;
}

/** Parameters of a convolution layer. */
export type ConvParams = { weight: Tensor; bias: Tensor } | { weight: Tensor };

/** PyTorch's default weight initialization of `nn.Conv2d` and `nn.Linear`: Kaiming uniform with a = √5. */
export const TORCH_DEFAULT_INITIALIZER = { name: "he-uniform", gain: Math.sqrt(1 / 3) } as const;

/**
 * A convolution layer over `spatial` (1 or 2) axes.
 *
 * @param owner `layer "conv2d"` or `layer "conv1d"`.
 * @param spatial The number of spatial axes.
 * @param options The layer's options.
 * @returns The layer.
 */
export function convLayer<S>(owner: string, spatial: 1 | 2, options: ConvLayerOptions<S>): Layer<ConvParams> {
  checkKeys(owner, options, [
    "filters",
    "kernelSize",
    "stride",
    "padding",
    "dilation",
    "useBias",
    "initializer",
    "biasInitializer",
    "dtype",
  ]);
  for (const required of ["filters", "kernelSize"] as const) {
    if (options?.[required] === undefined) {
      throw new TypeError(`Cannot create ${owner} as ${required} must be given: current value is undefined`);
    }
  }
  const filters = checkNumber(owner, "filters", options.filters, 1, { min: 1, integer: true });
  /** A spatial option as a [height, width] pair (height 1 for 1-D). */
  const spatialPair = (option: string, value: unknown, fallback: number, min: number): [number, number] => {
    if (spatial === 2) return pair(owner, option, value, fallback, min);
    const v = value === undefined ? fallback : value;
    if (!Number.isInteger(v) || (v as number) < min) {
      throw new RangeError(
        `Cannot create ${owner} as ${option} must be an integer ≥ ${min}: current value is ${JSON.stringify(value)}`,
      );
    }
    return [min === 0 ? 0 : 1, v as number];
  };
  const kernel = spatialPair("kernelSize", options.kernelSize, 1, 1);
  const stride = spatialPair("stride", options.stride, 1, 1);
  const dilation = spatialPair("dilation", options.dilation, 1, 1);
  const padding: [number, number] | "same" | "valid" = options.padding === "same" || options.padding === "valid"
    ? options.padding as "same" | "valid"
    : spatialPair("padding", options.padding, 0, 0);
  if (padding === "same" && (stride[0] !== 1 || stride[1] !== 1)) {
    throw new RangeError(
      `Cannot create ${owner} as padding "same" needs stride 1 (as in PyTorch): current stride is ${
        JSON.stringify(options.stride)
      }`,
    );
  }
  const useBias = checkBoolean(owner, "useBias", options.useBias, true);
  const init = resolveInitializer(owner, "initializer", options.initializer ?? TORCH_DEFAULT_INITIALIZER);
  const biasInit = options.biasInitializer === undefined
    ? null
    : resolveInitializer(owner, "biasInitializer", options.biasInitializer);
  const dtype = options.dtype === undefined
    ? undefined
    : checkChoice(owner, "dtype", options.dtype, "float64", ["float32", "float64"] as const);
  const kernelShape = spatial === 2 ? kernel : [kernel[1]];
  const expected = spatial === 2 ? "[batch, channels, height, width]" : "[batch, channels, length]";
  /** The input as `[N, C, H, W]`, the window, and the output shape after the batch axis. */
  const plan = (action: string, shape: readonly number[], channels?: number) => {
    if (shape.length !== spatial + 2 || (channels !== undefined && shape[1] !== channels) || !(shape[1] > 0)) {
      throw new RangeError(
        `Cannot ${action} ${owner} as the input must be ${expected}${
          channels === undefined ? "" : ` with ${channels} channels`
        }: current shape is [${shape}]`,
      );
    }
    const full = spatial === 2 ? shape : [shape[0], shape[1], 1, shape[2]];
    const window = window2d({ owner, inputShape: full, kernel, stride, padding, dilation });
    const out = spatial === 2 ? [filters, window.outHeight, window.outWidth] : [filters, window.outWidth];
    return { full, out };
  };
  return {
    init(inputShape, rng, context) {
      const { out } = plan("initialize", [1, ...inputShape]);
      const type = dtype ?? context?.dtype ?? "float64";
      const channels = inputShape[0];
      // Drawn in gradflow's [fanIn-side, fanOut-side, ...window] layout, so that the initializers' fans are
      // PyTorch's (fanIn = C·k, fanOut = O·k), then laid out as PyTorch's [O, C, ...window].
      const drawn = init([channels, filters, ...kernelShape], rng, type);
      const weight = transpose(drawn, [1, 0, ...kernelShape.map((_, i) => i + 2)]);
      if (!useBias) return { params: { weight }, state: {}, outputShape: out };
      const fanIn = channels * kernelShape.reduce((p, n) => p * n, 1);
      const bound = 1 / Math.sqrt(fanIn);
      const bias = (biasInit ?? uniform({ low: -bound, high: bound }))([filters], rng, type);
      return { params: { weight, bias }, state: {}, outputShape: out };
    },
    apply(params, state, input) {
      const { full } = plan("apply", input.shape, params.weight.shape[1]);
      const x = spatial === 2 ? input : reshape(input, full);
      const w = spatial === 2 ? params.weight : reshape(params.weight, [filters, full[1], 1, kernel[1]]);
      const bias = "bias" in params ? params.bias : null;
      const y = conv2d(x, w, bias, { stride, padding, dilation });
      return { output: spatial === 2 ? y : reshape(y, [y.shape[0], y.shape[1], y.shape[3]]), state };
    },
  };
}
