/**
 * Helpers the regularizers share: which parameters are biases, and the step
 * size a `project` call works with.
 *
 * @module
 */

import type { ProjectContext } from "../../core/interfaces.ts";

/**
 * Whether a parameter path names a bias (`…bias` or batch-norm's `…beta`).
 * Regularizers skip these unless `includeBiases` is set (seed 002: "the biases
 * are not included in the regularization term").
 *
 * @param path A dotted parameter path.
 * @returns `true` for biases.
 *
 * @example
 * ```ts
 * import { isBiasPath } from "./_select.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(isBiasPath("0.bias"));
 * assert.ok(isBiasPath("layers.2.beta"));
 * assert.ok(!isBiasPath("0.weight"));
 * ```
 */
export function isBiasPath(path: string): boolean {
  return /(^|\.)(bias|beta)$/.test(path);
}

/**
 * The step size ε a `project` call uses: the context's `learningRate`, or 1
 * when the trainer does not know it (so λ itself is the per-step amount).
 *
 * @param owner Who is asking, e.g. `regularizer "weight-decay"`.
 * @param context The project context.
 * @returns ε.
 * @throws {RangeError} When the learning rate given is not a finite number ≥ 0.
 *
 * @example
 * ```ts
 * import { stepSize } from "./_select.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(stepSize('regularizer "l1"', { step: 1, learningRate: 0.1 }), 0.1);
 * assert.equal(stepSize('regularizer "l1"', { step: 1 }), 1);
 * ```
 */
export function stepSize(owner: string, context: ProjectContext | undefined): number {
  const lr = context?.learningRate;
  if (lr === undefined) return 1;
  if (typeof lr !== "number" || !Number.isFinite(lr) || lr < 0) {
    throw new RangeError(
      `Cannot project with ${owner} as the context's learningRate must be a finite number ≥ 0: current value is ${lr}`,
    );
  }
  return lr;
}
