/**
 * Constant initialization.
 *
 * @module
 */

import type { Initializer, Plugin } from "../../core/interfaces.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { full } from "../../core/tensor.ts";
import { checkInitArgs } from "./_fill.ts";

/** Options for {@linkcode constant}. */
export interface ConstantOptions {
  /** The value of every element. Required (as `val` is in `torch.nn.init.constant_`). */
  value: number;
}

/**
 * Fills with one value `c`: θᵢ = c for every i, like `torch.nn.init.constant_`.
 * Seed 000 ("Initialization", homework 1) asks what happens when all weights
 * start at the same non-zero constant: the units of a layer stay identical
 * (their gradients are equal), so this suits biases and batch-norm scales, not
 * weights. It draws nothing, so `rng` may be any value.
 *
 * @param options `value` (required, finite).
 * @returns The initializer.
 * @throws {TypeError} When `value` is missing or not a finite number, or for an unknown option.
 *
 * @example
 * ```ts
 * import { constant } from "./constant.ts";
 * import { Random } from "../../core/random.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(constant({ value: 0.5 })([2, 2], new Random(0)).toArray(), [[0.5, 0.5], [0.5, 0.5]]);
 * ```
 */
export function constant(options: ConstantOptions): Initializer {
  const owner = 'initializer "constant"';
  checkKeys(owner, options, ["value"]);
  if (options?.value === undefined) {
    throw new TypeError(`Cannot create ${owner} as value must be given (a finite number): current value is undefined`);
  }
  const value = checkNumber(owner, "value", options.value, 0);
  return (shape, rng, dtype = "float64") => {
    checkInitArgs(owner, shape, dtype, rng, false);
    return full(shape, value, dtype);
  };
}

/** Registers {@linkcode constant} as initializer "constant". */
const plugin: Plugin<"initializer", ConstantOptions> = {
  apiVersion: 1,
  kind: "initializer",
  name: "constant",
  description: "Fills with one value (option value, required).",
  defaults: {},
  required: { value: "a finite number" },
  create: (options) => constant(options as ConstantOptions),
};
export default plugin;
