/**
 * Data for training: seeded generators for the seeds' experiments, loaders for
 * MNIST/Fashion-MNIST IDX files and CSV, and normalization, one-hot and split helpers.
 *
 * @example
 * ```ts
 * import { splitDataset, twoSpirals } from "./mod.ts";
 * import { Random } from "../../core/random.ts";
 * import assert from "node:assert/strict";
 *
 * const { train, validation } = splitDataset(twoSpirals({ samples: 100 }), 0.2, new Random(0));
 * assert.equal(train.x.shape[0] + validation.x.shape[0], 100);
 * ```
 *
 * @module
 */

export { checkDataset, type Dataset, takeRows } from "./_rows.ts";
export type { LabelEncoding } from "./_labels.ts";
export { twoGaussians, type TwoGaussiansOptions } from "./two_gaussians.ts";
export { xor, type XorOptions } from "./xor.ts";
export { twoSpirals, type TwoSpiralsOptions } from "./two_spirals.ts";
export { circle, type CircleOptions } from "./circle.ts";
export { function1d, type Function1dOptions } from "./function_1d.ts";
export { type IdxArray, type IdxValues, parseIdx, readIdx } from "./idx.ts";
export {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DIR,
  loadFashionMnist,
  loadMnist,
  type MnistData,
  type MnistOptions,
} from "./mnist.ts";
export { type CsvData, type CsvOptions, loadCsv, parseCsv } from "./csv.ts";
export { type Standardization, standardize, type Standardized } from "./standardize.ts";
export { oneHot } from "./one_hot.ts";
export { type DatasetSplit, splitDataset } from "./split.ts";
