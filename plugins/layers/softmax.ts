/**
 * The softmax as a layer.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { softmax as softmaxOp } from "../../core/ops/mod.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";

/** Options for {@linkcode softmax}. */
export interface SoftmaxOptions {
  /**
   * The class axis of the input, counting the batch axis as 0 (PyTorch's
   * `dim`); negative values count from the end. @default {-1}
   */
  axis?: number;
}

/**
 * The softmax `oᵏ = e^{zᵏ} / Σⱼ e^{zʲ}` along one axis (seed 000, "Loss
 * Functions": the output layer whose values are class probabilities). It is
 * computed as `exp(z − logSumExp(z))`, so large logits (710 in float64, 89
 * in float32) give no overflow and no NaN. Like `torch.nn.Softmax(dim)`, the
 * axis counts the batch axis; the default −1 (the last axis) is what
 * PyTorch's implicit choice gives for a `[batch, classes]` input.
 *
 * For training a classifier, prefer feeding the logits to
 * `softmax-cross-entropy`, which fuses the two stably.
 *
 * @param options `axis` (an integer, default −1).
 * @returns The layer (no parameters, no state; output shape = input shape).
 * @throws {TypeError} For an unknown option.
 * @throws {RangeError} When `axis` is not an integer; at `init`/`apply`, when it names no axis of the input.
 *
 * @example
 * ```ts
 * import { softmax } from "./softmax.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = softmax();
 * const { params, state } = layer.init([2], new Random(0));
 * const { output } = layer.apply(params, state, tensor([[0, 0], [1000, 0]]), { training: false });
 * assert.deepEqual(output.toArray(), [[0.5, 0.5], [1, 0]]);
 * ```
 */
export function softmax(options: SoftmaxOptions = {}): Layer<Record<string, never>, Record<string, never>> {
  const owner = 'layer "softmax"';
  checkKeys(owner, options, ["axis"]);
  const axis = checkNumber(owner, "axis", options.axis, -1, { integer: true });
  const checkAxis = (action: string, rank: number, shape: readonly number[]) => {
    if (axis < -rank || axis >= rank) {
      throw new RangeError(
        `Cannot ${action} ${owner} as axis ${axis} must name an axis of the input (an integer in [${-rank}, ${
          rank - 1
        }], the batch axis being 0): current shape is [${shape}]`,
      );
    }
  };
  return {
    init(inputShape) {
      checkAxis("initialize", inputShape.length + 1, ["batch", ...inputShape] as unknown as number[]);
      return { params: {}, state: {}, outputShape: [...inputShape] };
    },
    apply(_params, state, input) {
      checkAxis("apply", input.rank, input.shape);
      return { output: softmaxOp(input, axis), state };
    },
  };
}

/** Registers {@linkcode softmax} as layer "softmax". */
const plugin: Plugin<"layer", SoftmaxOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "softmax",
  description: "Softmax e^z / Σ e^z along an axis (default −1), stable.",
  defaults: { axis: -1 },
  create: (options) => softmax(options) as unknown as Layer,
};
export default plugin;
