import assert from "node:assert/strict";
import { predict } from "../../train/predict.ts";
import { jsonlLogger } from "../../train/callbacks/jsonl_logger.ts";
import { takeRows } from "../../train/data/_rows.ts";
import { twoSpirals } from "../../train/data/two_spirals.ts";
import { binaryCrossEntropy } from "../../plugins/losses/binary_cross_entropy.ts";
import { train } from "../../train/train.ts";
import { heldOut, metricsJsonl } from "./run_data.ts";

const model = [{ name: "dense", units: 4 }, { name: "tanh" }, { name: "dense", units: 1 }, { name: "sigmoid" }];

Deno.test("heldOut() marks the samples that train() validates on", async () => {
  const data = twoSpirals({ samples: 50, seed: 2 });
  for (const seed of [0, 7]) {
    const result = await train({
      model,
      loss: "binary-cross-entropy",
      optimizer: { name: "sgd", learningRate: 0.1 },
      data,
      validation: 0.3,
      epochs: 1,
      batchSize: 8,
      seed,
    });
    const flags = heldOut(data, 0.3, seed);
    const rows = Int32Array.from(flags.keys()).filter((i) => flags[i] === 1);
    assert.equal(rows.length, 15);
    // The trainer's validation loss is the loss on exactly these rows.
    const out = predict(result, takeRows(data.x, rows));
    const loss = binaryCrossEntropy()(out, takeRows(data.y, rows)).data[0];
    assert.equal(loss, result.history.epochs[0].valLoss);
  }
  assert.equal(heldOut(data, 0, 1).reduce((a, b) => a + b, 0), 0);
});

Deno.test("metricsJsonl() writes what the CLI's metrics.jsonl holds for the same history", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/metrics.jsonl`;
  const result = await train({
    model,
    loss: "binary-cross-entropy",
    optimizer: "adam",
    data: twoSpirals({ samples: 40 }),
    validation: 0.25,
    epochs: 3,
    batchSize: 8,
    metrics: ["accuracy"],
    recordSteps: true,
    gradientNorms: true,
    callbacks: [jsonlLogger({ path, steps: true })],
  });
  assert.equal(metricsJsonl(result.history), await Deno.readTextFile(path));
  await Deno.remove(dir, { recursive: true });
});
