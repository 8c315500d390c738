/**
 * The check every schedule makes on the step it is given.
 *
 * @module
 */

/**
 * Checks that a schedule's argument is a step: a finite number ≥ 0 (0 for
 * the first update). Fractional steps are allowed, as in Optax.
 *
 * @param owner Who is asking, e.g. `scheduler "cosine"`.
 * @param step The value given.
 * @returns The step.
 * @throws {TypeError} When it is not a number.
 * @throws {RangeError} When it is negative, infinite or NaN.
 *
 * @example
 * ```ts
 * import { checkStep } from "./_step.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkStep('scheduler "constant"', 3), 3);
 * assert.throws(() => checkStep('scheduler "constant"', -1), RangeError);
 * ```
 */
export function checkStep(owner: string, step: unknown): number {
  if (typeof step !== "number") {
    throw new TypeError(`Cannot evaluate ${owner} as the step must be a number: current value is ${typeof step}`);
  }
  if (!(Number.isFinite(step) && step >= 0)) {
    throw new RangeError(`Cannot evaluate ${owner} as the step must be a finite number ≥ 0: current value is ${step}`);
  }
  return step;
}
