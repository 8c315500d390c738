import assert from "node:assert/strict";
import { Random } from "../core/random.ts";
import { type Tensor, tensor } from "../core/tensor.ts";
import { flattenTree, type Tree } from "../core/tree.ts";
import { CHECKPOINT_FILE, loadCheckpoint, saveCheckpoint, type TrainerSnapshot } from "./checkpoint.ts";
import { fileSystemCalls, strace } from "../tests/_file_system_calls.ts";
import { checkpoints } from "./callbacks/checkpoints.ts";
import { xor } from "./data/xor.ts";
import { readSafetensors } from "./io/safetensors.ts";
import { train } from "./train.ts";

function snapshot(epoch: number, value: number): TrainerSnapshot {
  const rng = new Random(epoch).getState();
  return {
    epoch,
    step: epoch * 10,
    time: epoch / 2,
    params: [{ weight: tensor([[value, -value]], undefined, "float32"), bias: tensor([value / 3]) }, {}],
    state: [{}, { running: tensor([value]) }],
    optimizerState: {
      step: epoch * 10,
      buffer: [{ weight: tensor([[0.1, NaN]]), bias: tensor([-0]) }, {}],
      lr: Infinity,
    },
    regularizerStates: [null, { mask: tensor([1, 0]) }],
    rng: { batches: rng, layers: new Random(epoch + 100).getState() },
    earlyStopping: { best: value, bestEpoch: epoch, wait: 0, bestParams: null, bestState: null },
    config: { seed: 3, batching: "full" },
    stopReason: null,
  };
}

function assertSameTree(a: Tree, b: Tree): void {
  const fa = flattenTree(a), fb = flattenTree(b);
  assert.deepEqual(fa.map(([p]) => p), fb.map(([p]) => p));
  fa.forEach(([, t], i) => {
    assert.equal(t.dtype, fb[i][1].dtype);
    assert.deepEqual(t.shape, fb[i][1].shape);
    t.data.forEach((v, j) => assert.ok(Object.is(v, fb[i][1].data[j])));
  });
}

async function files(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("saveCheckpoint() and loadCheckpoint() round-trip a snapshot exactly", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const s = snapshot(4, 0.1 + 0.2);
    await saveCheckpoint(dir, s);
    const back = await loadCheckpoint(dir);
    assertSameTree(back.params, s.params);
    assertSameTree(back.state, s.state);
    const opt = back.optimizerState as { step: number; buffer: Tree; lr: number };
    assert.equal(opt.step, 40);
    assert.equal(opt.lr, Infinity);
    assertSameTree(opt.buffer, (s.optimizerState as { buffer: Tree }).buffer);
    assert.deepEqual(back.regularizerStates[0], null);
    assert.deepEqual(back.rng, s.rng);
    assert.deepEqual({ ...back.earlyStopping }, { ...s.earlyStopping });
    assert.deepEqual(back.config, s.config);
    assert.equal(back.epoch, 4);
    assert.equal(back.time, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saveCheckpoint() names weights by their tree paths in a safetensors file PyTorch can read", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await saveCheckpoint(dir, snapshot(1, 2));
    const json = JSON.parse(await Deno.readTextFile(`${dir}/${CHECKPOINT_FILE}`));
    const weights = await readSafetensors(`${dir}/${json.files.weights.file}`);
    assert.deepEqual([...weights.tensors.keys()].sort(), ["0.bias", "0.weight"]);
    assert.equal(weights.tensors.get("0.weight")!.dtype, "float32");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saveCheckpoint() failing mid-write at any file keeps the previous checkpoint loadable and intact", async () => {
  for (const failAt of [1, 2, 3]) {
    const dir = await Deno.makeTempDir();
    try {
      const previous = snapshot(1, 0.5);
      await saveCheckpoint(dir, previous);
      const before = await files(dir);
      let writes = 0;
      const crash = async (file: Deno.FsFile, data: Uint8Array) => {
        if (++writes === failAt) {
          await file.write(data.subarray(0, data.length >> 1)); // half the bytes reach the disk
          throw new Error(`simulated crash in write ${failAt}`);
        }
        await file.write(data);
      };
      await assert.rejects(saveCheckpoint(dir, snapshot(2, 0.75), { write: crash }), /simulated crash/);
      const back = await loadCheckpoint(dir);
      assert.equal(back.epoch, 1, `failure at write ${failAt}`);
      assertSameTree(back.params, previous.params);
      const after = await files(dir);
      assert.ok(!after.some((f) => f.endsWith(".tmp")), `no temporary file left after failure at ${failAt}`);
      assert.ok(before.every((f) => after.includes(f)));
      // The next successful save replaces it and removes superseded files.
      await saveCheckpoint(dir, snapshot(3, 0.25));
      assert.equal((await loadCheckpoint(dir)).epoch, 3);
      assert.equal((await files(dir)).length, 3);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("loadCheckpoint() ignores the leftovers of a process killed mid-save", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await saveCheckpoint(dir, snapshot(1, 0.5));
    // What a kill -9 during the next save can leave: a half-written temporary JSON and a new data file.
    await Deno.writeTextFile(`${dir}/${CHECKPOINT_FILE}.999-0.tmp`, '{"format": "gradflow-chec');
    await Deno.writeFile(`${dir}/weights-000002-deadbeef.safetensors`, new Uint8Array([1, 2, 3]));
    assert.equal((await loadCheckpoint(dir)).epoch, 1);
    await saveCheckpoint(dir, snapshot(2, 0.5));
    assert.equal((await files(dir)).length, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadCheckpoint() reports a damaged weights file by its CRC-32", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await saveCheckpoint(dir, snapshot(1, 0.5));
    const json = JSON.parse(await Deno.readTextFile(`${dir}/${CHECKPOINT_FILE}`));
    const path = `${dir}/${json.files.weights.file}`;
    const bytes = await Deno.readFile(path);
    bytes[bytes.length - 1] ^= 0x40;
    await Deno.writeFile(path, bytes);
    await assert.rejects(loadCheckpoint(dir), /weights-000001-[0-9a-f]{8}\.safetensors is damaged: its CRC-32 is/);
    await Deno.writeFile(path, bytes.subarray(0, 20));
    await assert.rejects(loadCheckpoint(dir), /has 20 bytes but checkpoint.json records/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadCheckpoint() says when a folder holds no checkpoint", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      loadCheckpoint(dir),
      (e: Error) => e instanceof Deno.errors.NotFound && /holds no checkpoint/.test(e.message),
    );
    await Deno.writeTextFile(`${dir}/${CHECKPOINT_FILE}`, "{}");
    await assert.rejects(loadCheckpoint(dir), /must have format "gradflow-checkpoint"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saveCheckpoint() keeps the best weights of early stopping", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const s = snapshot(5, 1);
    s.earlyStopping = { best: 0.1, bestEpoch: 2, wait: 3, bestParams: { w: tensor([7]) }, bestState: {} };
    await saveCheckpoint(dir, s);
    const back = await loadCheckpoint(dir);
    assert.equal((back.earlyStopping!.bestParams as { w: Tensor }).w.data[0], 7);
    assert.equal(back.earlyStopping!.wait, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a checkpoint holds no history: checkpoint.json keeps its size however many epochs were run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const sizes: number[] = [];
    await train({
      model: { name: "dense", units: 1 },
      loss: "mse",
      optimizer: "sgd",
      data: xor(),
      batching: "full",
      epochs: 300,
      recordSteps: true,
      callbacks: [checkpoints({ dir }), {
        onEpochEnd: async () => void sizes.push((await Deno.stat(`${dir}/${CHECKPOINT_FILE}`)).size),
      }],
    });
    // The epoch, the step and the time take a few more digits; nothing else grows.
    assert.ok(
      sizes[299] - sizes[9] < 32,
      `checkpoint.json grew from ${sizes[9]} bytes at epoch 10 to ${sizes[299]} at 300`,
    );
    const json = JSON.parse(await Deno.readTextFile(`${dir}/${CHECKPOINT_FILE}`));
    assert.equal(JSON.stringify(json).includes('"history"'), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "saveCheckpoint() makes each file durable before the commit, and the commit before removing the old files",
  ignore: !strace,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const script = `
        import { saveCheckpoint } from "${new URL("./checkpoint.ts", import.meta.url).href}";
        import { Random } from "${new URL("../core/random.ts", import.meta.url).href}";
        import { tensor } from "${new URL("../core/tensor.ts", import.meta.url).href}";
        const rng = new Random(1).getState();
        for (const epoch of [1, 2]) {
          await saveCheckpoint("${dir}/ckpt", {
            epoch, step: epoch, time: 1, params: { w: tensor([epoch]) }, state: {}, optimizerState: null,
            regularizerStates: [], rng: { batches: rng, layers: rng }, earlyStopping: null, config: {}, stopReason: null,
          });
        }`;
      const calls = await fileSystemCalls(script, dir);
      const text = calls.join("\n");
      const renames = calls.flatMap((c, i) => (c.startsWith("rename(") ? [i] : []));
      assert.equal(renames.length, 6, text);
      for (const i of renames) {
        const [, from] = /^rename\(([^,]+), /.exec(calls[i])!;
        assert.equal(calls[i - 1], `fsync(${from})`, `the file is flushed before it is renamed:\n${text}`);
        assert.equal(calls[i + 1], "fsync(<dir>/ckpt)", `the folder is flushed after the rename:\n${text}`);
      }
      // The new folder's own entry is flushed before the first commit.
      const firstCommit = calls.findIndex((c) => /, <dir>\/ckpt\/checkpoint\.json\)$/.test(c));
      assert.ok(calls.indexOf("fsync(<dir>)") !== -1 && calls.indexOf("fsync(<dir>)") < firstCommit, text);
      // Epoch 1's files go only once epoch 2's checkpoint.json is renamed into place and flushed.
      const commit = calls.findLastIndex((c) => /, <dir>\/ckpt\/checkpoint\.json\)$/.test(c));
      const unlinks = calls.flatMap((c, i) => (/^unlink\(<dir>\/ckpt\/(weights|state)-000001-/.test(c) ? [i] : []));
      assert.equal(unlinks.length, 2, text);
      assert.ok(unlinks.every((i) => i > commit + 1), text);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
