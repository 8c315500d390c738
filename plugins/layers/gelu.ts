/**
 * The Gaussian error linear unit as a layer.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { gelu as geluOp } from "../../core/ops/mod.ts";
import { checkChoice, checkKeys } from "../../core/options.ts";
import { activationLayer } from "./_activation.ts";

/** Options for {@linkcode gelu}. */
export interface GeluOptions {
  /** `"none"` for the exact x·Φ(x), `"tanh"` for the tanh approximation (PyTorch's `approximate`). @default {"none"} */
  approximate?: "none" | "tanh";
}

/**
 * The Gaussian error linear unit (Hendrycks and Gimpel, 2016) applied
 * elementwise, as `torch.nn.GELU`: exactly `φ(x) = x·Φ(x) = ½·x·(1 + erf(x/√2))`,
 * Φ the standard normal distribution function, or with `approximate: "tanh"`
 * `½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))` (GPT-2's form; within 5e-4 of the
 * exact one). Smooth, so twice differentiable everywhere.
 *
 * @param options `approximate`.
 * @returns The layer (no parameters, no state; output shape = input shape).
 * @throws {RangeError} When `approximate` is not "none" or "tanh".
 * @throws {TypeError} For an unknown option.
 *
 * @example
 * ```ts
 * import { gelu } from "./gelu.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = gelu();
 * const { params, state } = layer.init([2], new Random(0));
 * const { output } = layer.apply(params, state, tensor([[0, 1]]), { training: false });
 * assert.ok(Math.abs(output.data[1] - 0.8413447460685429) < 1e-15); // Φ(1)
 * ```
 */
export function gelu(options: GeluOptions = {}): Layer {
  const owner = 'layer "gelu"';
  checkKeys(owner, options, ["approximate"]);
  const approximate = checkChoice(owner, "approximate", options.approximate, "none", ["none", "tanh"] as const);
  return activationLayer((x) => geluOp(x, { approximate }));
}

/** Registers {@linkcode gelu} as layer "gelu". */
const plugin: Plugin<"layer", GeluOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "gelu",
  description: "GELU x·Φ(x) = ½x(1 + erf(x/√2)), or its tanh approximation (PyTorch's GELU).",
  defaults: { approximate: "none" },
  create: gelu,
};
export default plugin;
