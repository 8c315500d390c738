/**
 * Cutting and replacing gradients: {@linkcode stopGradient} and
 * {@linkcode customVjp} (JAX's `custom_vjp`), the hook for fused kernels.
 *
 * @module
 */

import { record, withRecording } from "../graph.ts";
import { Tensor } from "../tensor.ts";

/**
 * The same values, treated as a constant: no gradient flows through.
 *
 * @param x The input.
 * @returns A tensor sharing the buffer of `x`, outside the flow graph.
 *
 * @example
 * ```ts
 * import { stopGradient } from "./custom.ts";
 * import { grad } from "../autodiff.ts";
 * import { mul } from "./elementwise.ts";
 * import { sum } from "./reduce.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * // d/dx [x · stop(x)] = stop(x): only one factor is differentiated.
 * const g = grad((x) => sum(mul(x, stopGradient(x))))(tensor([3]));
 * assert.deepEqual(g.toArray(), [3]);
 * ```
 */
export function stopGradient(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`Cannot stopGradient as the input must be a Tensor: current value is ${typeof x}`);
  }
  return new Tensor(x.data, x.shape);
}

/** What the forward function of a {@linkcode customVjp} op returns. */
export interface CustomForward<S> {
  /** The op's output. */
  output: Tensor;
  /** Values the backward function needs (activations, masks…). */
  saved: S;
}

/**
 * Defines a differentiable op from a forward function and a hand-written VJP,
 * the contract of JAX's `custom_vjp`: `forward(...inputs)` returns the output
 * and the values it saves; `backward(cotangent, saved, inputs)` returns one
 * cotangent per input (or `null` for none).
 *
 * The forward runs outside the flow graph, so it may use any kernel. Gradients
 * of gradients go through `backward`: build it from ops on `inputs` (not on
 * saved constants) if the op must be twice differentiable.
 *
 * @param name The op name, used in error messages.
 * @param forward Computes the output from the inputs.
 * @param backward Maps the output cotangent to the input cotangents.
 * @returns The new op.
 *
 * @example A fused `x²` whose gradient `2x` is written by hand
 * ```ts
 * import { customVjp } from "./custom.ts";
 * import { grad } from "../autodiff.ts";
 * import { mul } from "./elementwise.ts";
 * import { sum } from "./reduce.ts";
 * import { Tensor, tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const squared = customVjp(
 *   "squared",
 *   (x: Tensor) => ({ output: new Tensor(x.data.map((v) => v * v), x.shape), saved: null }),
 *   (g, _saved, [x]) => [mul(g, mul(x, 2))],
 * );
 * assert.deepEqual(grad((x) => sum(squared(x)))(tensor([1, 3])).toArray(), [2, 6]);
 * ```
 */
export function customVjp<S>(
  name: string,
  forward: (...inputs: Tensor[]) => CustomForward<S>,
  backward: (cotangent: Tensor, saved: S, inputs: readonly Tensor[]) => (Tensor | null)[],
): (...inputs: Tensor[]) => Tensor {
  return (...inputs: Tensor[]): Tensor => {
    inputs.forEach((x, i) => {
      if (!(x instanceof Tensor)) {
        throw new TypeError(`Cannot apply ${name} as input ${i} must be a Tensor: current value is ${typeof x}`);
      }
    });
    const { output, saved } = withRecording(false, () => forward(...inputs));
    if (!(output instanceof Tensor)) {
      throw new TypeError(
        `Cannot apply ${name} as its forward must return { output: Tensor }: current output is ${typeof output}`,
      );
    }
    return record(name, output.data, output.shape, inputs, (g) => {
      const cotangents = backward(g, saved, inputs);
      if (!Array.isArray(cotangents) || cotangents.length !== inputs.length) {
        throw new TypeError(
          `Cannot differentiate ${name} as its backward must return ${inputs.length} cotangents: current count is ${cotangents?.length}`,
        );
      }
      return cotangents;
    });
  };
}
