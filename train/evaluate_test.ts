import assert from "node:assert/strict";
import { tensor } from "../core/tensor.ts";
import { dense } from "../plugins/layers/dense.ts";
import { Random } from "../core/random.ts";
import { evaluate } from "./evaluate.ts";
import { computeMetric } from "./metrics.ts";
import { rocAuc } from "../plugins/metrics/roc_auc.ts";
import { predict } from "./predict.ts";

const model = dense({ units: 1 });
const { params, state } = model.init([2], new Random(4));
const trained = { model, params, state };
const data = {
  x: tensor([[1, 2], [0.5, -1], [-2, 0.3], [0.1, 0.1], [3, -2], [-1, -1]]),
  y: tensor([[1], [0], [0], [1], [1], [0]]),
};

Deno.test("evaluate() reports the loss and every metric over the whole set, per class when asked", () => {
  const scores = evaluate(trained, data, {
    loss: "binary-cross-entropy-with-logits",
    metrics: ["roc-auc", { name: "recall", average: "none" }],
    batchSize: 4,
  });
  assert.equal(scores.samples, 6);
  assert.equal(scores.rocAuc, computeMetric(rocAuc(), predict(trained, data.x), data.y));
  assert.deepEqual(Object.keys(scores).sort(), ["loss", "recall.0", "recall.1", "rocAuc", "samples"]);
  assert.ok(Number.isFinite(scores.loss));
  assert.deepEqual(evaluate(trained, data), { samples: 6 });
});

Deno.test("evaluate() names bad data and unknown metrics", () => {
  assert.throws(() => evaluate(trained, { x: data.x, y: tensor([1]) }), /Cannot evaluate as data\.x and data\.y/);
  assert.throws(() => evaluate(trained, data, { metrics: ["acuracy"] }), /did you mean 'accuracy'/);
});
