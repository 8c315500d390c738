/**
 * The built-in regularizers: factories and option types.
 *
 * @module
 */

import type { Plugin } from "../../core/interfaces.ts";
import l2Plugin from "./l2.ts";

export { isBiasPath, l2, type L2Options } from "./l2.ts";

/** Every built-in regularizer plugin; a new regularizer joins the built-ins by being listed here. */
export const regularizerPlugins: readonly Plugin[] = [
  l2Plugin,
] as Plugin[];
