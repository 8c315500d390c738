/**
 * Inverted dropout.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { mul } from "../../core/ops/mod.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { allocate, Tensor } from "../../core/tensor.ts";

/** Options for {@linkcode dropout}. */
export interface DropoutOptions {
  /** The probability p that an element is zeroed, in [0, 1] (PyTorch's `p`). @default {0.5} */
  rate?: number;
}

/**
 * Inverted dropout (Srivastava, Hinton, Krizhevsky, Sutskever and
 * Salakhutdinov, JMLR 15, 2014), as `torch.nn.Dropout(p)`: in training mode
 * each element is kept with probability 1 − p and scaled,
 *   yᵢ = xᵢ · mᵢ / (1 − p),   mᵢ ~ Bernoulli(1 − p) independently,
 * so E[yᵢ] = xᵢ and evaluation needs no rescaling: in evaluation mode (and
 * for p = 0) the layer is the identity. With p = 1 every element is zeroed.
 *
 * The mask is drawn from `context.rng`, one uniform per element in row-major
 * order (mᵢ = 1 when the draw is at least p), so a seeded generator gives a
 * reproducible mask; training mode without `rng` is an error rather than a
 * hidden source of randomness. The gradient is the same mask: ∂yᵢ/∂xᵢ = mᵢ/(1 − p).
 * The seeds do not cover dropout.
 *
 * @param options `rate` (p, default 0.5).
 * @returns The layer (no parameters, no state; output shape = input shape).
 * @throws {RangeError} When `rate` is outside [0, 1].
 * @throws {TypeError} When `rate` is not a finite number, or for an unknown option; at `apply`, in training mode without `context.rng`.
 *
 * @example
 * ```ts
 * import { dropout } from "./dropout.ts";
 * import { Random } from "../../core/random.ts";
 * import { ones } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = dropout({ rate: 0.5 });
 * const { params, state } = layer.init([1000], new Random(0));
 * const x = ones([1, 1000]);
 * const { output } = layer.apply(params, state, x, { training: true, rng: new Random(1) });
 * assert.ok(output.data.every((v) => v === 0 || v === 2)); // kept values are scaled by 1/(1 − p)
 * assert.equal(layer.apply(params, state, x, { training: false }).output, x); // identity in evaluation
 * ```
 */
export function dropout(options: DropoutOptions = {}): Layer<Record<string, never>, Record<string, never>> {
  const owner = 'layer "dropout"';
  checkKeys(owner, options, ["rate"]);
  const rate = checkNumber(owner, "rate", options.rate, 0.5, { min: 0, max: 1 });
  const scale = rate < 1 ? 1 / (1 - rate) : 0;
  return {
    init: (inputShape) => ({ params: {}, state: {}, outputShape: [...inputShape] }),
    apply(_params, state, input, context) {
      if (!context?.training || rate === 0) return { output: input, state };
      const rng = context.rng;
      if (typeof rng?.uniform !== "function") {
        throw new TypeError(
          `Cannot apply ${owner} in training mode as context.rng must be a Random (pass { training: true, rng: new Random(seed) }): current value is ${
            rng === null ? "null" : typeof rng
          }`,
        );
      }
      const mask = allocate(input.dtype, input.size);
      for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() < rate ? 0 : scale;
      return { output: mul(input, new Tensor(mask, input.shape)), state };
    },
  };
}

/** Registers {@linkcode dropout} as layer "dropout". */
const plugin: Plugin<"layer", DropoutOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "dropout",
  description: "Inverted dropout: zero with probability rate, scale by 1/(1 − rate); training only.",
  defaults: { rate: 0.5 },
  create: (options) => dropout(options) as unknown as Layer,
};
export default plugin;
