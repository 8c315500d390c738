/**
 * Samples of a function of one variable, for universal approximation.
 *
 * @module
 */

import { checkChoice, checkKeys, checkNumber } from "../../core/options.ts";
import { sin } from "../../core/libm.ts";
import { Random } from "../../core/random.ts";
import { Tensor } from "../../core/tensor.ts";
import type { Dataset } from "./_rows.ts";

/** Options for {@linkcode function1d}. */
export interface Function1dOptions {
  /** The function g to sample. @default {(x) => sin(2πx)} */
  fn?: (x: number) => number;
  /** The interval [low, high] the inputs cover. @default {[0, 1]} */
  range?: readonly [number, number];
  /** The number of samples. @default {100} */
  samples?: number;
  /** `"random"`: inputs drawn uniformly; `"grid"`: evenly spaced from low to high (sorted, for plotting). @default {"random"} */
  spacing?: "random" | "grid";
  /** The standard deviation of Gaussian noise added to the targets. @default {0} */
  noise?: number;
  /** The seed of the generator. @default {0} */
  seed?: number;
}

/**
 * Samples a continuous function g on an interval: the setting of seed 003's
 * universal approximation theorem, where one hidden layer of bounded,
 * monotone σ units, G(x) = Σₘ vₘ σ(wₘ·x + bₘ), gets within ε of g on [0, 1]
 * given enough units M.
 *
 * @param options `fn`, `range`, `samples`, `spacing`, `noise`, `seed`.
 * @returns `{ x: [samples, 1], y: [samples, 1] }` with y = g(x) (+ noise).
 * @throws {RangeError | TypeError} For a bad option, naming it.
 *
 * @example A grid on |x|
 * ```ts
 * import { function1d } from "./function_1d.ts";
 * import assert from "node:assert/strict";
 *
 * const { x, y } = function1d({ fn: Math.abs, range: [-1, 1], samples: 3, spacing: "grid" });
 * assert.deepEqual(x.toArray(), [[-1], [0], [1]]);
 * assert.deepEqual(y.toArray(), [[1], [0], [1]]);
 * ```
 */
export function function1d(options: Function1dOptions = {}): Dataset {
  const owner = 'dataset "function-1d"';
  checkKeys(owner, options, ["fn", "range", "samples", "spacing", "noise", "seed"]);
  const samples = checkNumber(owner, "samples", options.samples, 100, { min: 1, integer: true });
  const spacing = checkChoice(owner, "spacing", options.spacing, "random", ["random", "grid"] as const);
  const noise = checkNumber(owner, "noise", options.noise, 0, { min: 0 });
  const seed = checkNumber(owner, "seed", options.seed, 0, { integer: true });
  const fn = options.fn ?? ((x: number) => sin(2 * Math.PI * x));
  if (typeof fn !== "function") {
    throw new TypeError(`Cannot create ${owner} as fn must be a function of a number: current value is ${typeof fn}`);
  }
  const range = options.range ?? [0, 1];
  if (!Array.isArray(range) || range.length !== 2 || !range.every(Number.isFinite) || !(range[0] < range[1])) {
    throw new RangeError(
      `Cannot create ${owner} as range must be [low, high] with low < high: current value is ${JSON.stringify(range)}`,
    );
  }
  const [low, high] = range;
  const rng = new Random(seed);
  const x = new Float64Array(samples), y = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    x[i] = spacing === "grid" ? (samples === 1 ? low : low + (high - low) * i / (samples - 1)) : rng.uniform(low, high);
    y[i] = fn(x[i]) + (noise === 0 ? 0 : rng.normal(0, noise));
    if (!Number.isFinite(y[i])) {
      throw new RangeError(`Cannot create ${owner} as fn must return finite numbers: fn(${x[i]}) is ${y[i]}`);
    }
  }
  return { x: new Tensor(x, [samples, 1]), y: new Tensor(y, [samples, 1]) };
}
