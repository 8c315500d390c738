/**
 * The log-softmax as a layer.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { logSoftmax as logSoftmaxOp } from "../../core/ops/mod.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";

/** Options for {@linkcode logSoftmax}. */
export interface LogSoftmaxOptions {
  /**
   * The class axis of the input, counting the batch axis as 0 (PyTorch's
   * `dim`); negative values count from the end. @default {-1}
   */
  axis?: number;
}

/**
 * The log-softmax `zᵏ − log Σⱼ e^{zʲ}` along one axis, as
 * `torch.nn.LogSoftmax(dim)`: the logarithm of the softmax (seed 000, "Loss
 * Functions"), computed as `(z − m) − log Σ e^{z − m}` with m the maximum, so
 * large logits (710 in float64, 89 in float32) neither overflow nor give
 * −∞. Its outputs are log-probabilities, what PyTorch's `NLLLoss` and the
 * `kl-divergence` loss take. For training a classifier, the logits with
 * `softmax-cross-entropy` do the same in one fused op.
 *
 * @param options `axis` (an integer, default −1).
 * @returns The layer (no parameters, no state; output shape = input shape).
 * @throws {TypeError} For an unknown option.
 * @throws {RangeError} When `axis` is not an integer; at `init`/`apply`, when it names no axis of the input.
 *
 * @example
 * ```ts
 * import { logSoftmax } from "./log_softmax.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = logSoftmax();
 * const { params, state } = layer.init([2], new Random(0));
 * const { output } = layer.apply(params, state, tensor([[0, 0], [1000, 0]]), { training: false });
 * assert.deepEqual(output.toArray(), [[-Math.LN2, -Math.LN2], [0, -1000]]);
 * ```
 */
export function logSoftmax(options: LogSoftmaxOptions = {}): Layer<Record<string, never>, Record<string, never>> {
  const owner = 'layer "log-softmax"';
  checkKeys(owner, options, ["axis"]);
  const axis = checkNumber(owner, "axis", options.axis, -1, { integer: true });
  const checkAxis = (action: string, rank: number, shape: readonly (number | string)[]) => {
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
      checkAxis("initialize", inputShape.length + 1, ["batch", ...inputShape]);
      return { params: {}, state: {}, outputShape: [...inputShape] };
    },
    apply(_params, state, input) {
      checkAxis("apply", input.rank, input.shape);
      return { output: logSoftmaxOp(input, axis), state };
    },
  };
}

/** Registers {@linkcode logSoftmax} as layer "log-softmax". */
const plugin: Plugin<"layer", LogSoftmaxOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "log-softmax",
  description: "Log-softmax z − log Σ e^z along an axis (default −1), stable (PyTorch's LogSoftmax).",
  defaults: { axis: -1 },
  create: (options) => logSoftmax(options) as unknown as Layer,
};
export default plugin;
