/**
 * The built-in optimizers and gradient transformations: factories and option types.
 *
 * @module
 */

import type { Plugin } from "../../core/interfaces.ts";
import sgdPlugin from "./sgd.ts";

export { sgd, type SgdOptions, type SgdState } from "./sgd.ts";

/** Every built-in optimizer plugin; a new optimizer joins the built-ins by being listed here. */
export const optimizerPlugins: readonly Plugin[] = [
  sgdPlugin,
] as Plugin[];
