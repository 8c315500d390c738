/**
 * Two interleaved spirals.
 *
 * @module
 */

import { checkKeys, checkNumber } from "../../core/options.ts";
import { cos, sin } from "../../core/libm.ts";
import { Random } from "../../core/random.ts";
import { Tensor } from "../../core/tensor.ts";
import type { Dataset } from "./_rows.ts";
import { checkLabels, encodeBinary, type LabelEncoding } from "./_labels.ts";

/** Options for {@linkcode twoSpirals}. */
export interface TwoSpiralsOptions {
  /** The number of samples; sample i has class i mod 2. @default {200} */
  samples?: number;
  /** How many turns each spiral makes. @default {1.25} */
  turns?: number;
  /** The standard deviation of Gaussian noise added to each coordinate. @default {0.05} */
  noise?: number;
  /** The seed of the generator. @default {0} */
  seed?: number;
  /** The target encoding: `"binary"` {0, 1}, `"sign"` {−1, +1}, `"one-hot"`. @default {"binary"} */
  labels?: LabelEncoding;
}

/**
 * Two interleaved spirals in the plane, a classic test that a network can
 * learn a highly non-linear boundary. A point of class c at angle
 * θ = θ₀ + 2π·turns·u (u uniform, θ₀ = 0.25) sits at s·(θ/θ_max)·(cos θ, sin θ)
 * with s = +1 for class 0 and −1 for class 1 (the second spiral is the first
 * turned by half a turn), plus Gaussian noise; radii are at most 1.
 *
 * @param options `samples`, `turns`, `noise`, `seed`, `labels`.
 * @returns `{ x: [samples, 2], y }`.
 * @throws {RangeError | TypeError} For a bad option, naming it.
 *
 * @example
 * ```ts
 * import { twoSpirals } from "./two_spirals.ts";
 * import assert from "node:assert/strict";
 *
 * const { x, y } = twoSpirals({ samples: 50, seed: 3 });
 * assert.deepEqual(x.shape, [50, 2]);
 * assert.deepEqual(y.shape, [50, 1]);
 * assert.ok(x.data.every((v) => Math.abs(v) < 1.5));
 * ```
 */
export function twoSpirals(options: TwoSpiralsOptions = {}): Dataset {
  const owner = 'dataset "two-spirals"';
  checkKeys(owner, options, ["samples", "turns", "noise", "seed", "labels"]);
  const samples = checkNumber(owner, "samples", options.samples, 200, { min: 1, integer: true });
  const turns = checkNumber(owner, "turns", options.turns, 1.25, { min: 0, minExclusive: true });
  const noise = checkNumber(owner, "noise", options.noise, 0.05, { min: 0 });
  const seed = checkNumber(owner, "seed", options.seed, 0, { integer: true });
  const labels = checkLabels(owner, options.labels);
  const rng = new Random(seed);
  const start = 0.25, span = 2 * Math.PI * turns, end = start + span;
  const x = new Float64Array(2 * samples);
  const classes: number[] = [];
  for (let i = 0; i < samples; i++) {
    const c = i % 2;
    const theta = start + span * rng.uniform();
    const r = (c === 0 ? 1 : -1) * theta / end;
    x[2 * i] = r * cos(theta) + (noise === 0 ? 0 : rng.normal(0, noise));
    x[2 * i + 1] = r * sin(theta) + (noise === 0 ? 0 : rng.normal(0, noise));
    classes.push(c);
  }
  return { x: new Tensor(x, [samples, 2]), y: encodeBinary(classes, labels) };
}
