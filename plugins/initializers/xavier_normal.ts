/**
 * Xavier/Glorot normal initialization.
 *
 * @module
 */

import type { Initializer, Plugin } from "../../core/interfaces.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { fans } from "./_fans.ts";
import { fillTensor } from "./_fill.ts";

/** Options for {@linkcode xavierNormal}. */
export interface XavierNormalOptions {
  /** Scale factor (PyTorch's `gain`; √2 suits ReLU, 5/3 tanh). @default {1} */
  gain?: number;
}

/**
 * Xavier/Glorot normal initialization (Glorot and Bengio, AISTATS 2010; seed
 * 000, "Initialization"): draws from N(0, σ²) with
 *   σ = gain · √(2 / (fanIn + fanOut)),
 * the same variance as {@linkcode xavierUniform}. Matches
 * `torch.nn.init.xavier_normal_` (a plain normal; Keras' `GlorotNormal` draws
 * from a truncated normal instead). Fans come from gradflow's `[fanIn, fanOut]`
 * layout; a 1-D shape counts its length as both fans, where PyTorch refuses
 * shapes of fewer than two axes.
 *
 * @param options `gain` (positive, default 1).
 * @returns The initializer.
 * @throws {RangeError} When `gain` is not positive.
 * @throws {TypeError} When `gain` is not a finite number, or for an unknown option.
 *
 * @example
 * ```ts
 * import { xavierNormal } from "./xavier_normal.ts";
 * import { Random } from "../../core/random.ts";
 * import assert from "node:assert/strict";
 *
 * const w = xavierNormal()([300, 100], new Random(0));
 * const variance = Array.from(w.data).reduce((s, v) => s + v * v, 0) / w.size;
 * assert.ok(Math.abs(variance - 2 / 400) < 0.0002);
 * ```
 */
export function xavierNormal(options: XavierNormalOptions = {}): Initializer {
  const owner = 'initializer "xavier-normal"';
  checkKeys(owner, options, ["gain"]);
  const gain = checkNumber(owner, "gain", options.gain, 1, { min: 0, minExclusive: true });
  return (shape, rng, dtype = "float64") => {
    const { fanIn, fanOut } = fans(Array.isArray(shape) ? shape : []);
    const std = gain * Math.sqrt(2 / Math.max(1, fanIn + fanOut));
    return fillTensor(owner, shape, dtype, rng, (r) => r.normal(0, std));
  };
}

/** Registers {@linkcode xavierNormal} as initializer "xavier-normal". */
const plugin: Plugin<"initializer", XavierNormalOptions> = {
  apiVersion: 1,
  kind: "initializer",
  name: "xavier-normal",
  description: "Glorot normal: N(0, σ²), σ = gain·√(2/(fanIn+fanOut)).",
  defaults: { gain: 1 },
  create: xavierNormal,
};
export default plugin;
