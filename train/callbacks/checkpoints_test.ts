import assert from "node:assert/strict";
import type { StateValue } from "../../core/interfaces.ts";
import { tensor } from "../../core/tensor.ts";
import { type Tree, treeMap } from "../../core/tree.ts";
import { createRegistry } from "../../plugins/mod.ts";
import { allFinite, NonFiniteError } from "../diagnostics.ts";
import { loadCheckpoint } from "../checkpoint.ts";
import { xor } from "../data/xor.ts";
import { train, type TrainOptions } from "../train.ts";
import { checkpoints } from "./checkpoints.ts";

const options = (): TrainOptions => ({
  model: { name: "dense", units: 1 },
  loss: "mse",
  optimizer: { name: "sgd", learningRate: 0.1 },
  data: xor(),
  batching: "full",
});

Deno.test("checkpoints() saves every n epochs and after the last one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const saved: number[] = [];
    await train({
      ...options(),
      epochs: 5,
      callbacks: [checkpoints({ dir, every: 2 }), {
        onEpochEnd: async () => void saved.push((await loadCheckpoint(dir).catch(() => ({ epoch: 0 }))).epoch),
      }],
    });
    assert.deepEqual(saved, [0, 2, 2, 4, 5]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkpoints() saves the epoch at which early stopping ends the run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await train({
      ...options(),
      epochs: 50,
      optimizer: { name: "sgd", learningRate: 1e-9 },
      earlyStopping: { monitor: "loss", patience: 1, minDelta: 1 },
      callbacks: [checkpoints({ dir, every: 10 })],
    });
    assert.equal(r.epochs, 2);
    const snap = await loadCheckpoint(dir);
    assert.equal(snap.epoch, 2);
    assert.equal(snap.stopReason, "early-stopping");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("checkpoints() rejects a bad folder or period", () => {
  assert.throws(() => checkpoints({ dir: "" }), /dir must be a folder path/);
  assert.throws(() => checkpoints({ dir: "x", every: 0 }), /every must be a positive integer: current value is 0/);
});

Deno.test("a non-finite update stops the run before it is checkpointed: the last good checkpoint stays", async () => {
  // A third-party optimizer that steps like SGD and returns NaN updates from its third step on.
  const registry = createRegistry().register({
    apiVersion: 1,
    kind: "optimizer",
    name: "nan-at-3",
    create: () => ({
      init: () => ({ count: 0 }),
      update: (grads: Tree, state: StateValue) => {
        const count = (state as { count: number }).count + 1;
        const updates = treeMap(
          (g) => tensor(Array.from(g.data, (v) => (count >= 3 ? NaN : -0.1 * v)), g.shape),
          grads,
        );
        return { updates, state: { count } };
      },
    }),
  });
  const dir = await Deno.makeTempDir();
  try {
    const error = await train({
      ...options(),
      optimizer: "nan-at-3",
      registry,
      validation: xor(),
      epochs: 5,
      callbacks: [checkpoints({ dir })],
    }).catch((e) => e);
    assert.ok(error instanceof NonFiniteError, String(error));
    assert.equal(error.step, 3);
    assert.equal(error.path, "weight");
    assert.match(
      error.message,
      /^Cannot train as optimizer "nan-at-3" made parameter "weight" NaN at step 3 \(epoch 3, batch 1 of 1\)/,
    );
    assert.deepEqual(error.history.epochs.map((r: { epoch: number }) => r.epoch), [1, 2]);
    const last = await loadCheckpoint(dir);
    assert.equal(last.epoch, 2);
    assert.ok(allFinite(last.params));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
