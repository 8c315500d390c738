/**
 * The playground's configuration: what the student chose, its defaults, its
 * form in the page's URL, and the experiment file that `gradflow train` runs
 * in Deno. Pure functions, shared by the page, the worker and the tests.
 *
 * @module
 */

import type { Plugin, PluginKind } from "../../core/interfaces.ts";
import { builtinPlugins } from "../../plugins/mod.ts";

/** A value of a plugin option that the page can show and put in a URL. */
export type OptionValue = number | boolean | string;

/** A plugin by name with its options, as in an experiment file: `{ name: "adam", learningRate: 0.03 }`. */
export type Choice = { name: string; [option: string]: OptionValue };

/** The generated data sets (names as in experiment files). */
export const DATASETS = ["two-spirals", "two-gaussians", "xor", "circle"] as const;
/** A generated data set. */
export type DatasetName = typeof DATASETS[number];

/** Each data set's label, the generator option that the noise control sets, its default, and its range. */
export const DATASET_INFO: Readonly<
  Record<DatasetName, { label: string; noiseKey: string; noise: number; maxNoise: number }>
> = {
  "two-spirals": { label: "Two spirals", noiseKey: "noise", noise: 0.05, maxNoise: 0.3 },
  "two-gaussians": { label: "Two Gaussians", noiseKey: "std", noise: 0.7, maxNoise: 2 },
  "xor": { label: "XOR", noiseKey: "noise", noise: 0.15, maxNoise: 0.5 },
  "circle": { label: "Circle", noiseKey: "noise", noise: 0.05, maxNoise: 0.3 },
};

/** Hidden-layer activations. */
export const ACTIVATIONS = ["tanh", "relu", "sigmoid"] as const;
/** A hidden-layer activation (a layer plugin's name). */
export type Activation = typeof ACTIVATIONS[number];

/** Losses, with the output layer and the labels each needs. */
export const LOSSES = ["binary-cross-entropy", "mse", "hinge"] as const;
/** A loss (a loss plugin's name). */
export type LossName = typeof LOSSES[number];

/** Weight initializers offered (biases start at zero). */
export const INITIALIZERS = [
  "zeros",
  "constant",
  "uniform",
  "xavier-uniform",
  "xavier-normal",
  "he-uniform",
  "he-normal",
] as const;

/** Optimizers offered for classification: every first-order one, plus L-BFGS and damped Newton for small nets. */
export const CLASSIFY_OPTIMIZERS = [
  "sgd",
  "momentum",
  "nesterov",
  "adagrad",
  "adadelta",
  "rmsprop",
  "adam",
  "adamw",
  "lbfgs",
  "damped-newton",
] as const;

/** Optimizers that need a full batch and a small net (their step costs grow with the parameter count). */
export const SECOND_ORDER = ["lbfgs", "damped-newton", "newton", "bfgs", "conjugate-gradient", "hessian-free"];

/** The most parameters a net may have for damped Newton (its step forms and factors the Hessian). */
export const MAX_NEWTON_PARAMS = 400;

/** Learning-rate schedules offered. */
export const SCHEDULERS = ["step", "exponential", "inverse-time", "cosine", "linear-warmup"] as const;

/** Regularizers offered. */
export const REGULARIZERS = ["l2", "l1", "magnitude-pruning", "weight-decay"] as const;

/** Batching modes (as in `train`). */
export const BATCHINGS = ["minibatch-shuffled", "minibatch-fixed", "single", "full"] as const;
/** A batching mode. */
export type Batching = typeof BATCHINGS[number];

/** The 2-D functions of the race (defined in `race.ts`). */
export const RACE_FUNCTIONS = ["rosenbrock", "beale", "saddle", "ill-conditioned"] as const;
/** A race function's name. */
export type RaceFunctionName = typeof RACE_FUNCTIONS[number];

/** One classification run. */
export interface ClassifyConfig {
  /** The data set. */
  data: DatasetName;
  /** How many points. */
  samples: number;
  /** The generator's noise (its `noise`, or `std` for the Gaussians). */
  noise: number;
  /** The held-out fraction, or 0 for none. */
  validation: number;
  /** Units per hidden layer. */
  hidden: number[];
  /** The hidden layers' activation. */
  activation: Activation;
  /** The weight initializer of every dense layer. */
  initializer: Choice;
  /** The loss. */
  loss: LossName;
  /** The optimizer. */
  optimizer: Choice;
  /** A learning-rate schedule (its `learningRate` is the optimizer's), or none. */
  scheduler: Choice | null;
  /** A regularizer, or none. */
  regularizer: Choice | null;
  /** How samples are grouped into updates. */
  batching: Batching;
  /** Samples per minibatch. */
  batchSize: number;
  /** The seed of the data, the initialization, the split and the batches. */
  seed: number;
}

/** One racer: an optimizer and, optionally, a schedule of its learning rate. */
export interface Racer {
  /** The optimizer. */
  optimizer: Choice;
  /** The schedule (it starts at the optimizer's `learningRate`), or none. */
  schedule: Choice | null;
}

/** The race. */
export interface RaceConfig {
  /** The function. */
  fn: RaceFunctionName;
  /** The most steps per racer. */
  steps: number;
  /** The racers. */
  racers: Racer[];
}

/** Everything the page shows, as its URL records it. */
export interface PageState {
  /** The open tab. */
  tab: "classify" | "race";
  /** Run A. */
  a: ClassifyConfig;
  /** Run B, compared side by side with A, or none. */
  b: ClassifyConfig | null;
  /** The race. */
  race: RaceConfig;
  /** Third-party plugin URLs (each may end with `#sha256=<hex>`). */
  plugins: string[];
}

/** The options of a plugin that third-party code described (known to the page once loaded). */
export interface PluginInfo {
  /** The kind. */
  kind: PluginKind;
  /** The name. */
  name: string;
  /** One line about it. */
  description: string;
  /** Its option defaults (the ones the page can show). */
  defaults: Record<string, OptionValue>;
  /** The URL it was loaded from. */
  url?: string;
}

const catalogue = new Map<string, PluginInfo>();

/** The option defaults of a plugin that the page can show: numbers, booleans and strings. */
function shownDefaults(plugin: Pick<Plugin, "defaults">): Record<string, OptionValue> {
  const out: Record<string, OptionValue> = {};
  for (const [key, value] of Object.entries(plugin.defaults ?? {})) {
    if (typeof value === "number" || typeof value === "boolean" || typeof value === "string") out[key] = value;
  }
  return out;
}

for (const p of builtinPlugins) {
  catalogue.set(`${p.kind}/${p.name}`, {
    kind: p.kind,
    name: p.name,
    description: p.description ?? "",
    defaults: shownDefaults(p),
  });
}

/**
 * Adds a third-party plugin to what the page knows (its options' defaults), after the worker loaded it.
 *
 * @param info What the worker reported.
 */
export function addPluginInfo(info: PluginInfo): void {
  catalogue.set(`${info.kind}/${info.name}`, { ...info, defaults: shownDefaults(info) });
}

/**
 * What the page knows about a plugin, or `undefined`.
 *
 * @param kind The kind.
 * @param name The name.
 * @returns Its description and defaults.
 *
 * @example
 * ```ts
 * import { pluginInfo } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(pluginInfo("optimizer", "adam")?.defaults.beta1, 0.9);
 * ```
 */
export function pluginInfo(kind: PluginKind, name: string): PluginInfo | undefined {
  return catalogue.get(`${kind}/${name}`);
}

/**
 * The names of the plugins of a kind the page knows, built-ins first.
 *
 * @param kind The kind.
 * @returns The names.
 */
export function knownNames(kind: PluginKind): string[] {
  return [...catalogue.values()].filter((p) => p.kind === kind).map((p) => p.name);
}

/** Learning rates (and other options) that suit the classification tasks, per optimizer. */
const CLASSIFY_PRESETS: Record<string, Record<string, OptionValue>> = {
  "sgd": { learningRate: 0.3 },
  "momentum": { learningRate: 0.03 },
  "nesterov": { learningRate: 0.03 },
  "adagrad": { learningRate: 0.1 },
  "adadelta": { learningRate: 1 },
  "rmsprop": { learningRate: 0.01 },
  "adam": { learningRate: 0.03 },
  "adamw": { learningRate: 0.03 },
  "damped-newton": { adaptive: true },
};

/** Options that make a plugin usable in the page when its own defaults are not (a required option, a range). */
const PLUGIN_PRESETS: Record<string, Record<string, OptionValue>> = {
  "initializer/constant": { value: 1 },
  "initializer/uniform": { low: -1, high: 1 },
  "regularizer/l2": { lambda: 0.001 },
  "regularizer/l1": { lambda: 0.001 },
  "regularizer/magnitude-pruning": { targetSparsity: 0.7, endStep: 2000, frequency: 50 },
  "scheduler/step": { stepSize: 500, gamma: 0.5 },
  "scheduler/exponential": { gamma: 0.999 },
  "scheduler/cosine": { maxSteps: 3000 },
  "scheduler/linear-warmup": { warmupSteps: 200 },
};

/**
 * A plugin choice with the page's preset options: what selecting `name` in a menu gives.
 *
 * @param kind The kind.
 * @param name The name.
 * @param task `"classify"` for the classification presets of optimizers.
 * @returns The choice.
 *
 * @example
 * ```ts
 * import { presetChoice } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(presetChoice("initializer", "constant"), { name: "constant", value: 1 });
 * assert.deepEqual(presetChoice("optimizer", "adam", "classify"), { name: "adam", learningRate: 0.03 });
 * ```
 */
export function presetChoice(kind: PluginKind, name: string, task?: "classify"): Choice {
  const preset = task === "classify" && kind === "optimizer" ? CLASSIFY_PRESETS[name] : undefined;
  return { name, ...PLUGIN_PRESETS[`${kind}/${name}`], ...preset };
}

/**
 * The page's starting configuration of a classification run.
 *
 * @returns A fresh copy.
 */
export function defaultClassify(): ClassifyConfig {
  return {
    data: "two-spirals",
    samples: 300,
    noise: DATASET_INFO["two-spirals"].noise,
    validation: 0.2,
    hidden: [10, 10],
    activation: "relu",
    initializer: { name: "xavier-uniform" },
    loss: "binary-cross-entropy",
    optimizer: presetChoice("optimizer", "adam", "classify"),
    scheduler: null,
    regularizer: null,
    batching: "minibatch-shuffled",
    batchSize: 10,
    seed: 0,
  };
}

/**
 * The page's starting race: Rosenbrock's valley with momentum, Nesterov, Adam and two second-order methods.
 *
 * @returns A fresh copy.
 */
export function defaultRace(): RaceConfig {
  return {
    fn: "rosenbrock",
    steps: 400,
    racers: [
      { optimizer: { name: "sgd", learningRate: 0.001 }, schedule: null },
      { optimizer: { name: "momentum", learningRate: 0.0005 }, schedule: null },
      { optimizer: { name: "nesterov", learningRate: 0.0005 }, schedule: null },
      { optimizer: { name: "adam", learningRate: 0.05 }, schedule: null },
      { optimizer: { name: "newton" }, schedule: null },
      { optimizer: { name: "damped-newton", adaptive: true }, schedule: null },
      { optimizer: { name: "lbfgs" }, schedule: null },
    ],
  };
}

/**
 * The page's starting state.
 *
 * @returns A fresh copy.
 */
export function defaultState(): PageState {
  return { tab: "classify", a: defaultClassify(), b: null, race: defaultRace(), plugins: [] };
}

/** Writes a number as URLs and experiment files show it: the shortest text that reads back to it. */
function num(value: number): string {
  return String(value);
}

function parseValue(text: string): OptionValue {
  if (text === "true") return true;
  if (text === "false") return false;
  if (text.trim() !== "" && Number.isFinite(Number(text))) return Number(text);
  return text;
}

/** The options a choice sets (the rest are the plugin's defaults). */
function setOptions(choice: Choice): [string, OptionValue][] {
  return Object.entries(choice).filter(([key]) => key !== "name");
}

/** `name:key=value:key=value`, the form of a choice inside one URL value (as `gradflow compare --optimizers`). */
function inlineChoice(choice: Choice): string {
  return [choice.name, ...setOptions(choice).map(([k, v]) => `${k}=${v}`)].join(":");
}

function sameChoice(a: Choice | null, b: Choice | null): boolean {
  if (a === null || b === null) return a === b;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}

/** The URL keys of a classification run, each with how to write and compare its field. */
const SCALAR_KEYS = [
  ["data", "data"],
  ["samples", "samples"],
  ["noise", "noise"],
  ["validation", "val"],
  ["activation", "act"],
  ["loss", "loss"],
  ["batching", "batching"],
  ["batchSize", "batch"],
  ["seed", "seed"],
] as const;

const CHOICE_KEYS = [
  ["initializer", "init", "initializer"],
  ["optimizer", "opt", "optimizer"],
  ["scheduler", "sched", "scheduler"],
  ["regularizer", "reg", "regularizer"],
] as const;

function writeClassify(params: URLSearchParams, config: ClassifyConfig, base: ClassifyConfig | null, prefix: string) {
  for (const [field, key] of SCALAR_KEYS) {
    if (base === null || base[field] !== config[field]) params.set(prefix + key, String(config[field]));
  }
  if (base === null || base.hidden.join() !== config.hidden.join()) params.set(prefix + "hidden", config.hidden.join());
  for (const [field, key, kind] of CHOICE_KEYS) {
    const choice = config[field], was = base === null ? undefined : base[field];
    if (was !== undefined && sameChoice(was, choice)) continue;
    if (choice === null) {
      if (base !== null) params.set(prefix + key, "none");
      continue;
    }
    if (was === undefined || was === null || was.name !== choice.name) {
      params.set(prefix + key, choice.name);
      for (const [k, v] of setOptions(choice)) params.set(`${prefix}${key}.${k}`, String(v));
    } else {
      // Same plugin as run A: only the options that differ (a default written out where A changed it).
      const defaults = pluginInfo(kind, choice.name)?.defaults ?? {};
      for (const k of new Set([...Object.keys(was), ...Object.keys(choice)])) {
        if (k === "name" || was[k] === choice[k]) continue;
        const value = choice[k] ?? defaults[k];
        if (value !== undefined) params.set(`${prefix}${key}.${k}`, String(value));
      }
    }
  }
}

/**
 * The page's state as a URL query (without `?`): run A's settings by name (`opt=adam&opt.learningRate=0.03`,
 * the options a choice sets; the others are the plugin's defaults), run B's as `b.`-prefixed changes from A,
 * the race (`racer=sgd:learningRate=0.01|inverse-time:tau=50`, as `gradflow compare --optimizers` writes
 * options), and the plugins.
 *
 * @param state The state.
 * @returns The query.
 *
 * @example
 * ```ts
 * import { defaultState, fromQuery, toQuery } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * const state = defaultState();
 * state.b = { ...structuredClone(state.a), initializer: { name: "zeros" } };
 * const query = toQuery(state);
 * assert.match(query, /b\.init=zeros/);
 * assert.deepEqual(fromQuery(query).state, state);
 * ```
 */
export function toQuery(state: PageState): string {
  const params = new URLSearchParams();
  if (state.tab !== "classify") params.set("tab", state.tab);
  writeClassify(params, state.a, null, "");
  if (state.b !== null) {
    params.set("compare", "1");
    writeClassify(params, state.b, state.a, "b.");
  }
  params.set("fn", state.race.fn);
  params.set("steps", String(state.race.steps));
  for (const r of state.race.racers) {
    params.append(
      "racer",
      inlineChoice(r.optimizer) + (r.schedule ? `|${inlineChoice(r.schedule)}` : ""),
    );
  }
  for (const url of state.plugins) params.append("plugin", url);
  return params.toString();
}

/** What {@linkcode fromQuery} returns. */
export interface ParsedQuery {
  /** The state (defaults where the query says nothing or something unusable). */
  state: PageState;
  /** One line per value that was not usable (and was replaced by the default). */
  warnings: string[];
}

function readChoice(
  params: URLSearchParams,
  key: string,
  kind: PluginKind,
  base: Choice | null,
  allowed: readonly string[] | null,
  nullable: boolean,
  warnings: string[],
): Choice | null {
  const name = params.get(key);
  let choice: Choice | null = base === null ? null : { ...base };
  if (name !== null) {
    if (name === "none" && nullable) return null;
    if (allowed !== null && !allowed.includes(name) && pluginInfo(kind, name) === undefined) {
      warnings.push(`Cannot use ${key}=${name} as it is not a known ${kind}: kept ${base?.name ?? "none"}`);
    } else {
      choice = { name };
    }
  }
  if (choice === null) return null;
  const defaults = pluginInfo(kind, choice.name)?.defaults;
  for (const [k, text] of params) {
    if (!k.startsWith(`${key}.`)) continue;
    const option = k.slice(key.length + 1);
    const value = parseValue(text);
    const expected = defaults?.[option];
    if (defaults !== undefined && expected !== undefined && typeof expected !== typeof value) {
      warnings.push(`Cannot use ${k}=${text} as ${option} must be a ${typeof expected}: kept the default`);
      continue;
    }
    choice[option] = value;
  }
  return choice;
}

function parseInline(text: string, kind: PluginKind, warnings: string[]): Choice | null {
  const [name, ...options] = text.split(":");
  if (pluginInfo(kind, name) === undefined && !/^[a-z][a-z0-9-]*$/.test(name)) {
    warnings.push(`Cannot use the ${kind} ${JSON.stringify(text)} as its name is not a plugin name: left it out`);
    return null;
  }
  const choice: Choice = { name };
  for (const option of options) {
    const eq = option.indexOf("=");
    if (eq <= 0) {
      warnings.push(`Cannot read the option ${JSON.stringify(option)} of ${name} as it is not key=value: left it out`);
      continue;
    }
    choice[option.slice(0, eq)] = parseValue(option.slice(eq + 1));
  }
  return choice;
}

function readClassify(
  params: URLSearchParams,
  base: ClassifyConfig,
  prefix: string,
  warnings: string[],
): ClassifyConfig {
  const c = structuredClone(base);
  const get = (key: string) => params.get(prefix + key);
  const number = (key: string, value: string | null, min: number, max: number, integer: boolean): number | null => {
    if (value === null) return null;
    const x = Number(value);
    if (value.trim() === "" || !Number.isFinite(x) || x < min || x > max || (integer && !Number.isInteger(x))) {
      warnings.push(
        `Cannot use ${prefix}${key}=${value} as it must be ${
          integer ? "an integer" : "a number"
        } in [${min}, ${max}]: kept the default`,
      );
      return null;
    }
    return x;
  };
  const oneOf = <T extends string>(key: string, value: string | null, allowed: readonly T[]): T | null => {
    if (value === null) return null;
    if (!(allowed as readonly string[]).includes(value)) {
      warnings.push(`Cannot use ${prefix}${key}=${value} as it must be one of ${allowed.join(", ")}: kept the default`);
      return null;
    }
    return value as T;
  };
  const data = oneOf("data", get("data"), DATASETS);
  if (data !== null && data !== c.data) {
    c.data = data;
    c.noise = DATASET_INFO[data].noise;
  }
  c.samples = number("samples", get("samples"), 4, 2000, true) ?? c.samples;
  c.noise = number("noise", get("noise"), 0, 10, false) ?? c.noise;
  c.validation = number("val", get("val"), 0, 0.9, false) ?? c.validation;
  c.activation = oneOf("act", get("act"), ACTIVATIONS) ?? c.activation;
  c.loss = oneOf("loss", get("loss"), LOSSES) ?? c.loss;
  c.batching = oneOf("batching", get("batching"), BATCHINGS) ?? c.batching;
  c.batchSize = number("batch", get("batch"), 1, 2000, true) ?? c.batchSize;
  c.seed = number("seed", get("seed"), -(2 ** 31), 2 ** 31, true) ?? c.seed;
  const hidden = get("hidden");
  if (hidden !== null) {
    const units = hidden.trim() === "" ? [] : hidden.split(",").map((u) => Number(u.trim()));
    if (units.length > 8 || units.some((u) => !Number.isInteger(u) || u < 1 || u > 64)) {
      warnings.push(
        `Cannot use ${prefix}hidden=${hidden} as it must list up to 8 layers of 1 to 64 units: kept the default`,
      );
    } else c.hidden = units;
  }
  c.initializer = readChoice(params, prefix + "init", "initializer", c.initializer, null, false, warnings)!;
  c.optimizer = readChoice(params, prefix + "opt", "optimizer", c.optimizer, null, false, warnings)!;
  c.scheduler = readChoice(params, prefix + "sched", "scheduler", c.scheduler, SCHEDULERS, true, warnings);
  c.regularizer = readChoice(params, prefix + "reg", "regularizer", c.regularizer, REGULARIZERS, true, warnings);
  return c;
}

/**
 * Reads the page's state from its URL query; what is missing or unusable keeps its default (with a warning).
 *
 * @param query The query, with or without `?`.
 * @returns The state and the warnings.
 *
 * @example
 * ```ts
 * import { fromQuery } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * const { state, warnings } = fromQuery("?data=xor&hidden=4&opt=sgd&opt.learningRate=0.5&act=swish");
 * assert.deepEqual(state.a.hidden, [4]);
 * assert.deepEqual(state.a.optimizer, { name: "sgd", learningRate: 0.5 });
 * assert.equal(state.a.activation, "relu");
 * assert.match(warnings[0], /act=swish/);
 * ```
 */
export function fromQuery(query: string): ParsedQuery {
  const params = new URLSearchParams(query);
  const warnings: string[] = [];
  const state = defaultState();
  const tab = params.get("tab");
  if (tab === "race" || tab === "classify") state.tab = tab;
  state.plugins = params.getAll("plugin").filter((url) => url.trim() !== "");
  // Third-party plugins are known only once loaded, so their options are read as given.
  state.a = readClassify(params, state.a, "", warnings);
  if (params.get("compare") === "1") state.b = readClassify(params, state.a, "b.", warnings);
  const fn = params.get("fn");
  if (fn !== null) {
    if ((RACE_FUNCTIONS as readonly string[]).includes(fn)) state.race.fn = fn as RaceFunctionName;
    else warnings.push(`Cannot use fn=${fn} as it must be one of ${RACE_FUNCTIONS.join(", ")}: kept the default`);
  }
  const steps = params.get("steps");
  if (steps !== null) {
    const n = Number(steps);
    if (Number.isInteger(n) && n >= 1 && n <= 5000) state.race.steps = n;
    else warnings.push(`Cannot use steps=${steps} as it must be an integer in [1, 5000]: kept the default`);
  }
  if (params.has("racer")) {
    state.race.racers = [];
    for (const text of params.getAll("racer")) {
      const [opt, sched] = text.split("|");
      const optimizer = parseInline(opt, "optimizer", warnings);
      if (optimizer === null) continue;
      const schedule = sched === undefined ? null : parseInline(sched, "scheduler", warnings);
      state.race.racers.push({ optimizer, schedule });
    }
  }
  return { state, warnings };
}

/** Options of {@linkcode experimentOf}. */
export interface ExperimentOptions {
  /** The experiment's name. @default {"playground"} */
  name?: string;
  /** Epochs to train. @default {100} */
  epochs?: number;
  /** The kernel backend's name, as the page used it. */
  backend?: string;
  /** Third-party plugin URLs the run needs. */
  plugins?: readonly string[];
}

/** The layers of the run's model, as an experiment file lists them. */
export function modelOf(config: ClassifyConfig): Choice[] {
  const init = config.initializer;
  const initializer: OptionValue | Record<string, OptionValue> = Object.keys(init).length === 1 ? init.name : init;
  const layers: Record<string, unknown>[] = [];
  for (const units of config.hidden) layers.push({ name: "dense", units, initializer }, { name: config.activation });
  layers.push({ name: "dense", units: 1, initializer });
  if (config.loss !== "hinge") layers.push({ name: "sigmoid" });
  return layers as Choice[];
}

/** The number of parameters of the run's model (weights and biases). */
export function parameterCount(config: ClassifyConfig): number {
  let inputs = 2, count = 0;
  for (const units of [...config.hidden, 1]) {
    count += (inputs + 1) * units;
    inputs = units;
  }
  return count;
}

/**
 * The experiment file of a classification run: `gradflow train` runs it in Deno, and the playground's
 * worker trains from the same JSON, so the two give the same numbers on the same backend.
 *
 * @param config The run.
 * @param options `name`, `epochs`, `backend`, `plugins`.
 * @returns The experiment, as JSON-ready data.
 *
 * @example
 * ```ts
 * import { defaultClassify, experimentOf } from "./config.ts";
 * import assert from "node:assert/strict";
 *
 * const e = experimentOf(defaultClassify(), { epochs: 20 });
 * assert.deepEqual(e.data, { name: "two-spirals", samples: 300, noise: 0.05, seed: 0 });
 * assert.deepEqual(e.optimizer, { name: "adam", learningRate: 0.03 });
 * assert.equal(e.epochs, 20);
 * ```
 */
export function experimentOf(config: ClassifyConfig, options: ExperimentOptions = {}): Record<string, unknown> {
  const info = DATASET_INFO[config.data];
  const data: Record<string, OptionValue> = {
    name: config.data,
    samples: config.samples,
    [info.noiseKey]: config.noise,
    seed: config.seed,
  };
  if (config.loss === "hinge") data.labels = "sign";
  const optimizer: Choice = { ...config.optimizer };
  let scheduler: Choice | null = null;
  if (config.scheduler !== null) {
    // The schedule is the learning rate: it starts at the optimizer's.
    scheduler = { ...config.scheduler };
    if (optimizer.learningRate !== undefined) scheduler.learningRate = optimizer.learningRate;
    delete optimizer.learningRate;
  }
  const experiment: Record<string, unknown> = {
    name: options.name ?? "playground",
    description: `The gradflow playground's run: ${info.label.toLowerCase()}, ${
      [2, ...config.hidden, 1].join("-")
    } ${config.activation}, ${config.optimizer.name}.`,
    seed: config.seed,
  };
  if (options.plugins && options.plugins.length > 0) experiment.plugins = [...options.plugins];
  Object.assign(experiment, {
    data,
    ...(config.validation > 0 ? { validation: config.validation } : {}),
    model: modelOf(config),
    loss: config.loss,
    optimizer,
    ...(scheduler ? { scheduler } : {}),
    regularizers: config.regularizer ? [{ ...config.regularizer }] : [],
    epochs: options.epochs ?? 100,
    batchSize: config.batchSize,
    batching: config.batching,
    metrics: ["accuracy"],
    recordSteps: true,
    gradientNorms: true,
    ...(options.backend ? { backend: options.backend } : {}),
  });
  return experiment;
}

/** The number formatting of the page: up to four significant digits, no trailing zeros. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e5)) return value.toExponential(2);
  return num(Number(value.toPrecision(4)));
}
