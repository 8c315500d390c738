/**
 * The built-in losses: factories and option types.
 *
 * @module
 */

import type { Plugin } from "../../core/interfaces.ts";
import binaryCrossEntropyPlugin from "./binary_cross_entropy.ts";
import binaryCrossEntropyWithLogitsPlugin from "./binary_cross_entropy_with_logits.ts";
import hingePlugin from "./hinge.ts";
import klDivergencePlugin from "./kl_divergence.ts";
import msePlugin from "./mse.ts";
import multiclassHingePlugin from "./multiclass_hinge.ts";
import softmaxCrossEntropyPlugin from "./softmax_cross_entropy.ts";

export { binaryCrossEntropy, type BinaryCrossEntropyOptions } from "./binary_cross_entropy.ts";
export {
  binaryCrossEntropyWithLogits,
  type BinaryCrossEntropyWithLogitsOptions,
} from "./binary_cross_entropy_with_logits.ts";
export { hinge, type HingeOptions } from "./hinge.ts";
export { klDivergence, type KlDivergenceOptions, type KlReduction } from "./kl_divergence.ts";
export { mse, type MseOptions } from "./mse.ts";
export { multiclassHinge, type MulticlassHingeOptions } from "./multiclass_hinge.ts";
export { softmaxCrossEntropy, type SoftmaxCrossEntropyOptions } from "./softmax_cross_entropy.ts";
export { checkReduction, checkSameShape, reduceLoss, type Reduction } from "./_reduction.ts";

/** Every built-in loss plugin; a new loss joins the built-ins by being listed here. */
export const lossPlugins: readonly Plugin[] = [
  msePlugin,
  binaryCrossEntropyPlugin,
  binaryCrossEntropyWithLogitsPlugin,
  softmaxCrossEntropyPlugin,
  hingePlugin,
  multiclassHingePlugin,
  klDivergencePlugin,
] as Plugin[];
