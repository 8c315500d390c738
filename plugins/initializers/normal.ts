/**
 * Normal (Gaussian) initialization.
 *
 * @module
 */

import type { Initializer, Plugin } from "../../core/interfaces.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { fillTensor } from "./_fill.ts";

/** Options for {@linkcode normal}. */
export interface NormalOptions {
  /** The mean μ. @default {0} */
  mean?: number;
  /** The standard deviation σ ≥ 0. @default {1} */
  std?: number;
}

/**
 * Draws each element independently from N(μ, σ²) (seed 000, "Initialization"),
 * like `torch.nn.init.normal_(tensor, mean=0.0, std=1.0)` with the same
 * defaults. The draws come from `rng` (Box–Muller) in row-major order, so the
 * same seed gives the same tensor.
 *
 * @param options `mean` (default 0) and `std` (default 1, non-negative).
 * @returns The initializer.
 * @throws {TypeError} When an option is not a finite number, or for an unknown option.
 * @throws {RangeError} When `std` is negative.
 *
 * @example
 * ```ts
 * import { normal } from "./normal.ts";
 * import { Random } from "../../core/random.ts";
 * import assert from "node:assert/strict";
 *
 * const w = normal({ mean: 5, std: 0.01 })([100], new Random(0));
 * assert.ok(w.data.every((v) => Math.abs(v - 5) < 0.1));
 * ```
 */
export function normal(options: NormalOptions = {}): Initializer {
  const owner = 'initializer "normal"';
  checkKeys(owner, options, ["mean", "std"]);
  const mean = checkNumber(owner, "mean", options.mean, 0);
  const std = checkNumber(owner, "std", options.std, 1, { min: 0 });
  return (shape, rng, dtype = "float64") => fillTensor(owner, shape, dtype, rng, (r) => r.normal(mean, std));
}

/** Registers {@linkcode normal} as initializer "normal". */
const plugin: Plugin<"initializer", NormalOptions> = {
  apiVersion: 1,
  kind: "initializer",
  name: "normal",
  description: "N(mean, std²), default N(0, 1).",
  defaults: { mean: 0, std: 1 },
  create: normal,
};
export default plugin;
