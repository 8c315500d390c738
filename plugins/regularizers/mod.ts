/**
 * The built-in regularizers: factories and option types.
 *
 * @module
 */

import type { Plugin } from "../../core/interfaces.ts";
import l1Plugin from "./l1.ts";
import l2Plugin from "./l2.ts";
import magnitudePruningPlugin from "./magnitude_pruning.ts";
import weightDecayPlugin from "./weight_decay.ts";

export { isBiasPath } from "./_select.ts";
export { l1, type L1Options } from "./l1.ts";
export { l2, type L2Options } from "./l2.ts";
export { magnitudePruning, type MagnitudePruningOptions, type MagnitudePruningState } from "./magnitude_pruning.ts";
export { weightDecay, type WeightDecayOptions } from "./weight_decay.ts";

/** Every built-in regularizer plugin; a new regularizer joins the built-ins by being listed here. */
export const regularizerPlugins: readonly Plugin[] = [
  l2Plugin,
  l1Plugin,
  weightDecayPlugin,
  magnitudePruningPlugin,
] as Plugin[];
