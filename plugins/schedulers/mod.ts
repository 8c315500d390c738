/**
 * The built-in learning-rate schedules: factories and option types.
 *
 * @module
 */

import type { Plugin } from "../../core/interfaces.ts";
import constantPlugin from "./constant.ts";
import cosinePlugin from "./cosine.ts";
import exponentialPlugin from "./exponential.ts";
import inverseTimePlugin from "./inverse_time.ts";
import linearWarmupPlugin from "./linear_warmup.ts";
import reduceOnPlateauPlugin from "./reduce_on_plateau.ts";
import stepPlugin from "./step.ts";

export { constant, type ConstantOptions } from "./constant.ts";
export { cosine, type CosineOptions } from "./cosine.ts";
export { exponential, type ExponentialOptions } from "./exponential.ts";
export { inverseTime, type InverseTimeOptions } from "./inverse_time.ts";
export { linearWarmup, type LinearWarmupOptions, type ScheduleSpec } from "./linear_warmup.ts";
export { reduceOnPlateau, type ReduceOnPlateauOptions, type ReduceOnPlateauState } from "./reduce_on_plateau.ts";
export { step, type StepOptions } from "./step.ts";

/** Every built-in scheduler plugin; a new scheduler joins the built-ins by being listed here. */
export const schedulerPlugins: readonly Plugin[] = [
  constantPlugin,
  inverseTimePlugin,
  stepPlugin,
  exponentialPlugin,
  cosinePlugin,
  linearWarmupPlugin,
  reduceOnPlateauPlugin,
] as Plugin[];
