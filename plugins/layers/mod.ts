/**
 * The built-in layers: factories, option types and plugin descriptors.
 *
 * @example
 * ```ts
 * import { layerPlugins } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(layerPlugins.some((p) => p.name === "batch-norm"));
 * ```
 *
 * @module
 */

import type { Plugin } from "../../core/interfaces.ts";
import avgPool2dPlugin from "./avg_pool2d.ts";
import batchNormPlugin from "./batch_norm.ts";
import conv1dPlugin from "./conv1d.ts";
import conv2dPlugin from "./conv2d.ts";
import densePlugin from "./dense.ts";
import dropoutPlugin from "./dropout.ts";
import eluPlugin from "./elu.ts";
import embeddingPlugin from "./embedding.ts";
import flattenPlugin from "./flatten.ts";
import geluPlugin from "./gelu.ts";
import globalAvgPool2dPlugin from "./global_avg_pool2d.ts";
import layerNormPlugin from "./layer_norm.ts";
import leakyReluPlugin from "./leaky_relu.ts";
import logSoftmaxPlugin from "./log_softmax.ts";
import maxPool2dPlugin from "./max_pool2d.ts";
import reluPlugin from "./relu.ts";
import residualPlugin from "./residual.ts";
import sequentialPlugin from "./sequential.ts";
import sigmoidPlugin from "./sigmoid.ts";
import signPlugin from "./sign.ts";
import siluPlugin from "./silu.ts";
import softmaxPlugin from "./softmax.ts";
import softplusPlugin from "./softplus.ts";
import tanhPlugin from "./tanh.ts";

export { avgPool2d, type AvgPool2dOptions } from "./avg_pool2d.ts";
export { batchNorm, type BatchNormOptions, type BatchNormParams, type BatchNormState } from "./batch_norm.ts";
export { conv1d, type Conv1dOptions, type Conv1dParams } from "./conv1d.ts";
export { conv2d, type Conv2dOptions, type Conv2dParams } from "./conv2d.ts";
export { dense, type DenseOptions, type DenseParams } from "./dense.ts";
export { dropout, type DropoutOptions } from "./dropout.ts";
export { elu, type EluOptions } from "./elu.ts";
export { embedding, type EmbeddingOptions, type EmbeddingParams } from "./embedding.ts";
export { flatten, type FlattenOptions } from "./flatten.ts";
export { gelu, type GeluOptions } from "./gelu.ts";
export { globalAvgPool2d, type GlobalAvgPool2dOptions } from "./global_avg_pool2d.ts";
export { layerNorm, type LayerNormOptions, type LayerNormParams } from "./layer_norm.ts";
export { leakyRelu, type LeakyReluOptions } from "./leaky_relu.ts";
export { logSoftmax, type LogSoftmaxOptions } from "./log_softmax.ts";
export { maxPool2d, type MaxPool2dOptions } from "./max_pool2d.ts";
export { relu, type ReluOptions } from "./relu.ts";
export { residual, type ResidualOptions } from "./residual.ts";
export { sequential, type SequentialOptions } from "./sequential.ts";
export { sigmoid, type SigmoidOptions } from "./sigmoid.ts";
export { sign, type SignOptions } from "./sign.ts";
export { silu, type SiluOptions } from "./silu.ts";
export { softmax, type SoftmaxOptions } from "./softmax.ts";
export { softplus, type SoftplusOptions } from "./softplus.ts";
export { tanh, type TanhOptions } from "./tanh.ts";
export { activationLayer } from "./_activation.ts";

/**
 * Every built-in layer plugin; a new layer joins the built-ins by being listed here.
 *
 * @example
 * ```ts
 * import { layerPlugins } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(layerPlugins.every((p) => p.kind === "layer"));
 * ```
 */
export const layerPlugins: readonly Plugin[] = [
  avgPool2dPlugin,
  batchNormPlugin,
  conv1dPlugin,
  conv2dPlugin,
  densePlugin,
  dropoutPlugin,
  eluPlugin,
  embeddingPlugin,
  flattenPlugin,
  geluPlugin,
  globalAvgPool2dPlugin,
  layerNormPlugin,
  leakyReluPlugin,
  logSoftmaxPlugin,
  maxPool2dPlugin,
  reluPlugin,
  residualPlugin,
  sequentialPlugin,
  sigmoidPlugin,
  signPlugin,
  siluPlugin,
  softmaxPlugin,
  softplusPlugin,
  tanhPlugin,
] as Plugin[];
