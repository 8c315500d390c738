import assert from "node:assert/strict";
import { fileSystemCalls, strace } from "../../tests/_file_system_calls.ts";
import { xor } from "../data/xor.ts";
import { train, type TrainOptions } from "../train.ts";
import { checkpoints } from "./checkpoints.ts";
import { jsonlLogger } from "./jsonl_logger.ts";

const options = (): TrainOptions => ({
  model: { name: "dense", units: 1 },
  loss: "mse",
  optimizer: { name: "sgd", learningRate: 0.1 },
  data: xor({ samples: 8 }),
  batchSize: 4,
  recordSteps: true,
});

const read = async (path: string) => (await Deno.readTextFile(path)).trim().split("\n").map((l) => JSON.parse(l));

Deno.test("jsonlLogger() writes each epoch's record, and with steps each update's before it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await train({ ...options(), epochs: 2, callbacks: [jsonlLogger({ path: `${dir}/m.jsonl`, steps: true })] });
    const lines = await read(`${dir}/m.jsonl`);
    assert.deepEqual(lines.map((l) => `${l.kind}${l.step}`), ["step1", "step2", "epoch2", "step3", "step4", "epoch4"]);
    assert.equal(typeof lines[2].loss, "number");
    assert.equal(typeof lines[2].time, "number");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("jsonlLogger() on resume keeps the lines up to the checkpoint (which holds no history), dropping later ones", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/m.jsonl`;
    await train({
      ...options(),
      epochs: 2,
      callbacks: [checkpoints({ dir: `${dir}/ckpt` }), jsonlLogger({ path, steps: true })],
    });
    // Pretend the run went on past the checkpoint before crashing.
    await Deno.writeTextFile(path, '{"kind":"epoch","epoch":3,"step":6,"loss":9}\n{"kind":"ep', { append: true });
    await train({ ...options(), epochs: 3, resume: `${dir}/ckpt`, callbacks: [jsonlLogger({ path, steps: true })] });
    const lines = await read(path);
    assert.deepEqual(lines.filter((l) => l.kind === "epoch").map((l) => l.epoch), [1, 2, 3]);
    assert.equal(lines.length, 9);
    assert.notEqual(lines.at(-1).loss, 9);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "jsonlLogger() flushes each epoch's lines to disk before the checkpoints callback listed after it commits",
  ignore: !strace,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const script = `
        import { train } from "${new URL("../train.ts", import.meta.url).href}";
        import { xor } from "${new URL("../data/xor.ts", import.meta.url).href}";
        import { checkpoints } from "${new URL("./checkpoints.ts", import.meta.url).href}";
        import { jsonlLogger } from "${new URL("./jsonl_logger.ts", import.meta.url).href}";
        await train({
          model: { name: "dense", units: 1 }, loss: "mse", optimizer: "sgd", data: xor(), batching: "full", epochs: 2,
          callbacks: [jsonlLogger({ path: "${dir}/m.jsonl" }), checkpoints({ dir: "${dir}/ckpt" })],
        });`;
      const calls = (await fileSystemCalls(script, dir)).filter((c) => /m\.jsonl\)|ckpt\/checkpoint\.json\)$/.test(c));
      // Per epoch: the log is flushed, then the checkpoint is committed.
      assert.deepEqual(calls.slice(-4).map((c) => c.replace(/\(.*, /, "(")), [
        "fsync(<dir>/m.jsonl)",
        "rename(<dir>/ckpt/checkpoint.json)",
        "fsync(<dir>/m.jsonl)",
        "rename(<dir>/ckpt/checkpoint.json)",
      ]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
