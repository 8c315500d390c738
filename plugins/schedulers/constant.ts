/**
 * The constant schedule.
 *
 * @module
 */

import type { Plugin, Scheduler } from "../../core/interfaces.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { checkStep } from "./_step.ts";

/** Options for {@linkcode constant}. */
export interface ConstantOptions {
  /** The step size ε₀. @default {0.01} */
  learningRate?: number;
}

/**
 * The constant schedule ε_k = ε₀ (seed 001: "the most common choice… very
 * robust, but error will stop improving after a while"). PyTorch's default
 * (no scheduler); Optax's `constant_schedule`.
 *
 * @param options `learningRate`.
 * @returns The schedule.
 *
 * @example
 * ```ts
 * import { constant } from "./constant.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(constant({ learningRate: 0.1 })(1000), 0.1);
 * ```
 */
export function constant(options: ConstantOptions = {}): Scheduler {
  const owner = 'scheduler "constant"';
  checkKeys(owner, options, ["learningRate"]);
  const lr = checkNumber(owner, "learningRate", options.learningRate, 0.01, { min: 0 });
  return (step) => {
    checkStep(owner, step);
    return lr;
  };
}

/** Registers {@linkcode constant} as scheduler "constant". */
const plugin: Plugin<"scheduler", ConstantOptions> = {
  apiVersion: 1,
  kind: "scheduler",
  name: "constant",
  description: "ε_k = ε₀.",
  defaults: { learningRate: 0.01 },
  create: constant,
};
export default plugin;
