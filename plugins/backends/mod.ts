/**
 * The built-in kernel backends.
 *
 * @module
 */

import type { Plugin } from "../../core/interfaces.ts";
import blasPlugin from "./blas.ts";
import jsPlugin from "./js.ts";
import wasmPlugin from "./wasm.ts";

export { blas, type BlasOptions } from "./blas.ts";
export { js, type JsOptions } from "./js.ts";
export { wasm, type WasmOptions } from "./wasm.ts";

/** Every built-in backend plugin; a new backend joins the built-ins by being listed here. */
export const backendPlugins: readonly Plugin[] = [
  jsPlugin,
  wasmPlugin,
  blasPlugin,
] as Plugin[];
