/**
 * All-zero initialization.
 *
 * @module
 */

import type { Initializer, Plugin } from "../../core/interfaces.ts";
import { checkKeys } from "../../core/options.ts";
import { zeros as zerosTensor } from "../../core/tensor.ts";
import { checkInitArgs } from "./_fill.ts";

/** Options for {@linkcode zeros} (none). */
export type ZerosOptions = Record<string, never>;

/**
 * Fills with 0, like `torch.nn.init.zeros_`. The usual choice for biases; for
 * weights it makes every unit of a layer compute the same thing forever (seed
 * 000, "Initialization" and homework 1). It draws nothing, so `rng` may be
 * any value.
 *
 * @param options None.
 * @returns The initializer.
 * @throws {TypeError} For an unknown option.
 *
 * @example
 * ```ts
 * import { zeros } from "./zeros.ts";
 * import { Random } from "../../core/random.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(zeros()([2], new Random(0)).toArray(), [0, 0]);
 * assert.equal(zeros()([2], new Random(0), "float32").dtype, "float32");
 * ```
 */
export function zeros(options: ZerosOptions = {}): Initializer {
  const owner = 'initializer "zeros"';
  checkKeys(owner, options, []);
  return (shape, rng, dtype = "float64") => {
    checkInitArgs(owner, shape, dtype, rng, false);
    return zerosTensor(shape, dtype);
  };
}

/** Registers {@linkcode zeros} as initializer "zeros". */
const plugin: Plugin<"initializer", ZerosOptions> = {
  apiVersion: 1,
  kind: "initializer",
  name: "zeros",
  description: "Fills with 0.",
  defaults: {},
  create: zeros,
};
export default plugin;
