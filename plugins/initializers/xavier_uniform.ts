/**
 * Xavier/Glorot uniform initialization.
 *
 * @module
 */

import type { Initializer, Plugin } from "../../core/interfaces.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { fans } from "./_fans.ts";
import { fillTensor } from "./_fill.ts";

/** Options for {@linkcode xavierUniform}. */
export interface XavierUniformOptions {
  /** Scale factor (PyTorch's `gain`; √2 suits ReLU, 5/3 tanh). @default {1} */
  gain?: number;
}

/**
 * Xavier/Glorot uniform initialization (Glorot and Bengio, AISTATS 2010; seed
 * 000, "Initialization"): draws from U(−a, a) with
 *   a = gain · √(6 / (fanIn + fanOut)),
 * so the variance gain² · 2 / (fanIn + fanOut) balances the forward and
 * backward signals. Matches `torch.nn.init.xavier_uniform_`; the fans are
 * read from gradflow's `[fanIn, fanOut]` layout (PyTorch's weights are
 * `[out, in]`), and a 1-D shape counts its length as both fans, where PyTorch
 * refuses shapes of fewer than two axes.
 *
 * @param options `gain` (positive, default 1).
 * @returns The initializer.
 * @throws {RangeError} When `gain` is not positive.
 * @throws {TypeError} When `gain` is not a finite number, or for an unknown option.
 *
 * @example
 * ```ts
 * import { xavierUniform } from "./xavier_uniform.ts";
 * import { Random } from "../../core/random.ts";
 * import assert from "node:assert/strict";
 *
 * const w = xavierUniform()([100, 50], new Random(0));
 * const bound = Math.sqrt(6 / 150);
 * assert.ok(w.data.every((v) => Math.abs(v) <= bound));
 * ```
 */
export function xavierUniform(options: XavierUniformOptions = {}): Initializer {
  const owner = 'initializer "xavier-uniform"';
  checkKeys(owner, options, ["gain"]);
  const gain = checkNumber(owner, "gain", options.gain, 1, { min: 0, minExclusive: true });
  return (shape, rng, dtype = "float64") => {
    const { fanIn, fanOut } = fans(Array.isArray(shape) ? shape : []);
    const bound = gain * Math.sqrt(6 / Math.max(1, fanIn + fanOut));
    return fillTensor(owner, shape, dtype, rng, (r) => r.uniform(-bound, bound));
  };
}

/** Registers {@linkcode xavierUniform} as initializer "xavier-uniform". */
const plugin: Plugin<"initializer", XavierUniformOptions> = {
  apiVersion: 1,
  kind: "initializer",
  name: "xavier-uniform",
  description: "Glorot uniform: U(−a, a), a = gain·√(6/(fanIn+fanOut)).",
  defaults: { gain: 1 },
  create: xavierUniform,
};
export default plugin;
