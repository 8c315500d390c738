/**
 * He/Kaiming uniform initialization.
 *
 * @module
 */

import type { Initializer, Plugin } from "../../core/interfaces.ts";
import { checkChoice, checkKeys, checkNumber } from "../../core/options.ts";
import { fans } from "./_fans.ts";
import { fillTensor } from "./_fill.ts";

/** Options for {@linkcode heUniform}. */
export interface HeUniformOptions {
  /**
   * Scale factor. √2 suits ReLU; for a leaky ReLU of negative slope a use
   * √(2 / (1 + a²)), for a linear unit 1. @default {Math.SQRT2}
   */
  gain?: number;
  /** Which fan sets the variance: `"fan-in"` keeps the forward signal's, `"fan-out"` the backward one's. @default {"fan-in"} */
  mode?: "fan-in" | "fan-out";
}

/**
 * He/Kaiming uniform initialization (He, Zhang, Ren and Sun, "Delving Deep into
 * Rectifiers", ICCV 2015), the ReLU counterpart of seed 000's Xavier
 * initialization: draws from U(−b, b) with
 *   b = gain · √(3 / fan),  fan = fanIn (default) or fanOut,
 * so the variance is gain² / fan = 2 / fanIn for ReLU, which keeps the
 * variance of the pre-activations constant from layer to layer.
 *
 * Matches `torch.nn.init.kaiming_uniform_(w, mode="fan_in", nonlinearity="relu")`.
 * PyTorch's default arguments are `nonlinearity="leaky_relu", a=0`, whose gain
 * √(2 / (1 + 0²)) = √2 is the same, so the defaults agree. Fans come from
 * gradflow's `[fanIn, fanOut]` layout (PyTorch's weights are `[out, in]`); a 1-D
 * shape counts its length as both fans, where PyTorch refuses it. Note that
 * PyTorch's `nn.Linear` default init is this rule with a = √5 (gain √(1/3)),
 * i.e. `heUniform({ gain: Math.sqrt(1 / 3) })`.
 *
 * @param options `gain` (positive, default √2) and `mode` (`"fan-in"` or `"fan-out"`).
 * @returns The initializer.
 * @throws {RangeError} When `gain` is not positive or `mode` is unknown.
 * @throws {TypeError} When `gain` is not a finite number, or for an unknown option.
 *
 * @example
 * ```ts
 * import { heUniform } from "./he_uniform.ts";
 * import { Random } from "../../core/random.ts";
 * import assert from "node:assert/strict";
 *
 * const w = heUniform()([50, 20], new Random(0));
 * const bound = Math.SQRT2 * Math.sqrt(3 / 50);
 * assert.ok(w.data.every((v) => Math.abs(v) <= bound));
 * ```
 */
export function heUniform(options: HeUniformOptions = {}): Initializer {
  const owner = 'initializer "he-uniform"';
  checkKeys(owner, options, ["gain", "mode"]);
  const gain = checkNumber(owner, "gain", options.gain, Math.SQRT2, { min: 0, minExclusive: true });
  const mode = checkChoice(owner, "mode", options.mode, "fan-in", ["fan-in", "fan-out"] as const);
  return (shape, rng, dtype = "float64") => {
    const { fanIn, fanOut } = fans(Array.isArray(shape) ? shape : []);
    const bound = gain * Math.sqrt(3 / Math.max(1, mode === "fan-in" ? fanIn : fanOut));
    return fillTensor(owner, shape, dtype, rng, (r) => r.uniform(-bound, bound));
  };
}

/** Registers {@linkcode heUniform} as initializer "he-uniform". */
const plugin: Plugin<"initializer", HeUniformOptions> = {
  apiVersion: 1,
  kind: "initializer",
  name: "he-uniform",
  description: "Kaiming uniform: U(−b, b), b = gain·√(3/fanIn), gain √2 (ReLU).",
  defaults: { gain: Math.SQRT2, mode: "fan-in" },
  create: heUniform,
};
export default plugin;
