/**
 * The messages between the page and its Web Workers (one per training run,
 * one for the race). Structured-clone data only.
 *
 * @module
 */

import type { PluginInfo, RaceFunctionName, Racer } from "./config.ts";
import type { RaceResult } from "./race.ts";

/** The square of inputs on which the worker evaluates the model for the decision boundary. */
export interface Grid {
  /** The x range. */
  x: [number, number];
  /** The y range. */
  y: [number, number];
  /** Points per side. */
  n: number;
}

/** Page → worker. */
export type ToWorker =
  /** Load these third-party plugins (before anything else uses them). */
  | { type: "plugins"; urls: string[] }
  /** Build a run from an experiment (JSON, as `gradflow train` reads it), paused before its first step. */
  | { type: "train"; experiment: Record<string, unknown>; grid: Grid }
  /** Train until paused. */
  | { type: "play" }
  /** Pause after the current step. */
  | { type: "pause" }
  /** Take this many steps, then pause. */
  | { type: "step"; steps: number }
  /** Send the run's metrics as `metrics.jsonl` text (the CLI's format). */
  | { type: "metrics" }
  /** Run the race. */
  | { type: "race"; id: number; fn: RaceFunctionName; steps: number; racers: Racer[] };

/** A dense layer's parameters, for the weights view. */
export interface LayerWeights {
  /** The layer's index in the model (its `gradNorm.<index>` key). */
  index: number;
  /** `[inputs, units]`. */
  shape: [number, number];
  /** The weights, row-major. */
  weight: Float64Array;
  /** The biases. */
  bias: Float64Array;
}

/** What the page draws of a run at one moment. */
export interface Frame {
  type: "frame";
  /** Updates made. */
  step: number;
  /** The current epoch (1 for the first; 0 before the first step). */
  epoch: number;
  /** Updates per epoch. */
  stepsPerEpoch: number;
  /** Whether the run is training (not paused). */
  running: boolean;
  /** Epoch records completed since the previous frame. */
  epochs: Record<string, number>[];
  /** The last step's loss, or `null` before the first step. */
  loss: number | null;
  /** Updates per second over the last second of training. */
  stepsPerSecond: number;
  /** The dense layers' parameters. */
  weights: LayerWeights[];
  /** The model's output at each grid point, row by row from the bottom (y = lo). */
  boundary: Float32Array;
}

/** Worker → page. */
export type FromWorker =
  /** The worker started; `backend` is the kernel backend it trains on. */
  | { type: "ready"; backend: string }
  /** Plugins loaded (or not). */
  | { type: "plugins"; loaded: PluginInfo[]; errors: { url: string; message: string }[] }
  /** The training data, once per run: points `[x, y]`, their class, and whether each is held out. */
  | { type: "data"; points: Float64Array; labels: Uint8Array; validation: Uint8Array }
  | Frame
  /** The run stopped with an error (a bad option, a loss that became NaN…). */
  | { type: "error"; message: string }
  /** The run's metrics so far. */
  | { type: "metrics"; jsonl: string; epochs: number }
  /** One racer's run. */
  | { type: "racer"; id: number; index: number; result: RaceResult }
  /** Every racer has run. */
  | { type: "race-done"; id: number };
