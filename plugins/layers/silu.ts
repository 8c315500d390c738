/**
 * The sigmoid linear unit (swish) as a layer.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { silu as siluOp } from "../../core/ops/mod.ts";
import { checkKeys } from "../../core/options.ts";
import { activationLayer } from "./_activation.ts";

/** Options for {@linkcode silu} (none). */
export type SiluOptions = Record<string, never>;

/**
 * The sigmoid linear unit `φ(x) = x·σ(x)` applied elementwise (Elfwing,
 * Uchibe and Doya 2018; called swish by Ramachandran, Zoph and Le 2017), as
 * `torch.nn.SiLU`. Smooth and non-monotone (its minimum is about −0.278 at
 * x ≈ −1.278); its derivative is σ(x)·(1 + x·(1 − σ(x))).
 *
 * @param options None.
 * @returns The layer (no parameters, no state; output shape = input shape).
 * @throws {TypeError} For an unknown option.
 *
 * @example
 * ```ts
 * import { silu } from "./silu.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = silu();
 * const { params, state } = layer.init([2], new Random(0));
 * assert.deepEqual(layer.apply(params, state, tensor([[0, 1000]]), { training: false }).output.toArray(), [[0, 1000]]);
 * ```
 */
export function silu(options: SiluOptions = {}): Layer {
  checkKeys('layer "silu"', options, []);
  return activationLayer(siluOp);
}

/** Registers {@linkcode silu} as layer "silu". */
const plugin: Plugin<"layer", SiluOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "silu",
  description: "Sigmoid linear unit (swish) x·σ(x), elementwise (PyTorch's SiLU).",
  defaults: {},
  create: silu,
};
export default plugin;
