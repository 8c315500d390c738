/**
 * Turns an elementwise op into a parameter-free layer; shared by the
 * activation layers.
 *
 * @module
 */

import type { Layer } from "../../core/interfaces.ts";
import type { Tensor } from "../../core/tensor.ts";

/**
 * A layer with no parameters or state that applies `fn` to its input.
 *
 * @param fn The activation.
 * @returns The layer; its output shape equals its input shape.
 *
 * @example
 * ```ts
 * import { activationLayer } from "./_activation.ts";
 * import { neg } from "../../core/ops/mod.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = activationLayer(neg);
 * const { params, state } = layer.init([1], new Random(0));
 * assert.deepEqual(layer.apply(params, state, tensor([[2]]), { training: false }).output.toArray(), [[-2]]);
 * ```
 */
export function activationLayer(fn: (x: Tensor) => Tensor): Layer<Record<string, never>, Record<string, never>> {
  return {
    init: (inputShape) => ({ params: {}, state: {}, outputShape: [...inputShape] }),
    apply: (_params, state, input) => ({ output: fn(input), state }),
  };
}
