/**
 * Turns a plugin given as an instance or as `{ name, ...options }` into the
 * instance, through a registry.
 *
 * @module
 */

import type { PluginKind, PluginKinds } from "../core/interfaces.ts";
import type { Registry } from "../core/registry.ts";

/** A plugin instance, or its name and options for a registry to create. */
export type PluginSpec<K extends PluginKind> = PluginKinds[K] | { name: string; [option: string]: unknown };

/**
 * Resolves a plugin spec of a kind.
 *
 * @param registry The registry to look names up in.
 * @param kind The plugin kind.
 * @param spec An instance, a name, or `{ name, ...options }`.
 * @param isInstance Tells instances of this kind apart from specs.
 * @returns The instance.
 * @throws {TypeError} When the spec is neither.
 *
 * @example
 * ```ts
 * import { resolvePlugin } from "./resolve.ts";
 * import { createRegistry } from "../plugins/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const opt = resolvePlugin(createRegistry(), "optimizer", { name: "sgd", learningRate: 0.1 }, (x) => "update" in x);
 * assert.equal(typeof opt.update, "function");
 * ```
 */
export function resolvePlugin<K extends PluginKind>(
  registry: Registry,
  kind: K,
  spec: PluginSpec<K> | string,
  isInstance: (value: object) => boolean,
): PluginKinds[K] {
  if (typeof spec === "string") return registry.create(kind, spec);
  if (spec !== null && (typeof spec === "object" || typeof spec === "function") && isInstance(spec)) {
    return spec as PluginKinds[K];
  }
  if (spec !== null && typeof spec === "object" && typeof (spec as { name?: unknown }).name === "string") {
    const { name, ...options } = spec as { name: string };
    return registry.create(kind, name, options);
  }
  throw new TypeError(
    `Cannot use the ${kind} as it must be a ${kind} instance, a name, or { name, ...options }: current value is ${
      spec === null ? "null" : typeof spec
    }`,
  );
}
