/**
 * Linear warmup in front of another schedule.
 *
 * @module
 */

import type { Plugin, Scheduler } from "../../core/interfaces.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { nearestName, Registry } from "../../core/registry.ts";
import constantPlugin from "./constant.ts";
import cosinePlugin from "./cosine.ts";
import exponentialPlugin from "./exponential.ts";
import inverseTimePlugin from "./inverse_time.ts";
import stepPlugin from "./step.ts";
import { checkStep } from "./_step.ts";

/** A schedule given by name with its options, e.g. `{ name: "cosine", maxSteps: 1000 }`. */
export interface ScheduleSpec {
  /** The built-in schedule's name. */
  name: string;
  /** Its options. */
  [option: string]: unknown;
}

/** Options for {@linkcode linearWarmup}. */
export interface LinearWarmupOptions {
  /**
   * The step size ε₀ handed to `after` when `after` is a name or a spec
   * without its own `learningRate` (or to the default constant schedule).
   * @default {0.01}
   */
  learningRate?: number;
  /**
   * The schedule after the warmup: a function of the step, a built-in
   * schedule's name, or `{ name, ...options }`. It starts from its own step 0
   * when the warmup ends. @default {a constant schedule at learningRate}
   */
  after?: Scheduler | string | ScheduleSpec;
  /** The warmup length W in steps (an integer ≥ 0; 0 disables it). PyTorch `LinearLR`'s `total_iters`. @default {5} */
  warmupSteps?: number;
  /** The factor f₀ in [0, 1] of the first step. PyTorch `LinearLR`'s `start_factor`. @default {1/3} */
  startFactor?: number;
}

/** The built-in schedules `after` may name (this one included, resolved when called). */
function builtins(): Plugin<"scheduler">[] {
  return [constantPlugin, cosinePlugin, exponentialPlugin, inverseTimePlugin, plugin, stepPlugin] as Plugin<
    "scheduler"
  >[];
}

function resolveAfter(owner: string, after: unknown, learningRate: number | undefined): Scheduler {
  const conflict = (where: string) =>
    new RangeError(
      `Cannot create ${owner} as learningRate must be left out when ${where} (the warmup rises to after(0)): current value is ${learningRate}`,
    );
  if (after === undefined) return constantPlugin.create({ learningRate: learningRate ?? 0.01 }, new Registry().context);
  if (typeof after === "function") {
    if (learningRate !== undefined) throw conflict("after is a schedule function");
    return after as Scheduler;
  }
  const spec = typeof after === "string" ? { name: after } : after;
  if (
    spec === null || typeof spec !== "object" || Array.isArray(spec) || typeof (spec as ScheduleSpec).name !== "string"
  ) {
    throw new TypeError(
      `Cannot create ${owner} as after must be a schedule function, a schedule name or { name, ...options }: current value is ${
        JSON.stringify(after)
      }`,
    );
  }
  const { name, ...options } = spec as ScheduleSpec;
  const names = builtins().map((p) => p.name);
  const found = builtins().find((p) => p.name === name);
  if (found === undefined) {
    const near = nearestName(name, names);
    throw new RangeError(
      `Cannot create ${owner} as after must name a built-in schedule (${names.join(", ")})${
        near ? ` (did you mean '${near}'?)` : ""
      }: current value is ${JSON.stringify(name)}`,
    );
  }
  if (learningRate !== undefined) {
    if (options.learningRate !== undefined) throw conflict("after has its own learningRate");
    options.learningRate = learningRate;
  }
  return found.create(options, new Registry(builtins()).context);
}

/**
 * Linear warmup: the step size rises linearly from f₀·ε_peak to ε_peak over
 * W steps, then the wrapped schedule `after` takes over from its own step 0:
 *   ε_k = ε_peak·(f₀ + (1 − f₀)·k/W)    for k < W,   ε_peak = after(0)
 *   ε_k = after(k − W)                   for k ≥ W
 * Warmup keeps the first updates small while adaptive statistics (Adam's
 * moments, batch-norm statistics) are still poor estimates (Goyal et al.,
 * "Accurate, Large Minibatch SGD", 2017).
 *
 * Exactly PyTorch's `SequentialLR([LinearLR(start_factor=f₀, total_iters=W),
 * after], milestones=[W])`, with `LinearLR`'s defaults f₀ = 1/3 and W = 5;
 * PyTorch requires f₀ > 0, here f₀ = 0 (start from zero, as Optax's and
 * Hugging Face's warmups do) is allowed too.
 *
 * @param options `learningRate`, `after`, `warmupSteps`, `startFactor`.
 * @returns The schedule `k → ε_k`.
 *
 * @example Warm up for 4 steps, then cosine annealing
 * ```ts
 * import { linearWarmup } from "./linear_warmup.ts";
 * import assert from "node:assert/strict";
 *
 * const schedule = linearWarmup({ learningRate: 1, warmupSteps: 4, startFactor: 0, after: { name: "cosine", maxSteps: 10 } });
 * assert.deepEqual([0, 1, 2, 3, 4].map(schedule), [0, 0.25, 0.5, 0.75, 1]);
 * assert.equal(schedule(14), 0); // cosine's step 10
 * ```
 */
export function linearWarmup(options: LinearWarmupOptions = {}): Scheduler {
  const owner = 'scheduler "linear-warmup"';
  checkKeys(owner, options, ["learningRate", "after", "warmupSteps", "startFactor"]);
  const learningRate = options.learningRate === undefined
    ? undefined
    : checkNumber(owner, "learningRate", options.learningRate, 0.01, { min: 0 });
  const warmupSteps = checkNumber(owner, "warmupSteps", options.warmupSteps, 5, { min: 0, integer: true });
  const startFactor = checkNumber(owner, "startFactor", options.startFactor, 1 / 3, { min: 0, max: 1 });
  const after = resolveAfter(owner, options.after, learningRate);
  const peak = after(0);
  if (typeof peak !== "number" || !(Number.isFinite(peak) && peak >= 0)) {
    throw new RangeError(
      `Cannot create ${owner} as after(0) must be a finite step size ≥ 0: current value is ${peak}`,
    );
  }
  return (k) => {
    checkStep(owner, k);
    return k < warmupSteps ? peak * (startFactor + ((1 - startFactor) * k) / warmupSteps) : after(k - warmupSteps);
  };
}

/** Registers {@linkcode linearWarmup} as scheduler "linear-warmup". */
const plugin: Plugin<"scheduler", LinearWarmupOptions> = {
  apiVersion: 1,
  kind: "scheduler",
  name: "linear-warmup",
  description: "Linear rise from f₀·after(0) to after(0) over W steps, then after(k − W).",
  defaults: { learningRate: 0.01, warmupSteps: 5, startFactor: 1 / 3 },
  create: linearWarmup,
};
export default plugin;
