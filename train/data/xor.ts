/**
 * The XOR problem.
 *
 * @module
 */

import { checkKeys, checkNumber } from "../../core/options.ts";
import { Random } from "../../core/random.ts";
import { type DType, Tensor } from "../../core/tensor.ts";
import { checkDataDtype, dataArray } from "./_dtype.ts";
import type { Dataset } from "./_rows.ts";
import { checkLabels, encodeBinary, type LabelEncoding } from "./_labels.ts";

/** Options for {@linkcode xor}. */
export interface XorOptions {
  /** The number of samples; sample i sits at corner i mod 4 of the unit square. @default {4} */
  samples?: number;
  /** The standard deviation of Gaussian noise added to each coordinate. @default {0} */
  noise?: number;
  /** The seed of the generator (used only for noise). @default {0} */
  seed?: number;
  /** The target encoding: `"binary"` {0, 1}, `"sign"` {−1, +1}, `"one-hot"`. @default {"binary"} */
  labels?: LabelEncoding;
  /** The element type of `x` and `y` (float64 is one option away). @default {"float32"} */
  dtype?: DType;
}

/**
 * The XOR problem: points at the corners (a, b) ∈ {0, 1}² of the unit square,
 * labelled a XOR b, optionally jittered by Gaussian noise. No straight line
 * separates the classes, so it needs a hidden layer. With the defaults it is
 * the four-row truth table.
 *
 * @param options `samples`, `noise`, `seed`, `labels`, `dtype`.
 * @returns `{ x: [samples, 2], y }`.
 * @throws {RangeError | TypeError} For a bad option, naming it.
 *
 * @example The truth table
 * ```ts
 * import { xor } from "./xor.ts";
 * import assert from "node:assert/strict";
 *
 * const { x, y } = xor();
 * assert.deepEqual(x.toArray(), [[0, 0], [0, 1], [1, 0], [1, 1]]);
 * assert.deepEqual(y.toArray(), [[0], [1], [1], [0]]);
 * ```
 */
export function xor(options: XorOptions = {}): Dataset {
  const owner = 'dataset "xor"';
  checkKeys(owner, options, ["samples", "noise", "seed", "labels", "dtype"]);
  const samples = checkNumber(owner, "samples", options.samples, 4, { min: 1, integer: true });
  const noise = checkNumber(owner, "noise", options.noise, 0, { min: 0 });
  const seed = checkNumber(owner, "seed", options.seed, 0, { integer: true });
  const labels = checkLabels(owner, options.labels);
  const dtype = checkDataDtype(owner, options.dtype);
  const rng = new Random(seed);
  const x = dataArray(dtype, 2 * samples);
  const classes: number[] = [];
  for (let i = 0; i < samples; i++) {
    const a = (i >> 1) & 1, b = i & 1;
    x[2 * i] = noise === 0 ? a : rng.normal(a, noise);
    x[2 * i + 1] = noise === 0 ? b : rng.normal(b, noise);
    classes.push(a ^ b);
  }
  return { x: new Tensor(x, [samples, 2]), y: encodeBinary(classes, labels, dtype) };
}
