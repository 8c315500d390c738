/**
 * What `evaluate` and `predict` share: opening a run (its trained model, its
 * experiment and plugins) and reading the data argument (a CSV file, a data
 * set as JSON, or an experiment file).
 *
 * @module
 */

import type { Registry } from "../core/registry.ts";
import { loadCsv } from "../train/data/csv.ts";
import type { Dataset } from "../train/data/_rows.ts";
import { type LoadedModel, loadModel } from "../train/model_io.ts";
import { UsageError } from "./_errors.ts";
import { RUN_FILES } from "./_run.ts";
import { buildRegistry, DATASETS, pluginReference, readExperiment, withPluginFlags } from "./_setup.ts";
import type { Experiment } from "./experiment.ts";

/** A run opened for inference. */
export interface OpenedRun {
  /** The trained model. */
  model: LoadedModel;
  /** The run's `experiment.json`, or `null` when a model file was given. */
  experiment: Experiment | null;
  /** The built-ins and the run's plugins (and those given with `--plugin`). */
  registry: Registry;
}

/**
 * Opens a run folder of `gradflow train` (or a model file, or a checkpoint):
 * the run's plugins are loaded first, so a model built from third-party
 * layers rebuilds.
 *
 * Needs read access to the run folder (and to its plugins).
 *
 * @param run A run folder, a `model.safetensors` file, a checkpoint folder or weights file.
 * @param plugins `--plugin` values.
 * @returns The model, the experiment (when the folder has one) and the registry.
 * @throws {UsageError} When nothing there is a model.
 *
 * @example
 * ```ts
 * import { openRun } from "./_inputs.ts";
 * import assert from "node:assert/strict";
 *
 * await assert.rejects(openRun("/nonexistent/run", []), /Cannot open the run \/nonexistent\/run as/);
 * ```
 */
export async function openRun(run: string, plugins: readonly string[]): Promise<OpenedRun> {
  const folder = run.replace(/[\\/]+$/, "");
  let experiment: Experiment | null = null;
  try {
    experiment = await readExperiment(`${folder}/${RUN_FILES.experiment}`, {});
  } catch (error) {
    if (!(error instanceof UsageError && /does not exist/.test(error.message))) throw error;
  }
  const references = experiment === null ? plugins.map(pluginReference) : withPluginFlags(plugins, experiment.plugins);
  const registry = await buildRegistry([], references);
  try {
    return { model: await loadModel(folder, { registry }), experiment, registry };
  } catch (error) {
    if (
      error instanceof Deno.errors.NotFound || (error instanceof RangeError && /gradflow model/.test(error.message))
    ) {
      throw new UsageError(
        `Cannot open the run ${folder} as it holds no trained model: ${
          (error as Error).message.replace(/^Cannot [^:]*?: /, "")
        } (give a run folder of gradflow train, a model.safetensors file or a checkpoint folder)`,
      );
    }
    throw error;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Makes a data spec's file and folder options absolute against `base` (a folder path ending in "/"). */
function resolvePaths(spec: Record<string, unknown>, base: string): void {
  for (const key of DATASETS[String(spec.name)]?.paths ?? []) {
    const value = spec[key];
    if (typeof value === "string" && value !== "" && !value.startsWith("/") && !/^[a-zA-Z]:[\\/]/.test(value)) {
      spec[key] = `${base}${value}`;
    }
  }
}

/** Options of {@linkcode readDataArgument}. */
export interface DataArgumentOptions {
  /** The run's experiment: a CSV is read with its CSV options (target, features, delimiter). */
  experiment: Experiment | null;
  /** Whether targets are needed (`evaluate`); without, a CSV may lack the target columns (`predict`). */
  targets: boolean;
  /** For `predict`: the width of one input sample, to tell a CSV of features only from one with targets. */
  inputWidth?: number;
  /** Of a data set with a training and a test split (MNIST), which one. @default {"test"} */
  split?: "train" | "test";
  /** The command, for messages. */
  command: string;
}

/**
 * Reads the data a command runs on:
 * - a `.csv` file, read as the run read its CSV (the same target and feature
 *   columns; for `predict`, a file whose columns are exactly the model's inputs is read as features only);
 * - a `.json` file holding a data set (`{ "name": "two-spirals", "samples": 200, "seed": 7 }`)
 *   or an experiment (its `data`); relative paths in it are read from its folder;
 * - the same JSON inline (`'{"name":"two-spirals","seed":7}'`).
 * A data set with a test split (MNIST) gives that split, unless `split` says `"train"`.
 *
 * Needs read access to the files.
 *
 * @param argument What was typed.
 * @param options `experiment`, `targets`, `split`, `command`.
 * @returns The data (its `y` empty when a CSV for `predict` has no targets).
 * @throws {UsageError} For a file that is missing or not data, or an unknown data set.
 *
 * @example
 * ```ts
 * import { readDataArgument } from "./_inputs.ts";
 * import assert from "node:assert/strict";
 *
 * const data = await readDataArgument('{"name": "xor"}', { experiment: null, targets: true, command: "evaluate" });
 * assert.deepEqual(data.x.shape, [4, 2]);
 * ```
 */
export async function readDataArgument(argument: string, options: DataArgumentOptions): Promise<Dataset> {
  const { command } = options;
  const text = argument.trim();
  if (text.startsWith("{") || /\.json$/i.test(text)) {
    let json: unknown, base: string;
    if (text.startsWith("{")) {
      base = `${Deno.cwd()}/`;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new UsageError(
          `Cannot read the data for ${command} as it is not valid JSON: ${(error as Error).message}`,
        );
      }
    } else {
      base = text.includes("/") ? text.replace(/[^/]*$/, "") : "./";
      try {
        json = JSON.parse(await Deno.readTextFile(text));
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) {
          throw new UsageError(`Cannot read ${text} as it does not exist`);
        }
        throw new UsageError(
          `Cannot read ${text} as ${error instanceof SyntaxError ? "it is not valid JSON: " : ""}${
            (error as Error).message
          }`,
        );
      }
    }
    // An experiment file holds its data set under "data".
    const spec = isRecord(json) && "data" in json && ("model" in json || "loss" in json) ? json.data : json;
    const choice = typeof spec === "string" ? { name: spec } : spec;
    if (!isRecord(choice) || typeof choice.name !== "string" || DATASETS[choice.name] === undefined) {
      throw new UsageError(
        `Cannot read the data for ${command} from ${
          text.startsWith("{") ? "the JSON given" : text
        } as it must be a data set { "name", ...options } (one of ${
          Object.keys(DATASETS).join(", ")
        }) or an experiment: current value is ${JSON.stringify(spec)?.slice(0, 80)}`,
      );
    }
    const { name, ...rest } = { ...choice } as Record<string, unknown> & { name: string };
    resolvePaths(rest, base);
    let loaded;
    try {
      loaded = await DATASETS[name].loader(rest);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) throw new UsageError((error as Error).message);
      throw error;
    }
    return "train" in loaded && "test" in loaded ? loaded[options.split ?? "test"] : loaded as Dataset;
  }
  const own: Record<string, unknown> = options.experiment?.data.name === "csv" ? options.experiment.data : {};
  const csv: Record<string, unknown> = {};
  for (const key of ["target", "features", "delimiter"]) if (own[key] !== undefined) csv[key] = own[key];
  try {
    if (!options.targets) {
      // predict: a file whose columns are exactly the model's inputs holds features only.
      const all = await loadCsv(text, { ...csv, target: [] });
      if (all.x.size / Math.max(1, all.x.shape[0]) === options.inputWidth) return all;
    }
    return await loadCsv(text, csv);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UsageError(
        `${
          (error as Error).message
        } (the data must be a CSV file, a .json data set or experiment, or inline JSON such as '{"name":"two-spirals","seed":7}')`,
      );
    }
    throw error;
  }
}
