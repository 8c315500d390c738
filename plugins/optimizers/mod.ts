/**
 * The built-in optimizers and gradient transformations: factories and option types.
 *
 * To add an optimizer, append one line to each of the three lists below: its
 * descriptor import, its re-exports, and its descriptor in `optimizerPlugins`.
 *
 * @module
 */

import type { Plugin } from "../../core/interfaces.ts";
import sgdPlugin from "./sgd.ts";
import momentumPlugin from "./momentum.ts";
import nesterovPlugin from "./nesterov.ts";
import adagradPlugin from "./adagrad.ts";
import adadeltaPlugin from "./adadelta.ts";
import rmspropPlugin from "./rmsprop.ts";
import adamPlugin from "./adam.ts";
import adamwPlugin from "./adamw.ts";
import clipByGlobalNormPlugin from "./clip_by_global_norm.ts";
import chainPlugin from "./chain.ts";
import newtonPlugin from "./newton.ts";
import dampedNewtonPlugin from "./damped_newton.ts";
import bfgsPlugin from "./bfgs.ts";
import lbfgsPlugin from "./lbfgs.ts";
import hessianFreePlugin from "./hessian_free.ts";
import conjugateGradientPlugin from "./conjugate_gradient.ts";

export { sgd, type SgdOptions, type SgdState } from "./sgd.ts";
export { momentum, type MomentumOptions } from "./momentum.ts";
export { nesterov, type NesterovOptions } from "./nesterov.ts";
export { adagrad, type AdagradOptions, type AdagradState } from "./adagrad.ts";
export { adadelta, type AdadeltaOptions, type AdadeltaState } from "./adadelta.ts";
export { rmsprop, type RmspropOptions, type RmspropState } from "./rmsprop.ts";
export { adam, type AdamOptions, type AdamState } from "./adam.ts";
export { adamw, type AdamwOptions } from "./adamw.ts";
export { clipByGlobalNorm, type ClipByGlobalNormOptions, type ClipByGlobalNormState } from "./clip_by_global_norm.ts";
export { chain, type ChainOptions, type ChainState } from "./chain.ts";
export { newton, type NewtonOptions, type NewtonState } from "./newton.ts";
export { dampedNewton, type DampedNewtonOptions, type DampedNewtonState } from "./damped_newton.ts";
export { bfgs, type BfgsOptions, type BfgsState } from "./bfgs.ts";
export { lbfgs, type LbfgsOptions, type LbfgsState } from "./lbfgs.ts";
export { hessianFree, type HessianFreeOptions, type HessianFreeState } from "./hessian_free.ts";
export { conjugateGradient, type ConjugateGradientOptions, type ConjugateGradientState } from "./conjugate_gradient.ts";

/** Every built-in optimizer plugin; a new optimizer joins the built-ins by being listed here. */
export const optimizerPlugins: readonly Plugin[] = [
  sgdPlugin,
  momentumPlugin,
  nesterovPlugin,
  adagradPlugin,
  adadeltaPlugin,
  rmspropPlugin,
  adamPlugin,
  adamwPlugin,
  clipByGlobalNormPlugin,
  chainPlugin,
  newtonPlugin,
  dampedNewtonPlugin,
  bfgsPlugin,
  lbfgsPlugin,
  hessianFreePlugin,
  conjugateGradientPlugin,
] as Plugin[];
