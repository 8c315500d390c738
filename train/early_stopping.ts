/**
 * Early stopping on a monitored metric (seed 000, "Termination Criteria").
 *
 * @module
 */

/** Options of early stopping (the trainer's `earlyStopping`). */
export interface EarlyStoppingOptions {
  /** The record key to watch. @default {"valLoss"} */
  monitor?: string;
  /** Epochs without improvement to wait before stopping. @default {5} */
  patience?: number;
  /** The least change that counts as an improvement. @default {0} */
  minDelta?: number;
  /** Whether lower (`"min"`) or higher (`"max"`) is better. @default {"max" for accuracy-like keys, else "min"} */
  mode?: "min" | "max";
  /** At the end, put back the weights of the best epoch. @default {true} */
  restoreBest?: boolean;
}

/** Early stopping's options with every default filled in. */
export interface EarlyStoppingConfig {
  /** The record key watched. */
  monitor: string;
  /** Epochs to wait. */
  patience: number;
  /** The least improvement. */
  minDelta: number;
  /** Which direction is better. */
  mode: "min" | "max";
  /** Whether the best weights are restored. */
  restoreBest: boolean;
}

/** What early stopping remembers between epochs (stored in checkpoints). */
export interface EarlyStoppingState {
  /** The best value seen, or `null` before the first epoch. */
  best: number | null;
  /** The epoch of the best value, or `null`. */
  bestEpoch: number | null;
  /** Epochs since the last improvement. */
  wait: number;
}

/**
 * Validates early-stopping options and fills in the defaults.
 *
 * @param options The options (`true` means all defaults).
 * @returns The configuration.
 * @throws {TypeError | RangeError} For a bad option, naming it.
 *
 * @example
 * ```ts
 * import { earlyStoppingConfig } from "./early_stopping.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(earlyStoppingConfig({ monitor: "valAccuracy" }).mode, "max");
 * assert.throws(() => earlyStoppingConfig({ patience: -1 }), RangeError);
 * ```
 */
export function earlyStoppingConfig(options: EarlyStoppingOptions | true): EarlyStoppingConfig {
  const o: EarlyStoppingOptions = options === true ? {} : options;
  const owner = "Cannot use early stopping as";
  if (o === null || typeof o !== "object") {
    throw new TypeError(`${owner} its options must be an object: current value is ${o}`);
  }
  const known = ["monitor", "patience", "minDelta", "mode", "restoreBest"];
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) {
      throw new TypeError(`${owner} it has an unknown option "${key}": known options are ${known.join(", ")}`);
    }
  }
  const monitor = o.monitor ?? "valLoss";
  if (typeof monitor !== "string" || monitor === "") {
    throw new TypeError(`${owner} monitor must be a record key such as "valLoss": current value is ${monitor}`);
  }
  const patience = o.patience ?? 5;
  if (!Number.isInteger(patience) || patience < 0) {
    throw new RangeError(`${owner} patience must be a non-negative integer: current value is ${patience}`);
  }
  const minDelta = o.minDelta ?? 0;
  if (typeof minDelta !== "number" || !(minDelta >= 0) || !Number.isFinite(minDelta)) {
    throw new RangeError(`${owner} minDelta must be a non-negative number: current value is ${minDelta}`);
  }
  const mode = o.mode ?? (/acc/i.test(monitor) ? "max" : "min");
  if (mode !== "min" && mode !== "max") {
    throw new RangeError(`${owner} mode must be one of "min", "max": current value is ${JSON.stringify(mode)}`);
  }
  const restoreBest = o.restoreBest ?? true;
  if (typeof restoreBest !== "boolean") {
    throw new TypeError(`${owner} restoreBest must be true or false: current value is ${restoreBest}`);
  }
  return { monitor, patience, minDelta, mode, restoreBest };
}

/**
 * Updates early stopping with an epoch's value (Keras' `EarlyStopping`
 * semantics): the value improves on the best when it is lower by more than
 * `minDelta` (`"min"`) or higher by more than `minDelta` (`"max"`); training
 * stops once `patience` epochs in a row bring no improvement. A non-finite
 * value never improves. Seed 000 stops "when the loss starts increasing on
 * the validation data", which is `patience: 1`. Defaults differ from Keras
 * (`patience=0`, `restore_best_weights=False`): here `patience` is 5 and
 * `restoreBest` is true, and the trainer puts the best weights back whenever
 * the best epoch is not the last, whether or not the run stopped early.
 *
 * @param config The configuration.
 * @param state The state before this epoch.
 * @param value The monitored value of this epoch.
 * @param epoch The epoch number.
 * @returns The new state, whether this epoch improved, and whether to stop.
 *
 * @example Stop after two epochs without improvement
 * ```ts
 * import { earlyStoppingConfig, earlyStoppingStep } from "./early_stopping.ts";
 * import assert from "node:assert/strict";
 *
 * const config = earlyStoppingConfig({ patience: 2 });
 * let state = { best: null as number | null, bestEpoch: null as number | null, wait: 0 };
 * const stops = [0.5, 0.4, 0.45, 0.41].map((v, i) => {
 *   const r = earlyStoppingStep(config, state, v, i + 1);
 *   state = r.state;
 *   return r.stop;
 * });
 * assert.deepEqual(stops, [false, false, false, true]);
 * assert.equal(state.bestEpoch, 2);
 * ```
 */
export function earlyStoppingStep(
  config: EarlyStoppingConfig,
  state: EarlyStoppingState,
  value: number,
  epoch: number,
): { state: EarlyStoppingState; improved: boolean; stop: boolean } {
  const improved = Number.isFinite(value) && (state.best === null ||
    (config.mode === "min" ? value < state.best - config.minDelta : value > state.best + config.minDelta));
  const next: EarlyStoppingState = improved
    ? { best: value, bestEpoch: epoch, wait: 0 }
    : { best: state.best, bestEpoch: state.bestEpoch, wait: state.wait + 1 };
  return { state: next, improved, stop: !improved && next.wait >= config.patience };
}
