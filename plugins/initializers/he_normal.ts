/**
 * He/Kaiming normal initialization.
 *
 * @module
 */

import type { Initializer, Plugin } from "../../core/interfaces.ts";
import { checkChoice, checkKeys, checkNumber } from "../../core/options.ts";
import { fans } from "./_fans.ts";
import { fillTensor } from "./_fill.ts";

/** Options for {@linkcode heNormal}. */
export interface HeNormalOptions {
  /**
   * Scale factor. √2 suits ReLU; for a leaky ReLU of negative slope a use
   * √(2 / (1 + a²)), for a linear unit 1. @default {Math.SQRT2}
   */
  gain?: number;
  /** Which fan sets the variance: `"fan-in"` keeps the forward signal's, `"fan-out"` the backward one's. @default {"fan-in"} */
  mode?: "fan-in" | "fan-out";
}

/**
 * He/Kaiming normal initialization (He, Zhang, Ren and Sun, "Delving Deep into
 * Rectifiers", ICCV 2015), the ReLU counterpart of seed 000's Xavier
 * initialization: draws from N(0, σ²) with
 *   σ = gain / √fan,  fan = fanIn (default) or fanOut,
 * so σ² = 2 / fanIn for ReLU.
 *
 * Matches `torch.nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")`
 * (a plain normal; Keras' `HeNormal` draws from a truncated normal instead).
 * PyTorch's default arguments are `nonlinearity="leaky_relu", a=0`, whose gain
 * √(2 / (1 + 0²)) = √2 is the same, so the defaults agree. Fans come from
 * gradflow's `[fanIn, fanOut]` layout (PyTorch's weights are `[out, in]`); a 1-D
 * shape counts its length as both fans, where PyTorch refuses it.
 *
 * @param options `gain` (positive, default √2) and `mode` (`"fan-in"` or `"fan-out"`).
 * @returns The initializer.
 * @throws {RangeError} When `gain` is not positive or `mode` is unknown.
 * @throws {TypeError} When `gain` is not a finite number, or for an unknown option.
 *
 * @example
 * ```ts
 * import { heNormal } from "./he_normal.ts";
 * import { Random } from "../../core/random.ts";
 * import assert from "node:assert/strict";
 *
 * const w = heNormal()([200, 100], new Random(0));
 * const variance = Array.from(w.data).reduce((s, v) => s + v * v, 0) / w.size;
 * assert.ok(Math.abs(variance - 2 / 200) < 0.0005);
 * ```
 */
export function heNormal(options: HeNormalOptions = {}): Initializer {
  const owner = 'initializer "he-normal"';
  checkKeys(owner, options, ["gain", "mode"]);
  const gain = checkNumber(owner, "gain", options.gain, Math.SQRT2, { min: 0, minExclusive: true });
  const mode = checkChoice(owner, "mode", options.mode, "fan-in", ["fan-in", "fan-out"] as const);
  return (shape, rng, dtype = "float64") => {
    const { fanIn, fanOut } = fans(Array.isArray(shape) ? shape : []);
    const std = gain / Math.sqrt(Math.max(1, mode === "fan-in" ? fanIn : fanOut));
    return fillTensor(owner, shape, dtype, rng, (r) => r.normal(0, std));
  };
}

/** Registers {@linkcode heNormal} as initializer "he-normal". */
const plugin: Plugin<"initializer", HeNormalOptions> = {
  apiVersion: 1,
  kind: "initializer",
  name: "he-normal",
  description: "Kaiming normal: N(0, σ²), σ = gain/√fanIn, gain √2 (ReLU).",
  defaults: { gain: Math.SQRT2, mode: "fan-in" },
  create: heNormal,
};
export default plugin;
