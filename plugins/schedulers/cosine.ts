/**
 * Cosine annealing from ε₀ down to a floor.
 *
 * @module
 */

import type { Plugin, Scheduler } from "../../core/interfaces.ts";
import { cos } from "../../core/libm.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { checkStep } from "./_step.ts";

/** Options for {@linkcode cosine}. */
export interface CosineOptions {
  /** The initial step size ε₀ (η_max). @default {0.01} */
  learningRate?: number;
  /** The length T_max of the annealing, in steps (an integer ≥ 1); PyTorch's `T_max`. @default {1000} */
  maxSteps?: number;
  /** The floor η_min in [0, learningRate]; PyTorch's `eta_min`. @default {0} */
  minLearningRate?: number;
}

/**
 * Cosine annealing (Loshchilov and Hutter, "SGDR", ICLR 2017, without the
 * restarts):
 *   ε_k = η_min + (ε₀ − η_min)·(1 + cos(π·k/T_max))/2     for k ≤ T_max
 *   ε_k = η_min                                           for k > T_max
 * It starts at ε₀, falls slowly, fastest halfway, and flattens onto η_min at
 * step T_max.
 *
 * For k ≤ T_max exactly the closed form of PyTorch's `CosineAnnealingLR`
 * (η_min = 0 by default; PyTorch requires `T_max`, the default 1000 here is
 * ours). One deliberate difference: past T_max PyTorch's formula keeps
 * following the cosine, so the step size climbs back to ε₀ at 2·T_max; here
 * it stays at η_min, as Optax's `cosine_decay_schedule` and Keras's
 * `CosineDecay` do.
 *
 * @param options `learningRate`, `maxSteps`, `minLearningRate`.
 * @returns The schedule `k → ε_k`.
 *
 * @example
 * ```ts
 * import { cosine } from "./cosine.ts";
 * import assert from "node:assert/strict";
 *
 * const schedule = cosine({ learningRate: 1, maxSteps: 10, minLearningRate: 0.2 });
 * assert.equal(schedule(0), 1);
 * assert.ok(Math.abs(schedule(5) - 0.6) < 1e-15);
 * assert.equal(schedule(10), 0.2);
 * assert.equal(schedule(25), 0.2);
 * ```
 */
export function cosine(options: CosineOptions = {}): Scheduler {
  const owner = 'scheduler "cosine"';
  checkKeys(owner, options, ["learningRate", "maxSteps", "minLearningRate"]);
  const lr = checkNumber(owner, "learningRate", options.learningRate, 0.01, { min: 0 });
  const maxSteps = checkNumber(owner, "maxSteps", options.maxSteps, 1000, { min: 1, integer: true });
  const floor = checkNumber(owner, "minLearningRate", options.minLearningRate, 0, { min: 0, max: lr });
  return (k) => {
    const t = Math.min(checkStep(owner, k), maxSteps);
    return t === maxSteps ? floor : floor + ((lr - floor) * (1 + cos((Math.PI * t) / maxSteps))) / 2;
  };
}

/** Registers {@linkcode cosine} as scheduler "cosine". */
const plugin: Plugin<"scheduler", CosineOptions> = {
  apiVersion: 1,
  kind: "scheduler",
  name: "cosine",
  description:
    "ε_k = η_min + (ε₀ − η_min)(1 + cos(πk/T_max))/2, PyTorch's CosineAnnealingLR, held at η_min after T_max.",
  defaults: { learningRate: 0.01, maxSteps: 1000, minLearningRate: 0 },
  create: cosine,
};
export default plugin;
