/**
 * A disc inside a ring.
 *
 * @module
 */

import { checkKeys, checkNumber } from "../../core/options.ts";
import { cos, sin } from "../../core/libm.ts";
import { Random } from "../../core/random.ts";
import { Tensor } from "../../core/tensor.ts";
import type { Dataset } from "./_rows.ts";
import { checkLabels, encodeBinary, type LabelEncoding } from "./_labels.ts";

/** Options for {@linkcode circle}. */
export interface CircleOptions {
  /** The number of samples; sample i has class i mod 2. @default {200} */
  samples?: number;
  /** The standard deviation of Gaussian noise added to each coordinate. @default {0.05} */
  noise?: number;
  /** The seed of the generator. @default {0} */
  seed?: number;
  /** The target encoding: `"binary"` {0, 1}, `"sign"` {−1, +1}, `"one-hot"`. @default {"binary"} */
  labels?: LabelEncoding;
}

/**
 * Class 1 inside a disc, class 0 in a ring around it (TensorFlow Playground's
 * "circle"): a point at angle θ (uniform) and radius r sits at r·(cos θ, sin θ),
 * with r uniform in [0, 0.5] for class 1 and in [0.7, 1] for class 0, plus
 * Gaussian noise. No straight line separates the classes; one hidden layer of
 * three units does (or x², y² as features).
 *
 * @param options `samples`, `noise`, `seed`, `labels`.
 * @returns `{ x: [samples, 2], y }`.
 * @throws {RangeError | TypeError} For a bad option, naming it.
 *
 * @example
 * ```ts
 * import { circle } from "./circle.ts";
 * import assert from "node:assert/strict";
 *
 * const { x, y } = circle({ samples: 100, noise: 0 });
 * assert.deepEqual(x.shape, [100, 2]);
 * assert.equal(y.data[1], 1);
 * assert.ok(Math.hypot(x.data[2], x.data[3]) <= 0.5); // sample 1, class 1: inside the disc
 * ```
 */
export function circle(options: CircleOptions = {}): Dataset {
  const owner = 'dataset "circle"';
  checkKeys(owner, options, ["samples", "noise", "seed", "labels"]);
  const samples = checkNumber(owner, "samples", options.samples, 200, { min: 1, integer: true });
  const noise = checkNumber(owner, "noise", options.noise, 0.05, { min: 0 });
  const seed = checkNumber(owner, "seed", options.seed, 0, { integer: true });
  const labels = checkLabels(owner, options.labels);
  const rng = new Random(seed);
  const x = new Float64Array(2 * samples);
  const classes: number[] = [];
  for (let i = 0; i < samples; i++) {
    const c = i % 2;
    const r = c === 1 ? 0.5 * rng.uniform() : 0.7 + 0.3 * rng.uniform();
    const theta = 2 * Math.PI * rng.uniform();
    x[2 * i] = r * cos(theta) + (noise === 0 ? 0 : rng.normal(0, noise));
    x[2 * i + 1] = r * sin(theta) + (noise === 0 ? 0 : rng.normal(0, noise));
    classes.push(c);
  }
  return { x: new Tensor(x, [samples, 2]), y: encodeBinary(classes, labels) };
}
