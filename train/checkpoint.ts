/**
 * Checkpoints: everything needed to resume a run exactly, written crash-safely.
 *
 * @module
 */

import type { StateValue } from "../core/interfaces.ts";
import type { RandomState } from "../core/random.ts";
import type { Tensor } from "../core/tensor.ts";
import type { Tree } from "../core/tree.ts";
import { _joinTree, _splitTree } from "./_named_tree.ts";
import type { EarlyStoppingState } from "./early_stopping.ts";
import { crc32 } from "./io/_crc32.ts";
import { syncFolder, writeFileAtomic, type WriteFileAtomicOptions } from "./io/atomic_write.ts";
import { decodeSafetensors, encodeSafetensors } from "./io/safetensors.ts";
import { decodeState, encodeState, type JsonValue } from "./serialize.ts";

/** The name of the file that commits a checkpoint (written last, by rename). */
export const CHECKPOINT_FILE = "checkpoint.json";

/** The format tag and version in `checkpoint.json`. */
const FORMAT = "gradflow-checkpoint", VERSION = 1;

/** The complete state of a run at the end of an epoch. */
export interface TrainerSnapshot {
  /** Completed epochs. */
  epoch: number;
  /** Updates made. */
  step: number;
  /** Seconds of training so far. */
  time: number;
  /** The model's parameters. */
  params: Tree;
  /** The model's layer state (running statistics). */
  state: Tree;
  /** The optimizer's state (including its step count). */
  optimizerState: StateValue;
  /** Each regularizer's state (`null` for those without). */
  regularizerStates: StateValue[];
  /** The generators' states: batch shuffling and stochastic layers. */
  rng: { batches: RandomState; layers: RandomState };
  /** Early stopping's progress and the best epoch's weights, or `null` without early stopping. */
  earlyStopping: (EarlyStoppingState & { bestParams: Tree | null; bestState: Tree | null }) | null;
  /** An adaptive learning-rate schedule's state (`reduce-on-plateau`); `null` or absent without one. */
  scheduler?: StateValue;
  /** The run's configuration (JSON), to check that a resumed run matches. */
  config: Record<string, unknown>;
  /** Why training stopped, if it did (`"early-stopping"`), else `null`. */
  stopReason: string | null;
}

/** Options of {@linkcode saveCheckpoint}. */
export interface SaveCheckpointOptions {
  /** Passed to every file write; tests use it to simulate a crash mid-write. */
  write?: WriteFileAtomicOptions["write"];
}

interface FileEntry {
  file: string;
  bytes: number;
  crc32: string;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/**
 * Writes a checkpoint into a folder, crash-safely:
 * - `weights-<epoch>-<crc>.safetensors`: the parameters, named by their tree
 *   paths (`0.weight`), F32/F64 as trained; readable by PyTorch's `safetensors`;
 * - `state-<epoch>-<crc>.safetensors`: optimizer and regularizer states, layer
 *   state and early stopping's best weights;
 * - `checkpoint.json`: epoch, step, RNG states, configuration, the structure
 *   of the states, and each file's size and CRC-32.
 *
 * A checkpoint holds what resuming needs and no more: not the history of
 * metrics, which the metrics log keeps (`jsonlLogger`, `csvLogger`, appended to
 * once per epoch), so that its size, and the time a save takes, do not grow
 * with the number of epochs.
 *
 * Each file goes to a temporary file that is flushed to disk and renamed into
 * place, and the folder is flushed after each rename (as SQLite and LevelDB
 * do); the two data files get new names (epoch and checksum), and
 * `checkpoint.json` is renamed last, which commits the checkpoint. A crash of
 * the process at any point leaves the previous `checkpoint.json` and the files
 * it names intact; so does a power loss, on a file system that honours `fsync`
 * (ext4, XFS, APFS, NTFS…; not a disk that lies about its write cache): once
 * this resolves, the new checkpoint survives it. Superseded files are removed
 * only after the commit is durable. Needs `--allow-read` and `--allow-write` on
 * the folder (and `--allow-read` on its parent, flushed when the folder is new).
 *
 * @param dir The checkpoint folder (created if missing).
 * @param snapshot The run's state, from the trainer (`context.snapshot()`).
 * @param options `write` (fault injection for tests).
 * @returns Resolves once the checkpoint is committed.
 *
 * @example Save and load back
 * ```ts
 * import { loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 * import { Random } from "../core/random.ts";
 * import { tensor, type Tensor } from "../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const rng = new Random(1).getState();
 * await saveCheckpoint(dir, {
 *   epoch: 3, step: 30, time: 1.5, params: [{ weight: tensor([[0.25]]) }], state: [{}],
 *   optimizerState: { step: 30, buffer: null }, regularizerStates: [], rng: { batches: rng, layers: rng },
 *   earlyStopping: null, config: { seed: 0 }, stopReason: null,
 * });
 * const back = await loadCheckpoint(dir);
 * assert.equal(back.epoch, 3);
 * assert.equal(((back.params as { weight: Tensor }[])[0].weight).data[0], 0.25);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveCheckpoint(
  dir: string,
  snapshot: TrainerSnapshot,
  options: SaveCheckpointOptions = {},
): Promise<void> {
  const existed = await Deno.stat(dir).then(() => true, (e) => {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  });
  await Deno.mkdir(dir, { recursive: true });
  // A new folder's own entry must be durable too, or a power loss could take the whole checkpoint with it.
  if (!existed) {
    const path = dir.replace(/[\\/]+$/, ""), cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
    await syncFolder(cut === -1 ? "." : path.slice(0, Math.max(cut, 1)));
  }
  const params = _splitTree(snapshot.params, "params");
  const es = snapshot.earlyStopping;
  const trainer = encodeState({
    state: snapshot.state as StateValue,
    optimizer: snapshot.optimizerState,
    regularizers: snapshot.regularizerStates,
    earlyStopping: es === null ? null : {
      best: es.best,
      bestEpoch: es.bestEpoch,
      wait: es.wait,
      bestParams: es.bestParams as StateValue,
      bestState: es.bestState as StateValue,
    },
    rng: snapshot.rng as unknown as StateValue,
    scheduler: snapshot.scheduler ?? null,
    config: snapshot.config as StateValue,
    stopReason: snapshot.stopReason,
    time: snapshot.time,
  }, { prefix: "trainer" });
  const epochTag = String(snapshot.epoch).padStart(6, "0");
  const write = async (kind: string, bytes: Uint8Array): Promise<FileEntry> => {
    const sum = hex(crc32(bytes));
    const file = `${kind}-${epochTag}-${sum}.safetensors`;
    await writeFileAtomic(`${dir}/${file}`, bytes, { write: options.write });
    return { file, bytes: bytes.length, crc32: sum };
  };
  const weights = await write("weights", encodeSafetensors(params.tensors, { producer: "gradflow" }));
  const state = await write("state", encodeSafetensors(trainer.tensors, { producer: "gradflow" }));
  const json = {
    format: FORMAT,
    version: VERSION,
    epoch: snapshot.epoch,
    step: snapshot.step,
    files: { weights, state },
    params: params.json,
    trainer: trainer.json,
  };
  await writeFileAtomic(`${dir}/${CHECKPOINT_FILE}`, JSON.stringify(json) + "\n", { write: options.write });
  for await (const entry of Deno.readDir(dir)) {
    const ours = /^(weights|state)-\d{6,}-[0-9a-f]{8}\.safetensors(\.\d+-\d+\.tmp)?$/.test(entry.name) ||
      /^checkpoint\.json\.\d+-\d+\.tmp$/.test(entry.name);
    if (ours && entry.name !== weights.file && entry.name !== state.file) {
      await Deno.remove(`${dir}/${entry.name}`).catch(() => {});
    }
  }
}

/**
 * Reads the checkpoint committed in a folder (see {@linkcode saveCheckpoint}),
 * verifying each file's size and CRC-32 first. Needs `--allow-read`.
 *
 * @param dir The checkpoint folder.
 * @returns The snapshot, ready for `train({ resume })`.
 * @throws {Deno.errors.NotFound} When the folder holds no committed checkpoint.
 * @throws {RangeError} When a file is damaged, truncated or of another format (naming it).
 *
 * @example
 * ```ts
 * import { loadCheckpoint } from "./checkpoint.ts";
 * import assert from "node:assert/strict";
 *
 * await assert.rejects(loadCheckpoint("/nonexistent"), /no checkpoint/);
 * ```
 */
export async function loadCheckpoint(dir: string): Promise<TrainerSnapshot> {
  const path = `${dir}/${CHECKPOINT_FILE}`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(
        `Cannot load a checkpoint from ${dir} as it holds no checkpoint: ${CHECKPOINT_FILE} is missing (one is written when an epoch ends with a checkpoint callback)`,
      );
    }
    throw e;
  }
  const fail = (why: string): never => {
    throw new RangeError(`Cannot load the checkpoint in ${dir} as ${why}`);
  };
  let json: {
    format?: unknown;
    version?: unknown;
    files?: { weights?: FileEntry; state?: FileEntry };
    params?: JsonValue;
    trainer?: JsonValue;
  } = {};
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(`${CHECKPOINT_FILE} is not valid JSON: ${(e as Error).message}`);
  }
  if (json?.format !== FORMAT || json.version !== VERSION) {
    fail(
      `${CHECKPOINT_FILE} must have format "${FORMAT}" version ${VERSION}: current values are ${
        JSON.stringify(json?.format)
      } version ${JSON.stringify(json?.version)}`,
    );
  }
  const read = async (entry: FileEntry | undefined, kind: string): Promise<Map<string, Tensor>> => {
    if (typeof entry?.file !== "string" || !/^[\w.-]+$/.test(entry.file)) {
      fail(`${CHECKPOINT_FILE} names no ${kind} file`);
    }
    const bytes = await Deno.readFile(`${dir}/${entry!.file}`).catch((e) => {
      if (e instanceof Deno.errors.NotFound) fail(`${entry!.file} (named by ${CHECKPOINT_FILE}) is missing`);
      throw e;
    });
    if (bytes.length !== entry!.bytes) {
      fail(`${entry!.file} is damaged: it has ${bytes.length} bytes but ${CHECKPOINT_FILE} records ${entry!.bytes}`);
    }
    const sum = hex(crc32(bytes));
    if (sum !== entry!.crc32) {
      fail(`${entry!.file} is damaged: its CRC-32 is ${sum} but ${CHECKPOINT_FILE} records ${entry!.crc32}`);
    }
    return decodeSafetensors(bytes, `${dir}/${entry!.file}`).tensors;
  };
  const weights = await read(json.files?.weights, "weights");
  const stateTensors = await read(json.files?.state, "state");
  const params = _joinTree(json.params as JsonValue, "params", weights);
  const t = decodeState(json.trainer as JsonValue, stateTensors) as Record<string, StateValue>;
  const es = t.earlyStopping as Record<string, StateValue> | null;
  return {
    epoch: (json as { epoch: number }).epoch,
    step: (json as { step: number }).step,
    time: t.time as number,
    params,
    state: t.state as Tree,
    optimizerState: t.optimizer,
    regularizerStates: t.regularizers as StateValue[],
    rng: t.rng as unknown as TrainerSnapshot["rng"],
    earlyStopping: es === null ? null : {
      best: es.best as number | null,
      bestEpoch: es.bestEpoch as number | null,
      wait: es.wait as number,
      bestParams: es.bestParams as Tree | null,
      bestState: es.bestState as Tree | null,
    },
    scheduler: t.scheduler ?? null,
    config: t.config as Record<string, unknown>,
    stopReason: t.stopReason as string | null,
  };
}
