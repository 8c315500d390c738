/**
 * Exponential decay: multiply the step size by γ every step.
 *
 * @module
 */

import type { Plugin, Scheduler } from "../../core/interfaces.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { checkStep } from "./_step.ts";

/** Options for {@linkcode exponential}. */
export interface ExponentialOptions {
  /** The initial step size ε₀. @default {0.01} */
  learningRate?: number;
  /** The factor γ > 0 applied every step. @default {0.99} */
  gamma?: number;
}

/**
 * Exponential decay:
 *   ε_k = ε₀·γ^k
 *
 * Exactly the closed form of PyTorch's `ExponentialLR` (and Optax's
 * `exponential_decay` with `transition_steps` 1). PyTorch requires `gamma`;
 * the default 0.99 here is ours.
 *
 * @param options `learningRate`, `gamma`.
 * @returns The schedule `k → ε_k`.
 *
 * @example
 * ```ts
 * import { exponential } from "./exponential.ts";
 * import assert from "node:assert/strict";
 *
 * const schedule = exponential({ learningRate: 1, gamma: 0.5 });
 * assert.deepEqual([0, 1, 2, 3].map(schedule), [1, 0.5, 0.25, 0.125]);
 * ```
 */
export function exponential(options: ExponentialOptions = {}): Scheduler {
  const owner = 'scheduler "exponential"';
  checkKeys(owner, options, ["learningRate", "gamma"]);
  const lr = checkNumber(owner, "learningRate", options.learningRate, 0.01, { min: 0 });
  const gamma = checkNumber(owner, "gamma", options.gamma, 0.99, { min: 0, minExclusive: true });
  return (k) => lr * gamma ** checkStep(owner, k);
}

/** Registers {@linkcode exponential} as scheduler "exponential". */
const plugin: Plugin<"scheduler", ExponentialOptions> = {
  apiVersion: 1,
  kind: "scheduler",
  name: "exponential",
  description: "ε_k = ε₀·γ^k, PyTorch's ExponentialLR.",
  defaults: { learningRate: 0.01, gamma: 0.99 },
  create: exponential,
};
export default plugin;
