/**
 * Flattening axes into one.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { reshape } from "../../core/ops/mod.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";

/** Options for {@linkcode flatten}. */
export interface FlattenOptions {
  /** The first axis to merge, counting the batch axis as 0 (PyTorch's `start_dim`); negative counts from the end. @default {1} */
  startAxis?: number;
  /** The last axis to merge (PyTorch's `end_dim`). @default {-1} */
  endAxis?: number;
}

/**
 * Merges the axes `startAxis…endAxis` into one, in row-major order, as
 * `torch.nn.Flatten(start_dim, end_dim)`: by default every axis after the
 * batch axis, so `[batch, 64, 7, 7]` becomes `[batch, 3136]` with element
 * `(c, h, w)` at `c·49 + h·7 + w`, PyTorch's order (what a `dense` layer
 * after a convolution expects for weights moved from PyTorch). No copy is
 * made; the gradient is reshaped back.
 *
 * @param options `startAxis` (default 1), `endAxis` (default −1).
 * @returns The layer (no parameters, no state).
 * @throws {TypeError} For an unknown option.
 * @throws {RangeError} When an axis is not an integer; at `init`/`apply`, when the axes are out of range or in the wrong order.
 *
 * @example
 * ```ts
 * import { flatten } from "./flatten.ts";
 * import { Random } from "../../core/random.ts";
 * import { zeros } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = flatten();
 * const { params, state, outputShape } = layer.init([64, 7, 7], new Random(0));
 * assert.deepEqual(outputShape, [3136]);
 * assert.deepEqual(layer.apply(params, state, zeros([2, 64, 7, 7]), { training: false }).output.shape, [2, 3136]);
 * ```
 */
export function flatten(options: FlattenOptions = {}): Layer<Record<string, never>, Record<string, never>> {
  const owner = 'layer "flatten"';
  checkKeys(owner, options, ["startAxis", "endAxis"]);
  const startAxis = checkNumber(owner, "startAxis", options.startAxis, 1, { integer: true });
  const endAxis = checkNumber(owner, "endAxis", options.endAxis, -1, { integer: true });
  const flattened = (action: string, shape: readonly number[]): number[] => {
    const rank = shape.length;
    const start = startAxis < 0 ? startAxis + rank : startAxis, end = endAxis < 0 ? endAxis + rank : endAxis;
    if (start < 0 || end >= rank || start > end) {
      throw new RangeError(
        `Cannot ${action} ${owner} as startAxis ${startAxis} and endAxis ${endAxis} must name axes of the input in order (the batch axis being 0): current shape is [${shape}]`,
      );
    }
    const merged = shape.slice(start, end + 1).reduce((p, n) => p * n, 1);
    return [...shape.slice(0, start), merged, ...shape.slice(end + 1)];
  };
  return {
    init(inputShape) {
      const shape = flattened("initialize", [1, ...inputShape]);
      if (startAxis === 0 || startAxis === -(inputShape.length + 1)) {
        throw new RangeError(
          `Cannot initialize ${owner} as a model's layer must keep the batch axis: startAxis must be at least 1, current value is ${startAxis}`,
        );
      }
      return { params: {}, state: {}, outputShape: shape.slice(1) };
    },
    apply(_params, state, input) {
      return { output: reshape(input, flattened("apply", input.shape)), state };
    },
  };
}

/** Registers {@linkcode flatten} as layer "flatten". */
const plugin: Plugin<"layer", FlattenOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "flatten",
  description: "Merges axes startAxis…endAxis (default all after the batch) into one, PyTorch's Flatten.",
  defaults: { startAxis: 1, endAxis: -1 },
  create: (options) => flatten(options) as unknown as Layer,
};
export default plugin;
