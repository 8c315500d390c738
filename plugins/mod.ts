/**
 * The built-in plugins as an explicit array, and {@linkcode createRegistry},
 * which puts them in a registry the caller owns. Nothing registers itself on
 * import: a plugin joins the built-ins by being listed here.
 *
 * @example
 * ```ts
 * import { createRegistry } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const registry = createRegistry();
 * assert.ok(registry.has("optimizer", "sgd"));
 * assert.equal(createRegistry({ builtins: false }).list().length, 0);
 * ```
 *
 * @module
 */

import type { Plugin } from "../core/interfaces.ts";
import { Registry } from "../core/registry.ts";
import { backendPlugins } from "./backends/mod.ts";
import { initializerPlugins } from "./initializers/mod.ts";
import { layerPlugins } from "./layers/mod.ts";
import { lossPlugins } from "./losses/mod.ts";
import { metricPlugins } from "./metrics/mod.ts";
import { optimizerPlugins } from "./optimizers/mod.ts";
import { regularizerPlugins } from "./regularizers/mod.ts";
import { schedulerPlugins } from "./schedulers/mod.ts";

/** Every built-in plugin, grouped by kind (each kind's folder lists its own). */
export const builtinPlugins: readonly Plugin[] = [
  ...layerPlugins,
  ...lossPlugins,
  ...metricPlugins,
  ...optimizerPlugins,
  ...regularizerPlugins,
  ...schedulerPlugins,
  ...initializerPlugins,
  ...backendPlugins,
];

/** Options of {@linkcode createRegistry}. */
export interface CreateRegistryOptions {
  /** Start with the built-in plugins. @default {true} */
  builtins?: boolean;
  /** More plugins to register after the built-ins. */
  plugins?: readonly Plugin[];
}

/**
 * A new registry holding the built-in plugins (and any others given).
 *
 * @param options `builtins`, `plugins`.
 * @returns The registry; it belongs to the caller.
 */
export function createRegistry(options: CreateRegistryOptions = {}): Registry {
  return new Registry([...(options.builtins ?? true ? builtinPlugins : []), ...(options.plugins ?? [])]);
}
