import assert from "node:assert/strict";
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
