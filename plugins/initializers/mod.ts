/**
 * The built-in initializers, by name, so layers can take an initializer's
 * name (`"he-normal"`) as well as a function.
 *
 * @example
 * ```ts
 * import { resolveInitializer } from "./mod.ts";
 * import { Random } from "../../core/random.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(resolveInitializer('layer "dense"', "initializer", "zeros")([2], new Random(0)).toArray(), [0, 0]);
 * ```
 *
 * @module
 */

import type { Initializer, Plugin } from "../../core/interfaces.ts";
import { nearestName, Registry } from "../../core/registry.ts";
import constant from "./constant.ts";
import heNormal from "./he_normal.ts";
import heUniform from "./he_uniform.ts";
import normal from "./normal.ts";
import uniform from "./uniform.ts";
import xavierNormal from "./xavier_normal.ts";
import xavierUniform from "./xavier_uniform.ts";
import zeros from "./zeros.ts";

/**
 * Every built-in initializer plugin; a new initializer joins the built-ins by being listed here.
 *
 * @example
 * ```ts
 * import { initializerPlugins } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(initializerPlugins.some((p) => p.name === "he-uniform"));
 * ```
 */
export const initializerPlugins: readonly Plugin<"initializer">[] = [
  constant,
  heNormal,
  heUniform,
  normal,
  uniform,
  xavierNormal,
  xavierUniform,
  zeros,
] as Plugin<"initializer">[];

/**
 * Turns an initializer option (a function, a built-in name, or
 * `{ name, ...options }`) into an initializer.
 *
 * @param owner Who is asking, for the message.
 * @param option The option name, for the message.
 * @param value The option value.
 * @returns The initializer.
 * @throws {RangeError} For an unknown name (with the nearest match), or a bad option of the named initializer.
 *
 * @example A name, or a name with options
 * ```ts
 * import { resolveInitializer } from "./mod.ts";
 * import { Random } from "../../core/random.ts";
 * import assert from "node:assert/strict";
 *
 * const init = resolveInitializer('layer "dense"', "initializer", { name: "constant", value: 3 });
 * assert.deepEqual(init([2], new Random(0)).toArray(), [3, 3]);
 * assert.throws(() => resolveInitializer('layer "dense"', "initializer", "he-normall"), /did you mean 'he-normal'/);
 * ```
 */
export function resolveInitializer(owner: string, option: string, value: unknown): Initializer {
  if (typeof value === "function") return value as Initializer;
  const spec = typeof value === "string" ? { name: value } : value as { name?: unknown } | null;
  const name = spec?.name;
  const found = initializerPlugins.find((p) => p.name === name);
  if (found === undefined) {
    const names = initializerPlugins.map((p) => p.name);
    const near = typeof name === "string" ? nearestName(name, names) : undefined;
    throw new RangeError(
      `Cannot create ${owner} as ${option} must be an initializer function or one of ${names.join(", ")}${
        near ? ` (did you mean '${near}'?)` : ""
      }: current value is ${JSON.stringify(value)}`,
    );
  }
  const { name: _, ...options } = spec as Record<string, unknown>;
  return found.create(options, new Registry(initializerPlugins).context);
}

export { constant, type ConstantOptions } from "./constant.ts";
export { heNormal, type HeNormalOptions } from "./he_normal.ts";
export { heUniform, type HeUniformOptions } from "./he_uniform.ts";
export { normal, type NormalOptions } from "./normal.ts";
export { uniform, type UniformOptions } from "./uniform.ts";
export { xavierNormal, type XavierNormalOptions } from "./xavier_normal.ts";
export { xavierUniform, type XavierUniformOptions } from "./xavier_uniform.ts";
export { zeros, type ZerosOptions } from "./zeros.ts";
export { type Fans, fans } from "./_fans.ts";
