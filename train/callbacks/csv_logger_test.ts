import assert from "node:assert/strict";
import { xor } from "../data/xor.ts";
import { train } from "../train.ts";
import { checkpoints } from "./checkpoints.ts";
import { csvLogger } from "./csv_logger.ts";

Deno.test("csvLogger() writes a header and one row per epoch, or per step", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await train({
      model: { name: "dense", units: 1 },
      loss: "mse",
      optimizer: { name: "sgd", learningRate: 0.1 },
      data: xor({ samples: 8 }),
      batchSize: 4,
      epochs: 3,
      metrics: ["accuracy"],
      callbacks: [csvLogger({ path: `${dir}/e.csv` }), csvLogger({ path: `${dir}/s.csv`, steps: true })],
    });
    const epochs = (await Deno.readTextFile(`${dir}/e.csv`)).trim().split("\n");
    assert.equal(epochs[0], "epoch,step,loss,time,accuracy,learningRate");
    assert.equal(epochs.length, 4);
    assert.match(epochs[3], /^3,6,[\d.e-]+,[\d.e-]+,[\d.]+,0\.1$/);
    const steps = (await Deno.readTextFile(`${dir}/s.csv`)).trim().split("\n");
    assert.equal(steps[0], "epoch,step,loss,learningRate");
    assert.equal(steps.length, 7);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("csvLogger() rewrites the file with a new column when a record brings one, leaving earlier cells empty", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const logger = csvLogger({ path: `${dir}/m.csv` });
    const context = { history: { epochs: [], steps: [] } } as never;
    await logger.onTrainBegin!(context);
    await logger.onEpochEnd!({ epoch: 1, step: 1, loss: 0.5, time: 0 }, context);
    await logger.onEpochEnd!({ epoch: 2, step: 2, loss: 0.25, time: 0, extra: 7 }, context);
    assert.equal(await Deno.readTextFile(`${dir}/m.csv`), "epoch,step,loss,time,extra\n1,1,0.5,0,\n2,2,0.25,0,7\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("csvLogger() on resume keeps the rows up to the checkpoint (which holds no history), dropping later ones", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/m.csv`;
    const options = {
      model: { name: "dense", units: 1 },
      loss: "mse",
      optimizer: { name: "sgd", learningRate: 0.1 },
      data: xor(),
      batching: "full" as const,
    };
    const straight = await train({ ...options, epochs: 3 });
    await train({ ...options, epochs: 2, callbacks: [checkpoints({ dir: `${dir}/ckpt` }), csvLogger({ path })] });
    // Pretend the run went on past the checkpoint before crashing, mid-row.
    await Deno.writeTextFile(path, "3,3,9,0.1,0.1\n4,4,0.", { append: true });
    await train({ ...options, epochs: 3, resume: `${dir}/ckpt`, callbacks: [csvLogger({ path })] });
    const [header, ...rows] = (await Deno.readTextFile(path)).trim().split("\n");
    assert.equal(header, "epoch,step,loss,time,learningRate");
    assert.deepEqual(rows.map((r) => Number(r.split(",")[0])), [1, 2, 3]);
    assert.deepEqual(rows.map((r) => Number(r.split(",")[2])), straight.history.epochs.map((e) => e.loss));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
