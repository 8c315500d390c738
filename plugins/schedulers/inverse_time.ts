/**
 * The 1/k schedule of seed 001.
 *
 * @module
 */

import type { Plugin, Scheduler } from "../../core/interfaces.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { checkStep } from "./_step.ts";

/** Options for {@linkcode inverseTime}. */
export interface InverseTimeOptions {
  /** The initial step size ε₀. @default {0.01} */
  learningRate?: number;
  /** The number of steps τ > 0 after which the step size has halved. @default {100} */
  tau?: number;
}

/**
 * The "1/k schedule" of seed 001:
 *   ε_k = ε₀·τ / (τ + k)
 * It satisfies Σ ε_k = ∞ and Σ ε_k² < ∞, so stochastic gradient descent with
 * it converges asymptotically (for ε₀ small enough); τ sets how long the step
 * stays near ε₀ (ε_τ = ε₀/2), and a poor τ can make convergence slow.
 *
 * The same curve as Keras's `InverseTimeDecay` (ε₀ / (1 + r·k/s) with
 * τ = s/r, not staircased); PyTorch has it only as a `LambdaLR` written by
 * hand. τ has no canonical default; 100 is ours.
 *
 * @param options `learningRate`, `tau`.
 * @returns The schedule `k → ε_k`.
 *
 * @example
 * ```ts
 * import { inverseTime } from "./inverse_time.ts";
 * import assert from "node:assert/strict";
 *
 * const schedule = inverseTime({ learningRate: 0.1, tau: 10 });
 * assert.equal(schedule(0), 0.1);
 * assert.equal(schedule(10), 0.05);
 * ```
 */
export function inverseTime(options: InverseTimeOptions = {}): Scheduler {
  const owner = 'scheduler "inverse-time"';
  checkKeys(owner, options, ["learningRate", "tau"]);
  const lr = checkNumber(owner, "learningRate", options.learningRate, 0.01, { min: 0 });
  const tau = checkNumber(owner, "tau", options.tau, 100, { min: 0, minExclusive: true });
  return (step) => (lr * tau) / (tau + checkStep(owner, step));
}

/** Registers {@linkcode inverseTime} as scheduler "inverse-time". */
const plugin: Plugin<"scheduler", InverseTimeOptions> = {
  apiVersion: 1,
  kind: "scheduler",
  name: "inverse-time",
  description: "ε_k = ε₀·τ/(τ + k), seed 001's 1/k schedule.",
  defaults: { learningRate: 0.01, tau: 100 },
  create: inverseTime,
};
export default plugin;
