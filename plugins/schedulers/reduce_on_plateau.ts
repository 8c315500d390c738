/**
 * Reduce the learning rate when a monitored value stops improving.
 *
 * @module
 */

import type { AdaptiveScheduler, Plugin, StateValue } from "../../core/interfaces.ts";
import { checkChoice, checkKeys, checkNumber } from "../../core/options.ts";
import { checkStep } from "./_step.ts";

/** Options for {@linkcode reduceOnPlateau}. */
export interface ReduceOnPlateauOptions {
  /** The initial step size ε₀. @default {0.01} */
  learningRate?: number;
  /** The record key watched at the end of each epoch (Keras's `monitor`). @default {"valLoss"} */
  monitor?: string;
  /**
   * `"min"`: a lower value is better; `"max"`: higher is better; `"auto"`: `"max"` for an accuracy,
   * precision, recall, F1 or AUC key, else `"min"`. @default {"auto"}
   */
  mode?: "min" | "max" | "auto";
  /** The factor the rate is multiplied by on a plateau, in (0, 1). @default {0.1} */
  factor?: number;
  /** Epochs without improvement tolerated before a reduction (an integer ≥ 0). @default {10} */
  patience?: number;
  /** The least improvement that counts (relative or absolute, see `thresholdMode`), ≥ 0. @default {1e-4} */
  threshold?: number;
  /** `"rel"`: better than best·(1 ∓ threshold); `"abs"`: better than best ∓ threshold. @default {"rel"} */
  thresholdMode?: "rel" | "abs";
  /** Epochs after a reduction during which bad epochs are not counted (an integer ≥ 0). @default {0} */
  cooldown?: number;
  /** The floor of the rate, ≥ 0. @default {0} */
  minLearningRate?: number;
  /** A reduction smaller than this is skipped, ≥ 0. @default {1e-8} */
  epsilon?: number;
}

/** State of {@linkcode reduceOnPlateau}: what PyTorch's `ReduceLROnPlateau` keeps. */
export interface ReduceOnPlateauState {
  /** The current learning rate. */
  readonly rate: number;
  /** The best monitored value so far, or `null` before the first epoch. */
  readonly best: number | null;
  /** Epochs since the last improvement (PyTorch's `num_bad_epochs`). */
  readonly badEpochs: number;
  /** Epochs of cooldown left. */
  readonly cooldown: number;
  readonly [key: string]: StateValue;
}

/**
 * Reduce on plateau (PyTorch's `ReduceLROnPlateau`, Keras's callback of the
 * same name): the learning rate is ε₀ until the monitored value (the
 * validation loss by default) has not improved for more than `patience`
 * epochs; it is then multiplied by `factor` (never below `minLearningRate`),
 * and `cooldown` epochs pass before bad epochs count again. After epoch e with
 * value v, in mode "min" with thresholdMode "rel":
 *   improved ⇔ v < best·(1 − threshold)        (best = +∞ at first)
 *   improved: best ← v, bad ← 0;   else bad ← bad + 1
 *   in cooldown: cooldown ← cooldown − 1, bad ← 0
 *   bad > patience: ε ← max(ε·factor, ε_min) if the change exceeds epsilon; cooldown ← its option; bad ← 0
 * ("max" mirrors it with v > best·(1 + threshold); "abs" uses best ∓ threshold),
 * exactly PyTorch's rule and defaults. The reduction applies from the next
 * epoch's first step. Two additions, from Keras's callback: `monitor` names
 * the record key (PyTorch's caller passes the value to `step`), and `mode`
 * defaults to `"auto"`, which is PyTorch's `"min"` for a loss and `"max"` for
 * a score such as `valAccuracy`.
 *
 * Unlike the other schedules it is not a function of the step alone: the
 * trainer gives it the monitored value at each epoch's end and keeps its state,
 * which checkpoints store, so a resumed run reduces exactly when the
 * uninterrupted run would. Called as a plain schedule `(k) → ε`, it gives ε₀.
 * The monitored key must be one the run records (`"valLoss"` needs a
 * validation set; `"loss"` is the training loss).
 *
 * @param options `learningRate`, `monitor`, `mode`, `factor`, `patience`, `threshold`, `thresholdMode`,
 *   `cooldown`, `minLearningRate`, `epsilon`.
 * @returns The adaptive schedule.
 * @throws {TypeError | RangeError} For a bad option, naming it.
 *
 * @example Two bad epochs after the best one, with patience 1, reduce the rate tenfold
 * ```ts
 * import { reduceOnPlateau } from "./reduce_on_plateau.ts";
 * import assert from "node:assert/strict";
 *
 * const schedule = reduceOnPlateau({ learningRate: 0.1, patience: 1 });
 * let state = schedule.init();
 * for (const valLoss of [1.0, 0.5, 0.6, 0.7]) state = schedule.observe(state, valLoss);
 * assert.ok(Math.abs(schedule.rate(state, 40) - 0.01) < 1e-15);
 * assert.equal(schedule(40), 0.1); // as a plain schedule: ε₀
 * ```
 */
export function reduceOnPlateau(options: ReduceOnPlateauOptions = {}): AdaptiveScheduler {
  const owner = 'scheduler "reduce-on-plateau"';
  checkKeys(owner, options, [
    "learningRate",
    "monitor",
    "mode",
    "factor",
    "patience",
    "threshold",
    "thresholdMode",
    "cooldown",
    "minLearningRate",
    "epsilon",
  ]);
  const lr = checkNumber(owner, "learningRate", options.learningRate, 0.01, { min: 0 });
  const monitor = options.monitor ?? "valLoss";
  if (typeof monitor !== "string" || !/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/.test(monitor)) {
    const why =
      `Cannot create ${owner} as monitor must be a record key (letters, digits, _ and .) such as "valLoss": current value is ${
        JSON.stringify(monitor)
      }`;
    throw typeof monitor === "string" ? new RangeError(why) : new TypeError(why);
  }
  const given = checkChoice(owner, "mode", options.mode, "auto", ["min", "max", "auto"]);
  const mode = given !== "auto" ? given : /acc|precision|recall|f1|auc/i.test(monitor) ? "max" : "min";
  const factor = checkNumber(owner, "factor", options.factor, 0.1, {
    min: 0,
    max: 1,
    minExclusive: true,
    maxExclusive: true,
  });
  const patience = checkNumber(owner, "patience", options.patience, 10, { min: 0, integer: true });
  const threshold = checkNumber(owner, "threshold", options.threshold, 1e-4, { min: 0 });
  const thresholdMode = checkChoice(owner, "thresholdMode", options.thresholdMode, "rel", ["rel", "abs"]);
  const cooldown = checkNumber(owner, "cooldown", options.cooldown, 0, { min: 0, integer: true });
  const floor = checkNumber(owner, "minLearningRate", options.minLearningRate, 0, { min: 0 });
  const epsilon = checkNumber(owner, "epsilon", options.epsilon, 1e-8, { min: 0 });
  const better = (v: number, best: number): boolean => {
    if (mode === "min") return thresholdMode === "rel" ? v < best * (1 - threshold) : v < best - threshold;
    return thresholdMode === "rel" ? v > best * (threshold + 1) : v > best + threshold;
  };
  const read = (state: StateValue): ReduceOnPlateauState => {
    const s = state as ReduceOnPlateauState | null;
    if (s === null || typeof s !== "object" || typeof s.rate !== "number" || typeof s.badEpochs !== "number") {
      throw new TypeError(
        `Cannot use ${owner} as its state must be { rate, best, badEpochs, cooldown }: current value is ${
          JSON.stringify(state)
        }`,
      );
    }
    return s;
  };
  const schedule = (k: number) => (checkStep(owner, k), lr);
  return Object.assign(schedule, {
    monitor,
    init: (): ReduceOnPlateauState => ({ rate: lr, best: null, badEpochs: 0, cooldown: 0 }),
    rate: (state: StateValue, k: number) => (checkStep(owner, k), read(state).rate),
    observe(state: StateValue, value: number): ReduceOnPlateauState {
      const s = read(state);
      let { rate, best, badEpochs, cooldown: left } = s;
      const worst = mode === "min" ? Infinity : -Infinity;
      if (better(value, best ?? worst)) {
        best = value;
        badEpochs = 0;
      } else badEpochs++;
      if (left > 0) {
        left--;
        badEpochs = 0;
      }
      if (badEpochs > patience) {
        const reduced = Math.max(rate * factor, floor);
        if (rate - reduced > epsilon) rate = reduced;
        left = cooldown;
        badEpochs = 0;
      }
      return { rate, best, badEpochs, cooldown: left };
    },
  });
}

/** Registers {@linkcode reduceOnPlateau} as scheduler "reduce-on-plateau". */
const plugin: Plugin<"scheduler", ReduceOnPlateauOptions> = {
  apiVersion: 1,
  kind: "scheduler",
  name: "reduce-on-plateau",
  description: "ε ← max(ε·factor, ε_min) after more than patience epochs without improvement (ReduceLROnPlateau).",
  defaults: {
    learningRate: 0.01,
    monitor: "valLoss",
    mode: "auto",
    factor: 0.1,
    patience: 10,
    threshold: 1e-4,
    thresholdMode: "rel",
    cooldown: 0,
    minLearningRate: 0,
    epsilon: 1e-8,
  },
  create: reduceOnPlateau,
};
export default plugin;
