/**
 * The built-in losses: factories and option types.
 *
 * @module
 */

import type { Plugin } from "../../core/interfaces.ts";
import msePlugin from "./mse.ts";

export { mse, type MseOptions } from "./mse.ts";
export { checkReduction, checkSameShape, reduceLoss, type Reduction } from "./_reduction.ts";

/** Every built-in loss plugin; a new loss joins the built-ins by being listed here. */
export const lossPlugins: readonly Plugin[] = [
  msePlugin,
] as Plugin[];
