/**
 * The plugin registry: a value the caller owns (nothing registers itself on
 * import), mapping each kind and name to a plugin descriptor.
 *
 * @module
 */

import * as gradflow from "./api.ts";
import {
  API_VERSION,
  type CreateContext,
  type Plugin,
  PLUGIN_KINDS,
  type PluginKind,
  type PluginKinds,
  type PluginSpecifier,
} from "./interfaces.ts";

const NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object" || typeof value === "function") return `a ${typeof value}`;
  return String(value);
}

/**
 * Checks that a value is a well-formed plugin descriptor of a supported API
 * version, and says which field is wrong when it is not.
 *
 * @param value The candidate (usually a module's default export).
 * @param source Where it came from, for the message (a URL, say).
 * @returns The value, typed as a plugin.
 * @throws {TypeError} Naming the field, what it must be, and what it is.
 *
 * @example
 * ```ts
 * import { validatePlugin } from "./registry.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(
 *   () => validatePlugin({ apiVersion: 1, kind: "loss", name: "x" }),
 *   /create must be a function/,
 * );
 * ```
 */
export function validatePlugin(value: unknown, source = "the plugin"): Plugin {
  const fail = (field: string, requirement: string, current: unknown): never => {
    throw new TypeError(
      `Cannot use ${source} as ${field} must be ${requirement}: current value is ${describe(current)}`,
    );
  };
  if (value === null || typeof value !== "object") fail("the plugin", "an object", value);
  const p = value as Record<string, unknown>;
  if (p.apiVersion !== API_VERSION) {
    if (typeof p.apiVersion !== "number") fail("apiVersion", `the number ${API_VERSION}`, p.apiVersion);
    fail("apiVersion", `${API_VERSION} (the version this gradflow supports)`, p.apiVersion);
  }
  if (!PLUGIN_KINDS.includes(p.kind as PluginKind)) fail("kind", `one of ${PLUGIN_KINDS.join(", ")}`, p.kind);
  if (typeof p.name !== "string" || !NAME_PATTERN.test(p.name)) {
    fail("name", 'a kebab-case string such as "my-optimizer"', p.name);
  }
  if (typeof p.create !== "function") fail("create", "a function", p.create);
  if (p.description !== undefined && typeof p.description !== "string") {
    fail("description", "a string when given", p.description);
  }
  if (
    p.defaults !== undefined && (p.defaults === null || typeof p.defaults !== "object" || Array.isArray(p.defaults))
  ) {
    fail("defaults", "an object when given", p.defaults);
  }
  if (
    p.required !== undefined &&
    (p.required === null || typeof p.required !== "object" || Array.isArray(p.required) ||
      !Object.values(p.required).every((v) => typeof v === "string"))
  ) {
    fail("required", "an object of option names and descriptions (strings) when given", p.required);
  }
  return value as Plugin;
}

/** Options of {@linkcode Registry.register}. */
export interface RegisterOptions {
  /** Replace a plugin already registered under the same kind and name. @default {false} */
  override?: boolean;
}

function plural(kind: string): string {
  return kind.endsWith("s") ? `${kind}es` : `${kind}s`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/**
 * The names closest to `name` by edit distance (within about a third of its length).
 *
 * @param name The unknown name.
 * @param candidates The names that exist.
 * @returns The closest candidate, or `undefined` when none is close.
 *
 * @example
 * ```ts
 * import { nearestName } from "./registry.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(nearestName("adma", ["sgd", "adam", "adamw"]), "adam");
 * assert.equal(nearestName("mse-loss", ["hinge", "mse"]), "mse");
 * ```
 */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  const names = [...candidates];
  let best: string | undefined, bestDistance = Infinity;
  for (const c of names) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  if (bestDistance <= Math.max(2, Math.ceil(name.length / 3))) return best;
  // A name that contains a candidate, or is contained in one ("mse-loss", "adam-optimizer"), means it.
  const lower = name.toLowerCase();
  let contained: string | undefined;
  for (const c of names) {
    const l = c.toLowerCase();
    if (
      l.length >= 3 && (lower.includes(l) || l.includes(lower)) &&
      (contained === undefined || c.length > contained.length)
    ) {
      contained = c;
    }
  }
  return contained;
}

/**
 * A set of plugins, looked up by kind and name. Create one with
 * `createRegistry()` from the package root (all built-ins) or `new Registry()`
 * (empty); it belongs to whoever made it.
 *
 * @example Register a plugin and create it by name
 * ```ts
 * import { Registry } from "./registry.ts";
 * import assert from "node:assert/strict";
 *
 * const registry = new Registry();
 * registry.register({ apiVersion: 1, kind: "scheduler", name: "halving", create: () => (k: number) => 2 ** -k });
 * assert.equal(registry.create("scheduler", "halving")(3), 0.125);
 * assert.throws(() => registry.create("scheduler", "halvng"), /did you mean 'halving'/);
 * ```
 */
export class Registry {
  #plugins = new Map<PluginKind, Map<string, Plugin>>();

  /**
   * What this registry passes to every plugin's `create`: gradflow's computing
   * API (`core/api.ts`) and a `create` that looks names up here.
   *
   * @example A plugin that imports nothing computes with the API it is given
   * ```ts
   * import { Registry } from "./registry.ts";
   * import type { Plugin } from "./interfaces.ts";
   * import assert from "node:assert/strict";
   *
   * const l1: Plugin<"loss"> = {
   *   apiVersion: 1,
   *   kind: "loss",
   *   name: "l1",
   *   create: (_options, { gradflow: { abs, mean, sub } }) => (p, t) => mean(abs(sub(p, t))),
   * };
   * const registry = new Registry([l1]);
   * const { tensor } = registry.context.gradflow;
   * assert.equal(registry.create("loss", "l1")(tensor([1, 2]), tensor([0, 0])).item(), 1.5);
   * ```
   */
  readonly context: CreateContext = Object.freeze({
    gradflow,
    create: <K extends PluginKind>(kind: K, spec: PluginSpecifier): PluginKinds[K] => {
      if (typeof spec === "string") return this.create(kind, spec);
      if (spec === null || typeof spec !== "object" || typeof spec.name !== "string") {
        throw new TypeError(
          `Cannot create a ${kind} as it must be given as a name or { name, ...options }: current value is ${
            describe(spec)
          }`,
        );
      }
      const { name, ...options } = spec;
      return this.create(kind, name, options);
    },
  });

  /**
   * Creates a registry holding the given plugins.
   *
   * @param plugins Plugins to register, in order (duplicates throw).
   */
  constructor(plugins: Iterable<Plugin> = []) {
    for (const p of plugins) this.register(p);
  }

  /**
   * Adds a plugin after validating it.
   *
   * @param plugin The descriptor.
   * @param options `override` to replace an existing plugin of the same kind and name.
   * @returns The registry, for chaining.
   * @throws {TypeError} When the descriptor is malformed (the field is named).
   * @throws {Error} When the name is taken and `override` is not set.
   */
  register(plugin: Plugin, options: RegisterOptions = {}): this {
    const p = validatePlugin(plugin, `plugin ${describe((plugin as Plugin | undefined)?.name)}`);
    let byName = this.#plugins.get(p.kind);
    if (byName === undefined) this.#plugins.set(p.kind, byName = new Map());
    if (byName.has(p.name) && !options.override) {
      throw new Error(
        `Cannot register ${p.kind} "${p.name}" as that name is already registered: pass { override: true } to replace it, or choose another name`,
      );
    }
    byName.set(p.name, p);
    return this;
  }

  /**
   * Whether a plugin of this kind and name is registered.
   *
   * @param kind The plugin kind.
   * @param name The plugin name.
   * @returns `true` when registered.
   */
  has(kind: PluginKind, name: string): boolean {
    return this.#plugins.get(kind)?.has(name) ?? false;
  }

  /**
   * The descriptor of a registered plugin.
   *
   * @param kind The plugin kind.
   * @param name The plugin name.
   * @returns The descriptor.
   * @throws {RangeError} Listing the registered names and the nearest match.
   */
  get<K extends PluginKind>(kind: K, name: string): Plugin<K> {
    if (!PLUGIN_KINDS.includes(kind)) {
      throw new RangeError(
        `Cannot look up a plugin as kind must be one of ${PLUGIN_KINDS.join(", ")}: current value is ${describe(kind)}`,
      );
    }
    const found = this.#plugins.get(kind)?.get(name);
    if (found === undefined) {
      const names = [...(this.#plugins.get(kind)?.keys() ?? [])].sort();
      const near = typeof name === "string" ? nearestName(name, names) : undefined;
      const hint = near ? ` (did you mean '${near}'?)` : "";
      throw new RangeError(
        `Cannot find ${kind} ${describe(name)}${hint}: registered ${plural(kind)} are ${
          names.length ? names.join(", ") : "none"
        }`,
      );
    }
    return found as unknown as Plugin<K>;
  }

  /**
   * Builds a registered plugin with the given options.
   *
   * @param kind The plugin kind.
   * @param name The plugin name.
   * @param options The plugin's options (validated by the plugin).
   * @returns What the plugin creates.
   */
  create<K extends PluginKind>(kind: K, name: string, options?: Record<string, unknown>): PluginKinds[K] {
    return this.get(kind, name).create(options as never, this.context);
  }

  /**
   * The registered plugins, of one kind or of all, sorted by kind then name.
   *
   * @param kind Only this kind, when given.
   * @returns The descriptors.
   */
  list(kind?: PluginKind): Plugin[] {
    const kinds = kind === undefined ? PLUGIN_KINDS : [kind];
    return kinds.flatMap((k) =>
      [...(this.#plugins.get(k)?.values() ?? [])].sort((a, b) => a.name.localeCompare(b.name))
    );
  }

  /**
   * Removes a plugin; returns whether it was there.
   *
   * @param kind The plugin kind.
   * @param name The plugin name.
   * @returns `true` when a plugin was removed.
   */
  unregister(kind: PluginKind, name: string): boolean {
    return this.#plugins.get(kind)?.delete(name) ?? false;
  }
}
