/**
 * The built-in learning-rate schedules: factories and option types.
 *
 * @module
 */

import type { Plugin } from "../../core/interfaces.ts";
import constantPlugin from "./constant.ts";

export { constant, type ConstantOptions } from "./constant.ts";

/** Every built-in scheduler plugin; a new scheduler joins the built-ins by being listed here. */
export const schedulerPlugins: readonly Plugin[] = [
  constantPlugin,
] as Plugin[];
