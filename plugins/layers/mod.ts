/**
 * The built-in layers: factories, option types and plugin descriptors.
 *
 * @module
 */

import type { Plugin } from "../../core/interfaces.ts";
import densePlugin from "./dense.ts";
import sequentialPlugin from "./sequential.ts";
import sigmoidPlugin from "./sigmoid.ts";

export { dense, type DenseOptions, type DenseParams } from "./dense.ts";
export { sequential, type SequentialOptions } from "./sequential.ts";
export { sigmoid, type SigmoidOptions } from "./sigmoid.ts";
export { activationLayer } from "./_activation.ts";

/** Every built-in layer plugin; a new layer joins the built-ins by being listed here. */
export const layerPlugins: readonly Plugin[] = [
  densePlugin,
  sequentialPlugin,
  sigmoidPlugin,
] as Plugin[];
