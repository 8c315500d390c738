/**
 * Binary cross-entropy from logits, in the stable form.
 *
 * @module
 */

import type { Loss, Plugin } from "../../core/interfaces.ts";
import * as libm from "../../core/libm.ts";
import { abs, add, broadcastTo, cast, customVjp, exp, log, mul, neg, relu, sigmoid, sub } from "../../core/ops/mod.ts";
import { checkKeys } from "../../core/options.ts";
import { allocate, astype, full, Tensor, tensor } from "../../core/tensor.ts";
import { checkReduction, checkSameShape, reduceLoss, type Reduction } from "./_reduction.ts";

/** Options for {@linkcode binaryCrossEntropyWithLogits}. */
export interface BinaryCrossEntropyWithLogitsOptions {
  /** Combine the per-element losses by `"mean"` over all elements, `"sum"`, or `"none"`. @default {"mean"} */
  reduction?: Reduction;
  /**
   * Weight p of the positive term (PyTorch's `pos_weight`): a number, or a
   * tensor (or array) broadcast against the predictions, typically one value
   * per class along the last axis. Every value must be finite and ≥ 0.
   * @default {1}
   */
  posWeight?: number | readonly number[] | Tensor;
}

function checkPosWeight(owner: string, value: unknown): Tensor | null {
  if (value === undefined) return null;
  let t: Tensor | null = null;
  if (typeof value === "number") t = tensor([value], []);
  else if (value instanceof Tensor) t = value;
  else if (Array.isArray(value) && value.every((v) => typeof v === "number")) t = tensor(value as number[]);
  if (t === null) {
    throw new TypeError(
      `Cannot create ${owner} as posWeight must be a number, an array of numbers or a Tensor: current value is ${
        JSON.stringify(value)
      }`,
    );
  }
  for (const v of t.data) {
    if (!(Number.isFinite(v) && v >= 0)) {
      throw new RangeError(
        `Cannot create ${owner} as posWeight must hold finite numbers in [0, ∞): current value is ${v}`,
      );
    }
  }
  return t;
}

/** softplus(−x) = log(1 + e^{−x}) = max(−x, 0) + log(1 + e^{−|x|}), from ops. */
function softplusOfNegative(x: Tensor): Tensor {
  return add(relu(neg(x)), log(add(exp(neg(abs(x))), 1)));
}

/**
 * The per-element loss (1 − z)·x + w·softplus(−x) with w = 1 + (p − 1)·z.
 * The forward pass is computed stably in float64; the gradient
 * (1 − z) − w·σ(−x) (= σ(x) − z when p = 1) is built from ops, so it is
 * exact at x = 0 and differentiates again.
 */
const elementwise = customVjp(
  "binaryCrossEntropyWithLogits",
  (x: Tensor, z: Tensor, p: Tensor) => {
    const out = allocate(x.dtype, x.size);
    for (let i = 0; i < out.length; i++) {
      const xi = x.data[i], zi = z.data[i];
      const w = 1 + (p.data[i] - 1) * zi;
      // max(x, 0) − x·z + log(1 + e^{−|x|}) when p = 1.
      out[i] = (1 - zi) * xi + w * (Math.max(-xi, 0) + libm.log1p(libm.exp(-Math.abs(xi))));
    }
    return { output: new Tensor(out, x.shape), saved: null };
  },
  (g, _saved, [x, z, p]) => {
    const w = add(mul(sub(p, 1), z), 1);
    return [
      x._node === null ? null : mul(g, sub(sub(1, z), mul(w, sigmoid(neg(x))))),
      z._node === null ? null : mul(g, sub(mul(sub(p, 1), softplusOfNegative(x)), x)),
      null,
    ];
  },
);

/**
 * Binary cross-entropy of a sigmoid output computed from the logit x, seed
 * 002's eq. 25 with a = σ(x), in the stable form that never exponentiates a
 * large positive number:
 *   C = max(x, 0) − x·z + log(1 + e^{−|x|})
 * and with a positive weight p (PyTorch's `pos_weight`),
 *   C = −[p·z·ln σ(x) + (1 − z)·ln(1 − σ(x))] = (1 − z)·x + (1 + (p − 1)·z)·log(1 + e^{−x}).
 * Its gradient is ∂C/∂x = σ(x) − z (p = 1): seed 002's δ = a − y (eq. 26).
 *
 * Exactly PyTorch's `BCEWithLogitsLoss` (no `weight`), with `pos_weight` as
 * `posWeight`; the gradient is exact everywhere, including x = 0, and finite
 * for any finite logit in float32 and float64. Targets may be soft (any value
 * in [0, 1]); they are not range-checked, as in PyTorch.
 *
 * @param options `reduction`, `posWeight`.
 * @returns The loss `(predictions, targets) → Tensor`.
 *
 * @example
 * ```ts
 * import { binaryCrossEntropyWithLogits } from "./binary_cross_entropy_with_logits.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const loss = binaryCrossEntropyWithLogits();
 * assert.ok(Math.abs(loss(tensor([0]), tensor([1])).item() - Math.LN2) < 1e-15);
 * assert.equal(loss(tensor([1000]), tensor([0])).item(), 1000); // no overflow
 * ```
 */
export function binaryCrossEntropyWithLogits(options: BinaryCrossEntropyWithLogitsOptions = {}): Loss {
  const owner = 'loss "binary-cross-entropy-with-logits"';
  checkKeys(owner, options, ["reduction", "posWeight"]);
  const reduction = checkReduction(owner, options.reduction);
  const posWeight = checkPosWeight(owner, options.posWeight);
  return (predictions, targets) => {
    checkSameShape(owner, predictions, targets);
    let p: Tensor;
    if (posWeight === null) {
      p = full(predictions.shape, 1, predictions.dtype);
    } else {
      if (!broadcastsTo(posWeight.shape, predictions.shape)) {
        throw new RangeError(
          `Cannot compute ${owner} for predictions of shape [${predictions.shape}] and posWeight of shape [${posWeight.shape}]: posWeight must broadcast to the predictions' shape`,
        );
      }
      p = broadcastTo(astype(posWeight, predictions.dtype), predictions.shape);
    }
    return reduceLoss(elementwise(predictions, cast(targets, predictions.dtype), p), reduction);
  };
}

/** Whether a tensor of shape `from` broadcasts to exactly `to`. */
function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  if (from.length > to.length) return false;
  return from.every((n, i) => n === 1 || n === to[to.length - from.length + i]);
}

/** Registers {@linkcode binaryCrossEntropyWithLogits} as loss "binary-cross-entropy-with-logits". */
const plugin: Plugin<"loss", BinaryCrossEntropyWithLogitsOptions> = {
  apiVersion: 1,
  kind: "loss",
  name: "binary-cross-entropy-with-logits",
  description: "Stable sigmoid cross-entropy max(x, 0) − x·z + log(1 + e^{−|x|}), optional posWeight.",
  defaults: { reduction: "mean" },
  create: binaryCrossEntropyWithLogits,
};
export default plugin;
