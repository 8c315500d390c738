/**
 * Uniform initialization on an interval.
 *
 * @module
 */

import type { Initializer, Plugin } from "../../core/interfaces.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { fillTensor } from "./_fill.ts";

/** Options for {@linkcode uniform}. */
export interface UniformOptions {
  /** The lower bound a. @default {0} */
  low?: number;
  /** The upper bound b (at least `low`). @default {1} */
  high?: number;
}

/**
 * Draws each element independently from U(a, b) (seed 000, "Initialization":
 * random weights break the symmetry of a constant start), like
 * `torch.nn.init.uniform_(tensor, a=0.0, b=1.0)` with the same defaults.
 * Mean (a + b)/2, variance (b − a)²/12. The draws come from `rng` in
 * row-major order, so the same seed gives the same tensor.
 *
 * @param options `low` (default 0) and `high` (default 1), with low ≤ high.
 * @returns The initializer.
 * @throws {TypeError} When a bound is not a finite number, or for an unknown option.
 * @throws {RangeError} When `high` is below `low`.
 *
 * @example
 * ```ts
 * import { uniform } from "./uniform.ts";
 * import { Random } from "../../core/random.ts";
 * import assert from "node:assert/strict";
 *
 * const w = uniform({ low: -0.1, high: 0.1 })([3, 4], new Random(0));
 * assert.ok(w.data.every((v) => v >= -0.1 && v <= 0.1));
 * ```
 */
export function uniform(options: UniformOptions = {}): Initializer {
  const owner = 'initializer "uniform"';
  checkKeys(owner, options, ["low", "high"]);
  const low = checkNumber(owner, "low", options.low, 0);
  const high = checkNumber(owner, "high", options.high, 1);
  if (high < low) {
    throw new RangeError(`Cannot create ${owner} as high must be at least low (${low}): current value is ${high}`);
  }
  return (shape, rng, dtype = "float64") => fillTensor(owner, shape, dtype, rng, (r) => r.uniform(low, high));
}

/** Registers {@linkcode uniform} as initializer "uniform". */
const plugin: Plugin<"initializer", UniformOptions> = {
  apiVersion: 1,
  kind: "initializer",
  name: "uniform",
  description: "U(low, high), default U(0, 1).",
  defaults: { low: 0, high: 1 },
  create: uniform,
};
export default plugin;
