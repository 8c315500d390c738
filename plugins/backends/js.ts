/**
 * The default backend as a plugin.
 *
 * @module
 */

import { type Backend, jsBackend } from "../../core/backend.ts";
import type { Plugin } from "../../core/interfaces.ts";
import { checkKeys } from "../../core/options.ts";

/** Options for {@linkcode js} (none). */
export type JsOptions = Record<string, never>;

/**
 * The default backend: TypeScript loops over typed arrays (register-tiled,
 * cache-blocked matmul), no native code, runs wherever Deno runs.
 *
 * @param options None.
 * @returns The backend.
 *
 * @example
 * ```ts
 * import { js } from "./js.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(js().name, "js");
 * ```
 */
export function js(options: JsOptions = {}): Backend {
  checkKeys('backend "js"', options, []);
  return jsBackend;
}

/** Registers {@linkcode js} as backend "js". */
const plugin: Plugin<"backend", JsOptions> = {
  apiVersion: 1,
  kind: "backend",
  name: "js",
  description: "Pure TypeScript kernels (the fallback where WebAssembly SIMD is missing).",
  defaults: {},
  create: js,
};
export default plugin;
