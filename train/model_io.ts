/**
 * Saving a trained model to one safetensors file, and loading it for inference.
 *
 * @module
 */

import type { Layer } from "../core/interfaces.ts";
import { Random } from "../core/random.ts";
import type { Registry } from "../core/registry.ts";
import { flattenTree, type Tree } from "../core/tree.ts";
import { createRegistry } from "../plugins/mod.ts";
import { _joinTree, _splitTree } from "./_named_tree.ts";
import { CHECKPOINT_FILE, loadCheckpoint } from "./checkpoint.ts";
import { readSafetensors, writeSafetensors } from "./io/safetensors.ts";
import { type ModelSpec, resolveModel } from "./model.ts";
import type { TrainedModel } from "./predict.ts";
import type { JsonValue } from "./serialize.ts";

const FORMAT = "gradflow-model", VERSION = 1;

/** What {@linkcode saveModel} stores: `train`'s result has every field. */
export interface SavableModel {
  /** The parameters. */
  params: Tree;
  /** The layer state (running statistics). */
  state: Tree;
  /** The shape of one input sample. */
  inputShape: readonly number[];
  /** The model's JSON spec, so `loadModel` can rebuild it; `null` when the model was an instance. */
  modelSpec?: Record<string, unknown> | null;
}

/** A model read back by {@linkcode loadModel}. */
export interface LoadedModel extends TrainedModel {
  /** The shape of one input sample. */
  inputShape: number[];
  /** The stored spec, or `null`. */
  modelSpec: Record<string, unknown> | null;
}

/** Options of {@linkcode loadModel}. */
export interface LoadModelOptions {
  /** The model, when the file holds no spec (it was trained from a layer instance) or to override it. */
  model?: Layer | ModelSpec;
  /** Where the spec's layer names are looked up. @default {createRegistry()} */
  registry?: Registry;
}

/**
 * Saves a trained model for inference as one safetensors file: parameters and
 * layer-state tensors named by their tree paths (`0.weight`, `1.runningMean`,
 * like a PyTorch `state_dict`), and in `__metadata__.gradflow` the model's JSON
 * spec, the input shape and the trees' structure. Written crash-safely
 * (temporary file, then rename). Needs `--allow-write`.
 *
 * @param path The file (conventionally `model.safetensors`).
 * @param trained `{ params, state, inputShape, modelSpec }`, e.g. `train`'s result.
 * @returns Resolves once the file is in place.
 * @throws {TypeError} When a parameter and a state tensor share a path.
 *
 * @example Save, load, predict
 * ```ts
 * import { loadModel, saveModel } from "./model_io.ts";
 * import { predict } from "./predict.ts";
 * import { resolveModel } from "./model.ts";
 * import { createRegistry } from "../plugins/mod.ts";
 * import { Random } from "../core/random.ts";
 * import { tensor } from "../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const modelSpec = { name: "sequential", layers: [{ name: "dense", units: 2 }, { name: "sigmoid" }] };
 * const model = resolveModel(modelSpec, createRegistry());
 * const { params, state } = model.init([3], new Random(0));
 * const path = `${await Deno.makeTempDir()}/model.safetensors`;
 * await saveModel(path, { params, state, inputShape: [3], modelSpec });
 * const loaded = await loadModel(path);
 * const x = tensor([[1, 2, 3]]);
 * assert.deepEqual(predict(loaded, x).toArray(), predict({ model, params, state }, x).toArray());
 * ```
 */
export async function saveModel(path: string, trained: SavableModel): Promise<void> {
  const params = _splitTree(trained.params, "params"), state = _splitTree(trained.state, "state");
  const names = new Set(params.tensors.map(([n]) => n));
  for (const [name] of state.tensors) {
    if (names.has(name)) {
      throw new TypeError(`Cannot save the model as "${name}" names both a parameter and a state tensor`);
    }
  }
  const meta = {
    format: FORMAT,
    version: VERSION,
    inputShape: [...trained.inputShape],
    model: trained.modelSpec ?? null,
    params: params.json,
    state: state.json,
  };
  await writeSafetensors(path, [...params.tensors, ...state.tensors], { gradflow: JSON.stringify(meta) });
}

/** The file a run folder keeps its trained model in (written by `gradflow train`). */
export const MODEL_FILE = "model.safetensors";

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Loads a trained model for `predict` and `evaluate`, in one call, from any of:
 * - a file written by {@linkcode saveModel} (`model.safetensors`);
 * - a run folder of `gradflow train` (`runs/spirals`): its `model.safetensors`
 *   (the trained weights, the best epoch's with early stopping), or else its
 *   last checkpoint;
 * - a checkpoint folder, or one of its `weights-…safetensors` files: the
 *   checkpoint's weights, with the model spec and input shape it records.
 *
 * The layer is rebuilt from the stored spec (or `options.model`), and every
 * parameter is checked against what the layer creates for the stored input
 * shape. Needs `--allow-read`.
 *
 * @param path A model file, a run folder, a checkpoint folder or a checkpoint's weights file.
 * @param options `model`, `registry`.
 * @returns `{ model, params, state, inputShape, modelSpec }`, ready for `predict`.
 * @throws {RangeError} When the file is damaged, not a gradflow model, or does not fit the model (naming the parameter).
 * @throws {TypeError} When the file has no spec and `options.model` is not given.
 * @throws {Deno.errors.NotFound} When the path holds neither a model nor a checkpoint.
 *
 * @example
 * ```ts
 * import { loadModel } from "./model_io.ts";
 * import assert from "node:assert/strict";
 *
 * await assert.rejects(loadModel("/nonexistent/model.safetensors"));
 * ```
 */
export async function loadModel(path: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const folder = path.replace(/[\\/]+$/, "");
  if (await isDirectory(folder)) {
    if (await exists(`${folder}/${MODEL_FILE}`)) return await loadModelFile(`${folder}/${MODEL_FILE}`, options);
    for (const dir of [`${folder}/checkpoint`, folder]) {
      if (await exists(`${dir}/${CHECKPOINT_FILE}`)) return await loadFromCheckpoint(dir, options);
    }
    throw new Deno.errors.NotFound(
      `Cannot load a model from ${folder} as it holds no ${MODEL_FILE}, no checkpoint/${CHECKPOINT_FILE} and no ${CHECKPOINT_FILE}: pass a run folder, a checkpoint folder or a model file`,
    );
  }
  const sibling = `${path.replace(/[\\/][^\\/]*$/, "") || "."}/${CHECKPOINT_FILE}`;
  if (/^weights-\d+-[0-9a-f]{8}\.safetensors$/.test(path.replace(/^.*[\\/]/, "")) && await exists(sibling)) {
    return await loadFromCheckpoint(sibling.slice(0, -CHECKPOINT_FILE.length - 1), options);
  }
  return await loadModelFile(path, options);
}

/** The checkpoint's weights, rebuilt with the model spec and input shape its configuration records. */
async function loadFromCheckpoint(dir: string, options: LoadModelOptions): Promise<LoadedModel> {
  const snapshot = await loadCheckpoint(dir);
  const spec = (options.model ?? snapshot.config.model ?? null) as Layer | ModelSpec | null;
  if (spec === null) {
    throw new TypeError(
      `Cannot load the model from the checkpoint in ${dir} as the run was trained from a layer instance, which a checkpoint cannot record: pass options.model, the same layer`,
    );
  }
  const inputShape = snapshot.config.inputShape as number[];
  const model = resolveModel(spec, options.registry ?? createRegistry());
  checkFits(model, inputShape, snapshot.params, `the checkpoint in ${dir}`);
  return {
    model,
    params: snapshot.params,
    state: snapshot.state,
    inputShape,
    modelSpec: (snapshot.config.model ?? null) as Record<string, unknown> | null,
  };
}

/** Checks that every parameter has the shape the model gives it, and that none is missing. */
function checkFits(model: Layer, inputShape: readonly number[], params: Tree, where: string): void {
  const fresh = new Map(flattenTree(model.init(inputShape, new Random(0)).params));
  for (const [p, t] of flattenTree(params)) {
    const f = fresh.get(p);
    if (f === undefined || f.shape.join() !== t.shape.join()) {
      throw new RangeError(
        `Cannot load the model from ${where} as parameter "${p}" has shape [${t.shape}] but the model ${
          f === undefined ? "has no such parameter" : `expects [${f.shape}]`
        }`,
      );
    }
    fresh.delete(p);
  }
  if (fresh.size > 0) {
    throw new RangeError(`Cannot load the model from ${where} as it lacks parameter "${[...fresh.keys()][0]}"`);
  }
}

async function loadModelFile(path: string, options: LoadModelOptions): Promise<LoadedModel> {
  const { tensors, metadata } = await readSafetensors(path);
  let meta: {
    format?: unknown;
    version?: unknown;
    inputShape?: number[];
    model?: ModelSpec | null;
    params?: JsonValue;
    state?: JsonValue;
  } = {};
  try {
    meta = JSON.parse(metadata.gradflow ?? "null") ?? {};
  } catch {
    // Reported below.
  }
  if (meta.format !== FORMAT || meta.version !== VERSION) {
    throw new RangeError(
      `Cannot load a model from ${path} as its __metadata__ has no gradflow model description (format "${FORMAT}" version ${VERSION}); it may be a plain safetensors file: read it with readSafetensors (for a run of gradflow train, pass its folder)`,
    );
  }
  const spec = options.model ?? meta.model ?? null;
  if (spec === null) {
    throw new TypeError(
      `Cannot load the model from ${path} as it was saved without a JSON spec (trained from a layer instance): pass options.model, the same layer`,
    );
  }
  const model = resolveModel(spec, options.registry ?? createRegistry());
  const params = _joinTree(meta.params as JsonValue, "params", tensors);
  const state = _joinTree(meta.state as JsonValue, "state", tensors);
  const inputShape = meta.inputShape ?? [];
  checkFits(model, inputShape, params, path);
  return {
    model,
    params,
    state,
    inputShape,
    modelSpec: (meta.model ?? null) as Record<string, unknown> | null,
  };
}
