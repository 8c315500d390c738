/**
 * The experiment file of `gradflow train` and `gradflow compare`: its
 * format, a schema check with messages that name the key, and the
 * command-line overrides. The format is documented in `cli/README.md`.
 *
 * @module
 */

import { nearestName } from "../core/registry.ts";
import { UsageError } from "./_errors.ts";

/** A plugin chosen by name, with its options: `{ "name": "adam", "learningRate": 0.01 }`. */
export type PluginChoice = { name: string; [option: string]: unknown };

/** A third-party plugin to load: a URL or path, optionally pinned to a SHA-256 of its source. */
export interface PluginReference {
  /** The URL or path, possibly with `#sha256=<hex>`. */
  url: string;
  /** The expected SHA-256 of the module's source, as hex. */
  sha256?: string;
}

/** The data section: a generator or loader by name, with its options. */
export type DataChoice = { name: string; [option: string]: unknown };

/** A checked experiment, every default filled in. */
export interface Experiment {
  /** The run's name (the file's base name by default). */
  name: string;
  /** A sentence about what the experiment shows. */
  description: string;
  /** The seed of every random choice. */
  seed: number;
  /** Third-party plugins to load before building anything. */
  plugins: PluginReference[];
  /** Where the samples come from. */
  data: DataChoice;
  /** A held-out fraction of the data, or `"test"` for a data set's own test split. */
  validation: number | "test" | null;
  /** The model, as a `sequential` spec. */
  model: PluginChoice;
  /** The loss. */
  loss: PluginChoice;
  /** The optimizer. */
  optimizer: PluginChoice;
  /** A learning-rate schedule, or `null`; it becomes the optimizer's learning rate (and takes the optimizer's `learningRate` as its own). */
  scheduler: PluginChoice | null;
  /** Regularizers. */
  regularizers: PluginChoice[];
  /** Epochs to train. */
  epochs: number;
  /** Samples per minibatch. */
  batchSize: number;
  /** How samples are grouped into updates. */
  batching: "full" | "single" | "minibatch-fixed" | "minibatch-shuffled";
  /** Metrics besides the loss: names, or `{ "name", ...options }`. */
  metrics: (string | PluginChoice)[];
  /** Early-stopping options, `true` for the defaults, or `null`. */
  earlyStopping: Record<string, unknown> | true | null;
  /** Keep a record per update (and chart the loss per iteration). */
  recordSteps: boolean;
  /** Record each layer's gradient norm. */
  gradientNorms: boolean;
  /** The run folder, or `null` for `runs/<name>`. */
  out: string | null;
  /** The kernel backend (`"js"`, `"wasm"`, `"blas"`), or `null` for the default. */
  backend: PluginChoice | null;
}

const BATCHINGS = ["full", "single", "minibatch-fixed", "minibatch-shuffled"] as const;

/** Every top-level key, with what it must be (for messages and `--help`). */
export const EXPERIMENT_KEYS: Readonly<Record<keyof Experiment | "$schema", string>> = {
  $schema: "a string (ignored; for editors)",
  name: "a non-empty string",
  description: "a string",
  seed: "an integer",
  plugins: 'an array of URLs or paths, or of { "url", "sha256" }',
  data: 'a data set name or { "name", ...options }',
  validation: 'a number in (0, 1) or "test"',
  model: 'an array of layers ({ "name", ...options }) or { "name": "sequential", "layers": [...] }',
  loss: 'a name or { "name", ...options }',
  optimizer: 'a name or { "name", ...options }',
  scheduler: 'a name or { "name", ...options }',
  regularizers: 'an array of names or { "name", ...options }',
  epochs: "an integer ≥ 1",
  batchSize: "an integer ≥ 1",
  batching: BATCHINGS.map((b) => JSON.stringify(b)).join(", "),
  metrics: 'an array of metrics, each a name ("accuracy", "f1") or { "name", ...options }',
  earlyStopping: 'true, false, or { "monitor", "patience", "minDelta", "mode", "restoreBest" }',
  recordSteps: "true or false",
  gradientNorms: "true or false",
  backend: 'a backend name ("js", "wasm", "blas") or { "name", ...options }',
  out: "a folder path",
};

const REQUIRED = ["data", "model", "loss", "optimizer"] as const;
const EARLY_STOPPING_KEYS = ["monitor", "patience", "minDelta", "mode", "restoreBest"];

function show(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * The error for a key that is not in `known`, naming the nearest known one.
 *
 * @param culprit `Cannot read <file>` or, when a flag set the key, `Cannot use <flag>`.
 * @param where The object the key is in (`""` for the top level).
 * @param key The unknown key.
 * @param known The keys allowed there.
 * @returns A {@linkcode UsageError}.
 */
function unknownKey(culprit: string, where: string, key: string, known: readonly string[]): UsageError {
  const near = nearestName(key, known);
  return new UsageError(
    `${culprit} as ${where ? `${where} has` : "it has"} an unknown key "${key}"${
      near ? ` (did you mean "${near}"?)` : ""
    }: known keys are ${known.join(", ")}`,
  );
}

/**
 * Checks an experiment (parsed JSON) and fills in the defaults. Plugin
 * options are not checked here: each plugin checks its own when it is
 * created, naming the option.
 *
 * @param value The parsed JSON.
 * @param source The file name, for messages; its base name is the default `name`.
 * @param flags For each top-level key a command-line flag set, the flag as typed (from
 *   {@linkcode overrideSources}): a bad value there is blamed on the flag, not the file.
 * @returns The experiment.
 * @throws {UsageError} For an unknown key (with the nearest known key), a missing required key, or a bad value.
 *
 * @example
 * ```ts
 * import { parseExperiment } from "./experiment.ts";
 * import assert from "node:assert/strict";
 *
 * const e = parseExperiment({ data: "xor", model: [{ name: "dense", units: 1 }], loss: "mse", optimizer: "sgd" }, "xor.json");
 * assert.equal(e.name, "xor");
 * assert.deepEqual(e.model, { name: "sequential", layers: [{ name: "dense", units: 1 }] });
 * assert.throws(
 *   () => parseExperiment({ data: "xor", model: [], loss: "mse", optimiser: "sgd" }, "xor.json"),
 *   /unknown key "optimiser" \(did you mean "optimizer"\?\)/,
 * );
 * ```
 */
export function parseExperiment(
  value: unknown,
  source: string,
  flags: Readonly<Record<string, string>> = {},
): Experiment {
  const culprit = (key: string) => {
    const flag = flags[key.split(/[.[]/)[0]];
    return flag === undefined ? `Cannot read ${source}` : `Cannot use ${flag}`;
  };
  const fail = (key: string, current: unknown, requirement = EXPERIMENT_KEYS[key as keyof Experiment]): never => {
    throw new UsageError(`${culprit(key)} as "${key}" must be ${requirement}: current value is ${show(current)}`);
  };
  if (!isRecord(value)) {
    throw new UsageError(`Cannot read ${source} as it must be a JSON object: current value is ${show(value)}`);
  }
  const known = Object.keys(EXPERIMENT_KEYS);
  for (const key of Object.keys(value)) if (!known.includes(key)) throw unknownKey(culprit(key), "", key, known);
  for (const key of REQUIRED) {
    if (value[key] === undefined) fail(key, undefined, `given (${EXPERIMENT_KEYS[key]})`);
  }
  const v = value;

  const choice = (key: string, spec: unknown): PluginChoice => {
    if (typeof spec === "string" && spec !== "") return { name: spec };
    if (isRecord(spec) && typeof spec.name === "string" && spec.name !== "") return { ...spec } as PluginChoice;
    return fail(key, spec, 'a name or { "name", ...options }');
  };
  const integer = (key: string, fallback: number, min: number): number => {
    const x = v[key];
    if (x === undefined) return fallback;
    if (typeof x !== "number" || !Number.isInteger(x) || x < min) fail(key, x);
    return x as number;
  };
  const boolean = (key: string): boolean => {
    if (v[key] === undefined) return false;
    if (typeof v[key] !== "boolean") fail(key, v[key]);
    return v[key] as boolean;
  };
  const string = (key: string, fallback: string | null): string | null => {
    if (v[key] === undefined) return fallback;
    if (typeof v[key] !== "string" || (key !== "description" && v[key] === "")) fail(key, v[key]);
    return v[key] as string;
  };

  const base = source.replace(/^.*[\\/]/, "").replace(/\.json$/i, "");
  const name = string("name", base || "experiment")!;
  if (/[\\/]|^\.\.?$/.test(name)) fail("name", name, "a name without / or \\ (it names the run folder)");

  // Model: an array of layers is a sequential model.
  let model: PluginChoice;
  if (Array.isArray(v.model)) {
    v.model.forEach((layer, i) => choice(`model[${i}]`, layer));
    model = { name: "sequential", layers: v.model.map((layer, i) => choice(`model[${i}]`, layer)) };
  } else model = choice("model", v.model);

  const plugins: PluginReference[] = [];
  if (v.plugins !== undefined) {
    if (!Array.isArray(v.plugins)) fail("plugins", v.plugins);
    (v.plugins as unknown[]).forEach((p, i) => {
      if (typeof p === "string" && p !== "") return plugins.push({ url: p });
      if (isRecord(p)) {
        for (const key of Object.keys(p)) {
          if (key !== "url" && key !== "sha256") {
            throw unknownKey(culprit("plugins"), `plugins[${i}]`, key, ["url", "sha256"]);
          }
        }
        if (typeof p.url === "string" && p.url !== "" && (p.sha256 === undefined || typeof p.sha256 === "string")) {
          return plugins.push(p.sha256 === undefined ? { url: p.url } : { url: p.url, sha256: p.sha256 as string });
        }
      }
      fail(`plugins[${i}]`, p, 'a URL or path, or { "url", "sha256" }');
    });
  }

  let validation: number | "test" | null = null;
  if (v.validation !== undefined) {
    const x = v.validation;
    if (!(x === "test" || (typeof x === "number" && x > 0 && x < 1))) fail("validation", x);
    validation = x as number | "test";
  }

  let batching: Experiment["batching"] = "minibatch-shuffled";
  if (v.batching !== undefined) {
    if (!BATCHINGS.includes(v.batching as never)) {
      const near = typeof v.batching === "string" ? nearestName(v.batching, BATCHINGS) : undefined;
      fail("batching", v.batching, `one of ${EXPERIMENT_KEYS.batching}${near ? ` (did you mean "${near}"?)` : ""}`);
    }
    batching = v.batching as Experiment["batching"];
  }

  let regularizers: PluginChoice[] = [];
  if (v.regularizers !== undefined) {
    if (!Array.isArray(v.regularizers)) fail("regularizers", v.regularizers);
    regularizers = (v.regularizers as unknown[]).map((r, i) => choice(`regularizers[${i}]`, r));
  }

  let metrics: (string | PluginChoice)[] = [];
  if (v.metrics !== undefined) {
    if (!Array.isArray(v.metrics)) fail("metrics", v.metrics);
    metrics = (v.metrics as unknown[]).filter((m) => m !== "loss").map((m, i) =>
      typeof m === "string" ? choice(`metrics[${i}]`, m).name : choice(`metrics[${i}]`, m)
    );
  }

  let earlyStopping: Experiment["earlyStopping"] = null;
  if (v.earlyStopping === true) earlyStopping = true;
  else if (isRecord(v.earlyStopping)) {
    for (const key of Object.keys(v.earlyStopping)) {
      if (!EARLY_STOPPING_KEYS.includes(key)) {
        throw unknownKey(culprit("earlyStopping"), '"earlyStopping"', key, EARLY_STOPPING_KEYS);
      }
    }
    earlyStopping = { ...v.earlyStopping };
  } else if (v.earlyStopping !== undefined && v.earlyStopping !== false) fail("earlyStopping", v.earlyStopping);

  if (v.$schema !== undefined && typeof v.$schema !== "string") fail("$schema", v.$schema);
  let data: DataChoice;
  if (typeof v.data === "string" && v.data !== "") data = { name: v.data };
  else if (isRecord(v.data) && typeof v.data.name === "string" && v.data.name !== "") {
    data = { ...v.data } as DataChoice;
  } else data = fail("data", v.data);

  // With a schedule, the schedule is the learning rate: the optimizer's learningRate becomes its ε₀.
  const optimizer = choice("optimizer", v.optimizer);
  const scheduler = v.scheduler === undefined || v.scheduler === null ? null : choice("scheduler", v.scheduler);
  if (scheduler !== null && optimizer.learningRate !== undefined) {
    if (scheduler.learningRate !== undefined) {
      fail(
        "optimizer",
        optimizer,
        `without a learningRate when the scheduler has one (the schedule is the learning rate; scheduler.learningRate is ${
          show(scheduler.learningRate)
        })`,
      );
    }
    scheduler.learningRate = optimizer.learningRate;
    delete optimizer.learningRate;
  }

  return {
    name,
    description: string("description", "")!,
    seed: integer("seed", 0, Number.MIN_SAFE_INTEGER),
    plugins,
    data,
    validation,
    model,
    loss: choice("loss", v.loss),
    optimizer,
    scheduler,
    regularizers,
    epochs: integer("epochs", 10, 1),
    batchSize: integer("batchSize", 32, 1),
    batching,
    metrics,
    earlyStopping,
    recordSteps: boolean("recordSteps"),
    gradientNorms: boolean("gradientNorms"),
    out: string("out", null),
    backend: v.backend === undefined || v.backend === null ? null : choice("backend", v.backend),
  };
}

/** Command-line changes to an experiment, applied to its JSON before the check. */
export interface Overrides {
  /** Replaces the optimizer (its options are not carried over). */
  optimizer?: string;
  /** Sets the optimizer's `learningRate` (the scheduler's, when the experiment has one). */
  learningRate?: number;
  /** Replaces the loss. */
  loss?: string;
  /** Sets `epochs`. */
  epochs?: number;
  /** Sets `batchSize`. */
  batchSize?: number;
  /** Sets `batching`. */
  batching?: string;
  /** Sets `seed`. */
  seed?: number;
  /** Sets `out`. */
  out?: string;
  /** Replaces the backend. */
  backend?: string;
  /** `path=value` assignments, e.g. `optimizer.momentum=0.9`, `data.samples=100` (values are JSON or plain text). */
  set?: readonly string[];
}

/**
 * Which flag set each top-level key of an experiment, as the user typed it,
 * so that a bad value is blamed on the flag (`--set batchSize=0`) rather than
 * on the file. A later `--set` of the same key wins, as it does when applied.
 *
 * @param json The parsed experiment file (to know whether `--learning-rate` goes to the scheduler).
 * @param overrides The flags given.
 * @returns The flag for each key it set.
 *
 * @example
 * ```ts
 * import { overrideSources } from "./experiment.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(overrideSources({}, { epochs: 5, set: ["batchSize=0", "data.samples=9"] }), {
 *   epochs: "--epochs 5",
 *   batchSize: "--set batchSize=0",
 *   data: "--set data.samples=9",
 * });
 * ```
 */
export function overrideSources(json: unknown, overrides: Overrides): Record<string, string> {
  const sources: Record<string, string> = {};
  const flags: [keyof Overrides, string, string][] = [
    ["optimizer", "optimizer", "--optimizer"],
    ["loss", "loss", "--loss"],
    ["backend", "backend", "--backend"],
    ["epochs", "epochs", "--epochs"],
    ["batchSize", "batchSize", "--batch-size"],
    ["batching", "batching", "--batching"],
    ["seed", "seed", "--seed"],
    ["out", "out", "--out"],
  ];
  for (const [option, key, flag] of flags) {
    if (overrides[option] !== undefined) sources[key] = `${flag} ${overrides[option]}`;
  }
  if (overrides.learningRate !== undefined) {
    const scheduler = isRecord(json) && json.scheduler !== undefined && json.scheduler !== null;
    sources[scheduler ? "scheduler" : "optimizer"] = `--learning-rate ${overrides.learningRate}`;
  }
  for (const assignment of overrides.set ?? []) {
    const key = assignment.slice(0, Math.max(0, assignment.indexOf("="))).split(".")[0];
    if (key !== "") sources[key] = `--set ${assignment}`;
  }
  return sources;
}

/**
 * Applies command-line overrides to an experiment's JSON (a copy is
 * returned), so that the schema check sees and checks the result.
 *
 * @param json The parsed experiment file.
 * @param overrides The flags given.
 * @returns The changed JSON.
 * @throws {UsageError} For a `--set` that is not `path=value` or goes through a non-object.
 *
 * @example
 * ```ts
 * import { applyOverrides } from "./experiment.ts";
 * import assert from "node:assert/strict";
 *
 * const json = { optimizer: { name: "sgd", momentum: 0.9 }, epochs: 100 };
 * assert.deepEqual(applyOverrides(json, { optimizer: "adam", learningRate: 0.01, epochs: 5, set: ["data.samples=50"] }), {
 *   optimizer: { name: "adam", learningRate: 0.01 },
 *   epochs: 5,
 *   data: { samples: 50 },
 * });
 * ```
 */
export function applyOverrides(json: unknown, overrides: Overrides): Record<string, unknown> {
  const out: Record<string, unknown> = isRecord(json) ? structuredClone(json) : {};
  const asChoice = (spec: unknown): Record<string, unknown> =>
    typeof spec === "string" ? { name: spec } : isRecord(spec) ? spec : {};
  if (overrides.optimizer !== undefined) out.optimizer = { name: overrides.optimizer };
  if (overrides.loss !== undefined) out.loss = { name: overrides.loss };
  if (overrides.backend !== undefined) out.backend = { name: overrides.backend };
  if (overrides.learningRate !== undefined) {
    // With a schedule, the schedule is the learning rate (the trainer passes it to the optimizer).
    const key = out.scheduler === undefined || out.scheduler === null ? "optimizer" : "scheduler";
    out[key] = { ...asChoice(out[key]), learningRate: overrides.learningRate };
  }
  for (const key of ["epochs", "batchSize", "batching", "seed", "out"] as const) {
    if (overrides[key] !== undefined) out[key] = overrides[key];
  }
  for (const assignment of overrides.set ?? []) {
    const eq = assignment.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(
        `Cannot use --set as it must be path=value (e.g. optimizer.momentum=0.9): current value is ${show(assignment)}`,
      );
    }
    const path = assignment.slice(0, eq).split(".");
    const text = assignment.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    let target: Record<string, unknown> = out;
    path.slice(0, -1).forEach((key, i) => {
      if (target[key] === undefined) target[key] = {};
      else if (typeof target[key] === "string" && i === 0) target[key] = { name: target[key] };
      if (!isRecord(target[key])) {
        throw new UsageError(
          `Cannot use --set ${assignment} as ${path.slice(0, i + 1).join(".")} is not an object: current value is ${
            show(target[key])
          }`,
        );
      }
      target = target[key] as Record<string, unknown>;
    });
    target[path[path.length - 1]] = value;
  }
  return out;
}
