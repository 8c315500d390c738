/**
 * Two Gaussian classes in the plane (seed 000, homework 2).
 *
 * @module
 */

import { checkKeys, checkNumber } from "../../core/options.ts";
import { Random } from "../../core/random.ts";
import { type DType, Tensor } from "../../core/tensor.ts";
import { checkDataDtype, dataArray } from "./_dtype.ts";
import type { Dataset } from "./_rows.ts";
import { checkLabels, encodeBinary, type LabelEncoding } from "./_labels.ts";

/** Options for {@linkcode twoGaussians}. */
export interface TwoGaussiansOptions {
  /** The number of samples, split evenly between the classes (sample i has class i mod 2). @default {200} */
  samples?: number;
  /** The seed of the generator. @default {0} */
  seed?: number;
  /** The mean of class 0 and of class 1. @default {[[-1, -1], [1, 1]]} */
  means?: readonly [readonly [number, number], readonly [number, number]];
  /** The standard deviation of each coordinate (isotropic covariance σ²I). @default {1} */
  std?: number;
  /** The target encoding: `"binary"` {0, 1}, `"sign"` {−1, +1} (hinge loss), `"one-hot"`. @default {"binary"} */
  labels?: LabelEncoding;
  /** The element type of `x` and `y` (float64 is one option away). @default {"float32"} */
  dtype?: DType;
}

/**
 * Samples two multivariate Gaussians in 2-D, one per class: the synthetic data
 * of seed 000's homework 2 (the 2-3-5-3-1 sigmoid network with MSE and hinge loss).
 * Class c's points are drawn from N(μ_c, σ²I). Seeded: the same options give the same data.
 *
 * @param options `samples`, `seed`, `means`, `std`, `labels`, `dtype`.
 * @returns `{ x: [samples, 2], y }` with `y` as `labels` says.
 * @throws {RangeError | TypeError} For a bad option, naming it.
 *
 * @example
 * ```ts
 * import { twoGaussians } from "./two_gaussians.ts";
 * import assert from "node:assert/strict";
 *
 * const { x, y } = twoGaussians({ samples: 100, seed: 1, labels: "sign" });
 * assert.deepEqual(x.shape, [100, 2]);
 * assert.deepEqual([...new Set(y.data)].sort(), [-1, 1]);
 * assert.deepEqual(twoGaussians({ samples: 100, seed: 1 }).x.data, x.data);
 * ```
 */
export function twoGaussians(options: TwoGaussiansOptions = {}): Dataset {
  const owner = 'dataset "two-gaussians"';
  checkKeys(owner, options, ["samples", "seed", "means", "std", "labels", "dtype"]);
  const samples = checkNumber(owner, "samples", options.samples, 200, { min: 1, integer: true });
  const seed = checkNumber(owner, "seed", options.seed, 0, { integer: true });
  const std = checkNumber(owner, "std", options.std, 1, { min: 0 });
  const labels = checkLabels(owner, options.labels);
  const dtype = checkDataDtype(owner, options.dtype);
  const means = options.means ?? [[-1, -1], [1, 1]];
  if (
    !Array.isArray(means) || means.length !== 2 ||
    means.some((m) => !Array.isArray(m) || m.length !== 2 || m.some((v) => !Number.isFinite(v)))
  ) {
    throw new RangeError(
      `Cannot create ${owner} as means must be two points [[x, y], [x, y]]: current value is ${JSON.stringify(means)}`,
    );
  }
  const rng = new Random(seed);
  const x = dataArray(dtype, 2 * samples);
  const classes: number[] = [];
  for (let i = 0; i < samples; i++) {
    const c = i % 2;
    x[2 * i] = rng.normal(means[c][0], std);
    x[2 * i + 1] = rng.normal(means[c][1], std);
    classes.push(c);
  }
  return { x: new Tensor(x, [samples, 2]), y: encodeBinary(classes, labels, dtype) };
}
