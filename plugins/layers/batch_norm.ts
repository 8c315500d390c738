/**
 * Batch normalization.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { add, div, mean, mul, reshape, sqrt, square, sub } from "../../core/ops/mod.ts";
import { checkChoice, checkKeys, checkNumber } from "../../core/options.ts";
import { allocate, type DType, full, Tensor } from "../../core/tensor.ts";

/** Options for {@linkcode batchNorm}. */
export interface BatchNormOptions {
  /** Weight m of the newest batch in the running statistics, in [0, 1] (PyTorch's `momentum`). @default {0.1} */
  momentum?: number;
  /** The ε added to the variance before the square root, non-negative (PyTorch's `eps`; 0 gives NaN on a constant feature). @default {1e-5} */
  epsilon?: number;
  /**
   * The dtype of γ, β and the running statistics. @default {the inputs' dtype: `init`'s `context.dtype` (the
   * training data's, in `train`), float64 when not given}
   */
  dtype?: DType;
}

/** The learned parameters of {@linkcode batchNorm}, one entry per feature (channel). */
export interface BatchNormParams {
  /** The scale γ (PyTorch's `weight`), initially 1. */
  readonly gamma: Tensor;
  /** The shift β (PyTorch's `bias`), initially 0. */
  readonly beta: Tensor;
  /** An index signature, so the value is a plain record (a `StateValue` or `Tree`). */
  readonly [key: string]: Tensor;
}

/** The state of {@linkcode batchNorm}: running statistics, not trained by gradient. */
export interface BatchNormState {
  /** The running mean, initially 0. */
  readonly runningMean: Tensor;
  /** The running (unbiased) variance, initially 1. */
  readonly runningVar: Tensor;
  /** An index signature, so the value is a plain record (a `StateValue` or `Tree`). */
  readonly [key: string]: Tensor;
}

/**
 * Batch normalization (Ioffe and Szegedy, arXiv:1502.03167, 2015; seed 003,
 * section 5). For each feature q, over the B samples of the minibatch 𝓘_t:
 *   μ_q = (1/B) Σᵢ z_{i,q},   σ_q² = (1/B) Σᵢ (z_{i,q} − μ_q)²,
 *   z̃_{i,q} = (z_{i,q} − μ_q) / √(σ_q² + ε),   ẑ_{i,q} = γ_q z̃_{i,q} + β_q.
 * γ (initially 1) and β (initially 0) are parameters; the forward pass is
 * built from ops, so in training mode the gradient flows through μ and σ²
 * as well, to any order.
 *
 * Inputs are `[batch, features]`, or `[batch, channels, …]` normalized per
 * channel (axis 1) over the batch and every later axis, like PyTorch's
 * `BatchNorm1d`/`BatchNorm2d`/`BatchNorm3d`.
 *
 * Matches PyTorch exactly (`momentum` 0.1, `eps` 1e-5, `affine`, and
 * `track_running_stats`): in training mode the batch statistics normalize,
 * with the biased variance σ² above, and the state is updated as
 *   runningMean ← (1 − m)·runningMean + m·μ,
 *   runningVar ← (1 − m)·runningVar + m·σ²·n/(n − 1),
 * the unbiased variance, n being the number of values per feature (B, or B
 * times the spatial size). In evaluation mode the running statistics replace
 * μ and σ² and the state is returned unchanged. Like PyTorch, training mode
 * refuses a batch with one value per feature (n = 1).
 *
 * Where the seed differs: it places the normalization on a layer's
 * pre-activations z, before σ (so put `batch-norm` between `dense` and the
 * activation), says nothing of evaluation, and describes a two-phase update
 * (γ and β first, then the weights); here, as in PyTorch, all parameters are
 * updated together from one gradient.
 *
 * @param options `momentum`, `epsilon`, `dtype`.
 * @returns The layer: params `{ gamma, beta }`, state `{ runningMean, runningVar }`, each of shape `[features]`.
 * @throws {RangeError | TypeError} For a bad option, naming it; at `init`/`apply` for a bad shape or a batch of one.
 *
 * @example Training mode normalizes the batch; evaluation uses the running statistics
 * ```ts
 * import { batchNorm } from "./batch_norm.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = batchNorm({ epsilon: 0 });
 * const { params, state } = layer.init([1], new Random(0));
 * const x = tensor([[1], [3]]);
 * const train = layer.apply(params, state, x, { training: true });
 * assert.deepEqual(train.output.toArray(), [[-1], [1]]);
 * // μ = 2, unbiased variance 2: 0.9·0 + 0.1·2 and 0.9·1 + 0.1·2.
 * assert.deepEqual(train.state.runningMean.toArray(), [0.2]);
 * assert.ok(Math.abs(train.state.runningVar.data[0] - 1.1) < 1e-12);
 * const evaluation = layer.apply(params, train.state, x, { training: false });
 * assert.ok(Math.abs(evaluation.output.data[0] - (1 - 0.2) / Math.sqrt(1.1)) < 1e-12);
 * ```
 */
export function batchNorm(options: BatchNormOptions = {}): Layer<BatchNormParams, BatchNormState> {
  const owner = 'layer "batch-norm"';
  checkKeys(owner, options, ["momentum", "epsilon", "dtype"]);
  const momentum = checkNumber(owner, "momentum", options.momentum, 0.1, { min: 0, max: 1 });
  const epsilon = checkNumber(owner, "epsilon", options.epsilon, 1e-5, { min: 0 });
  const dtype = options.dtype === undefined
    ? undefined
    : checkChoice(owner, "dtype", options.dtype, "float64", ["float32", "float64"] as const);
  return {
    init(inputShape, _rng, context) {
      const features = inputShape[0];
      if (inputShape.length === 0 || !(features > 0)) {
        throw new RangeError(
          `Cannot initialize ${owner} as the input must have at least one feature (shape [features] or [channels, …]): current shape is [${inputShape}]`,
        );
      }
      const type = dtype ?? context?.dtype ?? "float64";
      return {
        params: { gamma: full([features], 1, type), beta: full([features], 0, type) },
        state: { runningMean: full([features], 0, type), runningVar: full([features], 1, type) },
        outputShape: [...inputShape],
      };
    },
    apply(params, state, input, context) {
      const features = params.gamma.shape[0];
      if (input.rank < 2 || input.shape[1] !== features) {
        throw new RangeError(
          `Cannot apply ${owner} as the input must be [batch, ${features}] or [batch, ${features}, …]: current shape is [${input.shape}]`,
        );
      }
      // Broadcast per-feature vectors along axis 1: [1, C, 1, …].
      const perFeature = input.shape.map((n, i) => (i === 1 ? n : 1));
      const gamma = reshape(params.gamma, perFeature), beta = reshape(params.beta, perFeature);
      if (!context?.training) {
        const mu = reshape(state.runningMean, perFeature);
        const scale = sqrt(add(reshape(state.runningVar, perFeature), epsilon));
        return { output: add(mul(div(sub(input, mu), scale), gamma), beta), state };
      }
      const count = input.size / features;
      if (count < 2) {
        throw new RangeError(
          `Cannot apply ${owner} in training mode as each feature needs more than one value to estimate a variance: current shape is [${input.shape}]`,
        );
      }
      const axes = input.shape.map((_, i) => i).filter((i) => i !== 1);
      const mu = mean(input, { axis: axes, keepDims: true });
      const centered = sub(input, mu);
      const variance = mean(square(centered), { axis: axes, keepDims: true });
      const normalized = div(centered, sqrt(add(variance, epsilon)));
      const output = add(mul(normalized, gamma), beta);
      const stats = state.runningMean.dtype;
      const runningMean = allocate(stats, features), runningVar = allocate(stats, features);
      const unbiased = count / (count - 1);
      for (let q = 0; q < features; q++) {
        runningMean[q] = (1 - momentum) * state.runningMean.data[q] + momentum * mu.data[q];
        runningVar[q] = (1 - momentum) * state.runningVar.data[q] + momentum * variance.data[q] * unbiased;
      }
      return {
        output,
        state: { runningMean: new Tensor(runningMean, [features]), runningVar: new Tensor(runningVar, [features]) },
      };
    },
  };
}

/** Registers {@linkcode batchNorm} as layer "batch-norm". */
const plugin: Plugin<"layer", BatchNormOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "batch-norm",
  description: "Batch normalization γ·(z − μ)/√(σ² + ε) + β, with running statistics for evaluation.",
  defaults: { momentum: 0.1, epsilon: 1e-5 },
  create: (options) => batchNorm(options) as unknown as Layer,
};
export default plugin;
