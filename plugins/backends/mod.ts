/**
 * The built-in kernel backends.
 *
 * @module
 */

import type { Plugin } from "../../core/interfaces.ts";
import jsPlugin from "./js.ts";

export { js, type JsOptions } from "./js.ts";

/** Every built-in backend plugin; a new backend joins the built-ins by being listed here. */
export const backendPlugins: readonly Plugin[] = [
  jsPlugin,
] as Plugin[];
