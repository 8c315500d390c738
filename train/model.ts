/**
 * Models given as layer instances or as JSON specs resolved through a registry.
 *
 * @module
 */

import type { Layer } from "../core/interfaces.ts";
import type { Registry } from "../core/registry.ts";
import { createRegistry } from "../plugins/mod.ts";

/**
 * A model as data: `{ name, ...options }` of a registered layer, where a
 * `layers` option (of `sequential`) holds further specs (or instances).
 * Plain JSON specs can be stored in a checkpoint or a saved model and rebuilt.
 *
 * @example
 * ```ts
 * import type { ModelSpec } from "./model.ts";
 *
 * const spec: ModelSpec = {
 *   name: "sequential",
 *   layers: [{ name: "dense", units: 8 }, { name: "sigmoid" }, { name: "dense", units: 1 }],
 * };
 * ```
 */
export type ModelSpec =
  | { name: string; layers?: readonly (ModelSpec | Layer)[]; [option: string]: unknown }
  | readonly (ModelSpec | Layer)[];

/**
 * A bare list of layers means `sequential` over them (Keras and PyTorch users write models so).
 *
 * @param spec A layer, a spec, or a list of either.
 * @returns The same, with a list turned into `{ name: "sequential", layers }`.
 *
 * @example
 * ```ts
 * import { normalizeModelSpec } from "./model.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(normalizeModelSpec([{ name: "tanh" }]), { name: "sequential", layers: [{ name: "tanh" }] });
 * ```
 */
export function normalizeModelSpec<T>(spec: T): T | { name: "sequential"; layers: T } {
  return Array.isArray(spec) ? { name: "sequential", layers: spec as T } : spec;
}

/**
 * Whether a value is a layer instance (has `init` and `apply`).
 *
 * @param value Anything.
 * @returns `true` for a layer.
 *
 * @example
 * ```ts
 * import { isLayer } from "./model.ts";
 * import { dense } from "../plugins/layers/dense.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(isLayer(dense({ units: 1 })));
 * assert.ok(!isLayer({ name: "dense", units: 1 }));
 * ```
 */
export function isLayer(value: unknown): value is Layer {
  return value !== null && typeof value === "object" &&
    typeof (value as Layer).init === "function" && typeof (value as Layer).apply === "function";
}

/**
 * Builds a layer from a spec (recursively through `layers` arrays), or returns
 * an instance as it is.
 *
 * @param spec A layer instance or a {@linkcode ModelSpec}.
 * @param registry Where the layer names are looked up. @default {createRegistry(), the built-ins}
 * @param path Where this spec sits, for messages. @default {"model"}
 * @returns The layer.
 * @throws {TypeError} When the spec is neither a layer nor `{ name, ... }` (naming its path), or the name is unknown.
 *
 * @example
 * ```ts
 * import { resolveModel } from "./model.ts";
 * import { createRegistry } from "../plugins/mod.ts";
 * import { Random } from "../core/random.ts";
 * import assert from "node:assert/strict";
 *
 * const model = resolveModel(
 *   { name: "sequential", layers: [{ name: "dense", units: 3 }, { name: "sigmoid" }] },
 *   createRegistry(),
 * );
 * assert.deepEqual(model.init([2], new Random(0)).outputShape, [3]);
 * // The built-in layers need no registry:
 * assert.deepEqual(resolveModel([{ name: "dense", units: 4 }]).init([2], new Random(0)).outputShape, [4]);
 * ```
 */
export function resolveModel(spec: Layer | ModelSpec, registry: Registry = createRegistry(), path = "model"): Layer {
  if (isLayer(spec)) return spec;
  spec = normalizeModelSpec(spec) as ModelSpec;
  if (spec === null || typeof spec !== "object" || typeof (spec as { name?: unknown }).name !== "string") {
    throw new TypeError(
      `Cannot build the model as ${path} must be a layer or { name, ...options }: current value is ${
        spec === null ? "null" : Array.isArray(spec) ? "an array" : typeof spec
      }`,
    );
  }
  const { name, ...options } = spec as { name: string; layers?: unknown };
  if (Array.isArray(options.layers)) {
    options.layers = options.layers.map((child: ModelSpec | Layer, i: number) =>
      resolveModel(child, registry, `${path}.layers[${i}]`)
    );
  }
  return registry.create("layer", name, options);
}

/**
 * The spec as plain JSON when it is one (no layer instances or functions inside), else `null`.
 *
 * @param spec A layer instance or a spec.
 * @returns A deep copy of a JSON spec, or `null`.
 *
 * @example
 * ```ts
 * import { jsonSpec } from "./model.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(jsonSpec({ name: "dense", units: 2 }), { name: "dense", units: 2 });
 * assert.equal(jsonSpec({ name: "dense", initializer: () => 0 }), null);
 * ```
 */
export function jsonSpec(spec: unknown): Record<string, unknown> | null {
  const plain = (v: unknown): boolean => {
    if (v === null || typeof v === "string" || typeof v === "boolean") return true;
    if (typeof v === "number") return Number.isFinite(v);
    if (Array.isArray(v)) return v.every(plain);
    if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v).every(plain);
    return false;
  };
  if (isLayer(spec) || spec === null || typeof spec !== "object" || !plain(spec)) return null;
  return JSON.parse(JSON.stringify(spec));
}
