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
import batchNormPlugin from "./batch_norm.ts";
import densePlugin from "./dense.ts";
import dropoutPlugin from "./dropout.ts";
import reluPlugin from "./relu.ts";
import sequentialPlugin from "./sequential.ts";
import sigmoidPlugin from "./sigmoid.ts";
import signPlugin from "./sign.ts";
import softmaxPlugin from "./softmax.ts";
import tanhPlugin from "./tanh.ts";

export { batchNorm, type BatchNormOptions, type BatchNormParams, type BatchNormState } from "./batch_norm.ts";
export { dense, type DenseOptions, type DenseParams } from "./dense.ts";
export { dropout, type DropoutOptions } from "./dropout.ts";
export { relu, type ReluOptions } from "./relu.ts";
export { sequential, type SequentialOptions } from "./sequential.ts";
export { sigmoid, type SigmoidOptions } from "./sigmoid.ts";
export { sign, type SignOptions } from "./sign.ts";
export { softmax, type SoftmaxOptions } from "./softmax.ts";
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
  batchNormPlugin,
  densePlugin,
  dropoutPlugin,
  reluPlugin,
  sequentialPlugin,
  sigmoidPlugin,
  signPlugin,
  softmaxPlugin,
  tanhPlugin,
] as Plugin[];
