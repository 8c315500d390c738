import assert from "node:assert/strict";
import type { Metric } from "../../core/interfaces.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { recall } from "./recall.ts";

const once = (m: Metric, p: Tensor, t: Tensor) => m.result(m.update(m.init(), p, t));
const close = (a: unknown, b: number) => assert.ok(Math.abs((a as number) - b) < 1e-12, `${a} vs ${b}`);
const yPred = tensor([[1, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 0, 0], [0, 1, 0]]);
const yTrue = tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]);

Deno.test("recall() matches sklearn's recall_score on its three-class example (one-hot targets)", () => {
  close(once(recall(), yPred, yTrue), 1 / 3);
  close(once(recall({ average: "micro" }), yPred, yTrue), 1 / 3);
  close(once(recall({ average: "weighted" }), yPred, yTrue), 1 / 3);
  assert.deepEqual(once(recall({ average: "none" }), yPred, yTrue), { "0": 1, "1": 0, "2": 0 });
});

Deno.test("recall() of a one-output model with ±1 labels thresholds at 0", () => {
  // Positives: 0.4 (found), −0.2 (missed); the negative −0.5 is not counted.
  assert.equal(once(recall(), tensor([[0.4], [-0.2], [-0.5]]), tensor([[1], [1], [-1]])), 0.5);
  assert.equal(once(recall({ threshold: -0.3 }), tensor([[0.4], [-0.2], [-0.5]]), tensor([[1], [1], [-1]])), 1);
});
