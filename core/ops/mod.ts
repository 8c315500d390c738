/**
 * Every primitive op of the flow graph. Each records its vector-Jacobian
 * product, built from these same ops, so gradients of gradients work.
 *
 * @example A new loss by composition: no backward pass to write
 * ```ts
 * import { abs, mean, sub } from "./mod.ts";
 * import { grad } from "../autodiff.ts";
 * import { Tensor, tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const meanAbsoluteError = (p: Tensor, t: Tensor) => mean(abs(sub(p, t)));
 * const g = grad((p: Tensor) => meanAbsoluteError(p, tensor([0, 0])))(tensor([2, -1]));
 * assert.deepEqual(g.toArray(), [0.5, -0.5]);
 * ```
 *
 * @module
 */

export * from "./elementwise.ts";
export * from "./reduce.ts";
export * from "./shape.ts";
export * from "./matmul.ts";
export * from "./custom.ts";
export * from "./fused.ts";
export * from "./conv.ts";
export * from "./pool.ts";
export * from "./activation.ts";
