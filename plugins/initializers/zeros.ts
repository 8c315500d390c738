/**
 * All-zero initialization.
 *
 * @module
 */

import type { Initializer, Plugin } from "../../core/interfaces.ts";
import { checkKeys } from "../../core/options.ts";
import { zeros as zerosTensor } from "../../core/tensor.ts";

/** Options for {@linkcode zeros} (none). */
export type ZerosOptions = Record<string, never>;

/**
 * Fills with 0. The usual choice for biases; for weights it makes every unit
 * of a layer compute the same thing forever (seed 000, homework 1).
 *
 * @param options None.
 * @returns The initializer.
 *
 * @example
 * ```ts
 * import { zeros } from "./zeros.ts";
 * import { Random } from "../../core/random.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(zeros()([2], new Random(0)).toArray(), [0, 0]);
 * ```
 */
export function zeros(options: ZerosOptions = {}): Initializer {
  checkKeys('initializer "zeros"', options, []);
  return (shape, _rng, dtype = "float64") => zerosTensor(shape, dtype);
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
