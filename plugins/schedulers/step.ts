/**
 * Step decay: multiply the step size by γ every few steps.
 *
 * @module
 */

import type { Plugin, Scheduler } from "../../core/interfaces.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { checkStep } from "./_step.ts";

/** Options for {@linkcode step}. */
export interface StepOptions {
  /** The initial step size ε₀. @default {0.01} */
  learningRate?: number;
  /** The period s in steps (an integer ≥ 1); PyTorch's `step_size`. @default {30} */
  stepSize?: number;
  /** The factor γ > 0 applied every s steps. @default {0.1} */
  gamma?: number;
}

/**
 * Step decay, a piecewise-constant schedule:
 *   ε_k = ε₀·γ^⌊k/s⌋
 * so the step size is ε₀ for steps 0 … s − 1, ε₀·γ for s … 2s − 1, and so on.
 *
 * Exactly the closed form of PyTorch's `StepLR` (γ = 0.1 by default), with
 * k counting scheduler steps from 0. PyTorch requires `step_size`; the
 * default 30 here is the period of PyTorch's ImageNet reference recipe.
 *
 * @param options `learningRate`, `stepSize`, `gamma`.
 * @returns The schedule `k → ε_k`.
 *
 * @example
 * ```ts
 * import { step } from "./step.ts";
 * import assert from "node:assert/strict";
 *
 * const schedule = step({ learningRate: 1, stepSize: 2, gamma: 0.5 });
 * assert.deepEqual([0, 1, 2, 3, 4].map(schedule), [1, 1, 0.5, 0.5, 0.25]);
 * ```
 */
export function step(options: StepOptions = {}): Scheduler {
  const owner = 'scheduler "step"';
  checkKeys(owner, options, ["learningRate", "stepSize", "gamma"]);
  const lr = checkNumber(owner, "learningRate", options.learningRate, 0.01, { min: 0 });
  const stepSize = checkNumber(owner, "stepSize", options.stepSize, 30, { min: 1, integer: true });
  const gamma = checkNumber(owner, "gamma", options.gamma, 0.1, { min: 0, minExclusive: true });
  return (k) => lr * gamma ** Math.floor(checkStep(owner, k) / stepSize);
}

/** Registers {@linkcode step} as scheduler "step". */
const plugin: Plugin<"scheduler", StepOptions> = {
  apiVersion: 1,
  kind: "scheduler",
  name: "step",
  description: "ε_k = ε₀·γ^⌊k/s⌋, PyTorch's StepLR.",
  defaults: { learningRate: 0.01, stepSize: 30, gamma: 0.1 },
  create: step,
};
export default plugin;
