/**
 * Fan-in and fan-out of a weight shape, shared by the variance-scaling
 * initializers. gradflow's dense weights are `[fanIn, fanOut]` (inputs ×
 * outputs, as in TF.js and Keras; PyTorch stores `[out, in]`). Axes beyond the
 * second are a receptive field that multiplies both.
 *
 * @module
 */

/** Fan-in and fan-out. */
export interface Fans {
  /** The number of inputs each output sees. */
  fanIn: number;
  /** The number of outputs each input feeds. */
  fanOut: number;
}

/**
 * Computes the fans of a weight shape.
 *
 * @param shape The weight's shape.
 * @returns Its fans (a 1-D shape counts as both).
 *
 * @example
 * ```ts
 * import { fans } from "./_fans.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(fans([784, 256]), { fanIn: 784, fanOut: 256 });
 * ```
 */
export function fans(shape: readonly number[]): Fans {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0], fanOut: shape[0] };
  const receptive = shape.slice(2).reduce((p, n) => p * n, 1);
  return { fanIn: shape[0] * receptive, fanOut: shape[1] * receptive };
}
