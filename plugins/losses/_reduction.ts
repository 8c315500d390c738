/**
 * The `reduction` option every loss shares, and the shape check before it.
 *
 * @module
 */

import { mean, sum } from "../../core/ops/mod.ts";
import { checkChoice } from "../../core/options.ts";
import { shapesEqual, Tensor } from "../../core/tensor.ts";

/** How per-element losses are combined: PyTorch's `reduction`. */
export type Reduction = "mean" | "sum" | "none";

/**
 * Validates the `reduction` option.
 *
 * @param owner Who is asking, e.g. `loss "mse"`.
 * @param value The value given.
 * @returns The reduction (default `"mean"`).
 *
 * @example
 * ```ts
 * import { checkReduction } from "./_reduction.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkReduction('loss "mse"', undefined), "mean");
 * ```
 */
export function checkReduction(owner: string, value: unknown): Reduction {
  return checkChoice(owner, "reduction", value, "mean", ["mean", "sum", "none"] as const);
}

/**
 * Combines per-element (or per-sample) losses.
 *
 * @param values The losses.
 * @param reduction `"mean"`, `"sum"` or `"none"`.
 * @returns A scalar tensor, or `values` for `"none"`.
 *
 * @example
 * ```ts
 * import { reduceLoss } from "./_reduction.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(reduceLoss(tensor([1, 3]), "mean").item(), 2);
 * ```
 */
export function reduceLoss(values: Tensor, reduction: Reduction): Tensor {
  return reduction === "mean" ? mean(values) : reduction === "sum" ? sum(values) : values;
}

/**
 * Checks that predictions and targets are tensors of the same shape.
 *
 * @param owner Who is asking.
 * @param predictions The predictions.
 * @param targets The targets.
 * @throws {RangeError} Naming both shapes.
 *
 * @example
 * ```ts
 * import { checkSameShape } from "./_reduction.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => checkSameShape('loss "mse"', tensor([1, 2]), tensor([1])), /\[2\] and targets of shape \[1\]/);
 * ```
 */
export function checkSameShape(owner: string, predictions: Tensor, targets: Tensor): void {
  if (!(predictions instanceof Tensor) || !(targets instanceof Tensor)) {
    throw new TypeError(`Cannot compute ${owner} as predictions and targets must be Tensors`);
  }
  if (!shapesEqual(predictions.shape, targets.shape)) {
    throw new RangeError(
      `Cannot compute ${owner} for predictions of shape [${predictions.shape}] and targets of shape [${targets.shape}]: the shapes must be equal`,
    );
  }
}
