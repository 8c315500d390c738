/**
 * What `train` and `compare` share: reading the experiment file, loading
 * plugins into a registry, checking every plugin choice before training,
 * and making the data.
 *
 * @module
 */

import { nearestName, type Registry } from "../core/registry.ts";
import { createRegistry } from "../plugins/mod.ts";
import { loadPlugin } from "../plugins/load_plugin.ts";
import { loadCsv } from "../train/data/csv.ts";
import { circle } from "../train/data/circle.ts";
import { function1d } from "../train/data/function_1d.ts";
import { loadFashionMnist, loadMnist } from "../train/data/mnist.ts";
import type { Dataset } from "../train/data/_rows.ts";
import { twoGaussians } from "../train/data/two_gaussians.ts";
import { twoSpirals } from "../train/data/two_spirals.ts";
import { xor } from "../train/data/xor.ts";
import { resolveModel } from "../train/model.ts";
import { UsageError } from "./_errors.ts";
import {
  applyOverrides,
  type Experiment,
  type Overrides,
  overrideSources,
  parseExperiment,
  type PluginReference,
} from "./experiment.ts";

/** The data a run trains and validates on. */
export interface RunData {
  /** The training samples (a fraction may still be held out by the trainer). */
  train: Dataset;
  /** A held-out fraction, a separate set, or nothing. */
  validation: number | Dataset | undefined;
}

type Loader = (options: Record<string, unknown>) => Dataset | Promise<Dataset | { train: Dataset; test: Dataset }>;

/**
 * The data sets an experiment can name: the loader, a line about it, and the
 * options that are file or folder paths (relative ones are read from the
 * experiment file's folder).
 */
export const DATASETS: Readonly<Record<string, { loader: Loader; about: string; paths?: readonly string[] }>> = {
  "two-spirals": {
    loader: (o) => twoSpirals(o),
    about: "two interleaved spirals in 2-D (samples, turns, noise, seed, labels)",
  },
  "two-gaussians": { loader: (o) => twoGaussians(o), about: "two Gaussian clouds in 2-D, homework 2 of seed 000" },
  "xor": { loader: (o) => xor(o), about: "the four XOR points (or noisy copies)" },
  "circle": {
    loader: (o) => circle(o),
    about: "a disc of one class inside a ring of the other (samples, noise, seed, labels)",
  },
  "function-1d": {
    loader: (o) => function1d(o),
    about: "samples of a 1-D function, for universal approximation (seed 003)",
  },
  "csv": {
    loader: (o) => {
      const { path, ...rest } = o;
      if (typeof path !== "string" || path === "") {
        throw new UsageError(
          `Cannot load dataset "csv" as path must be a file path: current value is ${JSON.stringify(path)}`,
        );
      }
      return loadCsv(path, rest);
    },
    about: "a CSV file with a header (path, target, features, delimiter)",
    paths: ["path"],
  },
  "mnist": {
    loader: (o) => loadMnist(o),
    about: "MNIST IDX files (dir, normalize, flatten, channels, labels, limit)",
    paths: ["dir"],
  },
  "fashion-mnist": {
    loader: (o) => loadFashionMnist(o),
    about: "Fashion-MNIST IDX files (dir, normalize, flatten, channels, labels, limit)",
    paths: ["dir"],
  },
};

/** The working directory as a file URL ending in a slash. */
function cwdUrl(): URL {
  const cwd = Deno.cwd().replaceAll("\\", "/");
  return new URL(`file://${cwd.startsWith("/") ? "" : "/"}${cwd.replaceAll("%", "%25").replaceAll("#", "%23")}/`);
}

/** The experiment's folder as a file URL, for its relative plugin paths. */
function folderUrl(path: string): URL {
  return new URL(".", new URL(path.replaceAll("%", "%25").replaceAll("#", "%23"), cwdUrl()));
}

/** Whether a specifier is a URL (`https:`, `file:`) rather than a path (Windows drive letters are paths). */
function isUrl(specifier: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(specifier) && !/^[a-zA-Z]:[\\/]/.test(specifier);
}

/**
 * A path made absolute against a folder URL (unchanged when it is absolute already).
 *
 * @param path A file or folder path.
 * @param base The folder, as a file URL.
 * @returns The absolute path.
 */
function absolutePath(path: string, base: URL): string {
  if (path.startsWith("/") || /^[a-zA-Z]:[\\/]/.test(path)) return path;
  return decodeURIComponent(new URL(path.replaceAll("%", "%25").replaceAll("#", "%23"), base).pathname);
}

/** The data section's file and folder options made absolute against `base` (those already absolute unchanged). */
function resolveDataPaths(json: unknown, base: URL): void {
  const data = (json as { data?: unknown } | null)?.data;
  if (data === null || typeof data !== "object" || Array.isArray(data)) return;
  const d = data as Record<string, unknown>;
  for (const key of DATASETS[String(d.name)]?.paths ?? []) {
    if (typeof d[key] === "string" && d[key] !== "") d[key] = absolutePath(d[key] as string, base);
  }
}

/**
 * A `--plugin` value as the experiment records it: a URL, or a path made an
 * absolute file URL against the working directory (loading options after `#` kept).
 *
 * @param specifier The flag's value.
 * @returns The reference.
 *
 * @example
 * ```ts
 * import { pluginReference } from "./_setup.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(pluginReference("https://example.org/lion.ts#sha256=ab"), { url: "https://example.org/lion.ts#sha256=ab" });
 * assert.match(pluginReference("examples/plugins/lion.ts").url, /^file:\/\/\/.*\/examples\/plugins\/lion\.ts$/);
 * ```
 */
export function pluginReference(specifier: string): PluginReference {
  if (isUrl(specifier)) return { url: specifier };
  const hash = specifier.lastIndexOf("#");
  const [path, fragment] = hash === -1 ? [specifier, ""] : [specifier.slice(0, hash), specifier.slice(hash)];
  const encoded = path.replaceAll("\\", "/").replaceAll("%", "%25").replaceAll("?", "%3F").replaceAll("#", "%23");
  return { url: new URL(/^[a-zA-Z]:\//.test(encoded) ? `/${encoded}` : encoded, cwdUrl()).href + fragment };
}

/**
 * The plugins a run loads: those given with `--plugin` first, then the
 * experiment's own, each URL once (a `--plugin` wins over the same URL in the file).
 *
 * @param flags The `--plugin` values.
 * @param own The experiment's `plugins`.
 * @returns The references, in loading order.
 *
 * @example
 * ```ts
 * import { withPluginFlags } from "./_setup.ts";
 * import assert from "node:assert/strict";
 *
 * const refs = withPluginFlags(["https://a.org/x.ts"], [{ url: "https://a.org/x.ts" }, { url: "https://b.org/y.ts" }]);
 * assert.deepEqual(refs.map((r) => r.url), ["https://a.org/x.ts", "https://b.org/y.ts"]);
 * ```
 */
export function withPluginFlags(flags: readonly string[], own: readonly PluginReference[]): PluginReference[] {
  const out: PluginReference[] = [];
  const key = (r: PluginReference) => r.url.replace(/#.*$/, "");
  for (const ref of [...flags.map(pluginReference), ...own]) {
    if (!out.some((r) => key(r) === key(ref))) out.push(ref);
  }
  return out;
}

/**
 * Reads an experiment file, applies the command-line overrides, and checks it.
 * Relative paths in the file (plugins, data files and folders) are read from
 * the file's folder, and relative data paths given by `--set` from the working
 * directory; the experiment holds them absolute, so that `experiment.json` in
 * the run folder runs again from anywhere.
 *
 * Needs read access to the file.
 *
 * @param path The JSON file.
 * @param overrides The flags given.
 * @returns The checked experiment.
 * @throws {UsageError} When the file cannot be read, is not JSON, or fails the check.
 *
 * @example
 * ```ts
 * import { readExperiment } from "./_setup.ts";
 * import assert from "node:assert/strict";
 *
 * const experiment = await readExperiment("examples/experiments/spirals.json", { epochs: 5 });
 * assert.equal(experiment.epochs, 5);
 * await assert.rejects(readExperiment("missing.json", {}), /does not exist/);
 * ```
 */
export async function readExperiment(path: string, overrides: Overrides): Promise<Experiment> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new UsageError(`Cannot read the experiment as the file does not exist: current path is ${path}`);
    }
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`Cannot read ${path} as it is not valid JSON: ${(error as Error).message}`);
  }
  // Overrides apply to an object only: anything else is reported as it is ("must be a JSON object").
  const isObject = json !== null && typeof json === "object" && !Array.isArray(json);
  resolveDataPaths(json, folderUrl(path));
  const changed = isObject ? applyOverrides(json, overrides) : json;
  resolveDataPaths(changed, cwdUrl());
  const experiment = parseExperiment(changed, path, overrideSources(json, overrides));
  // Plugin paths in the file are relative to the file; URLs stay as they are.
  experiment.plugins = experiment.plugins.map((p) => ({
    ...p,
    url: isUrl(p.url) ? p.url : new URL(p.url, folderUrl(path)).href,
  }));
  return experiment;
}

/**
 * A registry with the built-ins and the given third-party plugins (from the
 * command line, then from the experiment file), all or none.
 *
 * Needs `--allow-import=<host>` for remote plugins and `--allow-read` for local ones.
 *
 * @param specifiers `--plugin` values: URLs or paths (relative to the working directory), with an optional `#sha256=<hex>`.
 * @param references The experiment's `plugins`.
 * @returns The registry.
 * @throws {Error} The loader's message when a plugin cannot be loaded or registered.
 *
 * @example
 * ```ts
 * import { buildRegistry } from "./_setup.ts";
 * import assert from "node:assert/strict";
 *
 * const registry = await buildRegistry([]);
 * assert.ok(registry.has("optimizer", "sgd"));
 * ```
 */
export async function buildRegistry(
  specifiers: readonly string[],
  references: readonly PluginReference[] = [],
): Promise<Registry> {
  const registry = createRegistry();
  for (const specifier of specifiers) await loadPlugin(specifier, { registry });
  for (const ref of references) {
    await loadPlugin(ref.url, ref.sha256 === undefined ? { registry } : { registry, integrity: ref.sha256 });
  }
  return registry;
}

/**
 * Creates every plugin the experiment names once, so that an unknown name
 * or a bad option is reported (with the plugin's own message) before any
 * data is loaded or any epoch runs.
 *
 * @param experiment The experiment.
 * @param registry Where names are looked up.
 * @throws {RangeError | TypeError} From the registry or the plugin.
 *
 * @example
 * ```ts
 * import { checkChoices } from "./_setup.ts";
 * import { parseExperiment } from "./experiment.ts";
 * import { createRegistry } from "../plugins/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const e = parseExperiment({ data: "xor", model: [{ name: "dense", units: 1 }], loss: "mse", optimizer: "sdg" }, "x.json");
 * assert.throws(() => checkChoices(e, createRegistry()), /did you mean 'sgd'/);
 * ```
 */
export function checkChoices(experiment: Experiment, registry: Registry): void {
  const { name: lossName, ...lossOptions } = experiment.loss;
  registry.create("loss", lossName, lossOptions);
  const { name: optimizerName, ...optimizerOptions } = experiment.optimizer;
  if (experiment.scheduler) {
    const { name, ...options } = experiment.scheduler;
    const schedule = registry.create("scheduler", name, options);
    registry.create("optimizer", optimizerName, { ...optimizerOptions, learningRate: schedule });
  } else registry.create("optimizer", optimizerName, optimizerOptions);
  for (const r of experiment.regularizers) {
    const { name, ...options } = r;
    registry.create("regularizer", name, options);
  }
  resolveModel(structuredClone(experiment.model), registry);
  for (const m of experiment.metrics) {
    if (typeof m === "string") registry.create("metric", m);
    else {
      const { name, ...options } = m;
      registry.create("metric", name, options);
    }
  }
  if (experiment.backend) {
    const { name, ...options } = experiment.backend;
    registry.create("backend", name, options);
  }
}

/**
 * Makes or loads the experiment's data and its validation part.
 *
 * Needs read access for file-based data sets.
 *
 * @param experiment The experiment.
 * @returns The training data and the validation choice for the trainer.
 * @throws {UsageError} For an unknown data set name (with the nearest one) or a misplaced `"test"`.
 *
 * @example
 * ```ts
 * import { loadData } from "./_setup.ts";
 * import { parseExperiment } from "./experiment.ts";
 * import assert from "node:assert/strict";
 *
 * const e = parseExperiment({ data: "xor", model: [], loss: "mse", optimizer: "sgd", validation: 0.25 }, "x.json");
 * const { train, validation } = await loadData(e);
 * assert.deepEqual(train.x.shape, [4, 2]);
 * assert.equal(validation, 0.25);
 * ```
 */
export async function loadData(experiment: Experiment): Promise<RunData> {
  const { name, ...options } = experiment.data;
  const entry = DATASETS[name];
  if (entry === undefined) {
    const names = Object.keys(DATASETS);
    const near = nearestName(name, names);
    throw new UsageError(
      `Cannot load dataset "${name}" as it is unknown${near ? ` (did you mean "${near}"?)` : ""}: known datasets are ${
        names.join(", ")
      }`,
    );
  }
  let loaded: Awaited<ReturnType<Loader>>;
  try {
    loaded = await entry.loader({ ...options, dtype: experiment.dtype });
  } catch (error) {
    // A missing file is a usage error, said in one line (the loaders name the file).
    if (error instanceof Deno.errors.NotFound) throw new UsageError((error as Error).message);
    throw error;
  }
  const split = "train" in loaded && "test" in loaded ? loaded : null;
  const train = split ? split.train : loaded as Dataset;
  if (experiment.validation === "test") {
    if (!split) {
      throw new UsageError(
        `Cannot use validation "test" as dataset "${name}" has no test split: give a fraction such as 0.2 instead`,
      );
    }
    return { train, validation: split.test };
  }
  return { train, validation: experiment.validation ?? undefined };
}
