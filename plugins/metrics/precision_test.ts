import assert from "node:assert/strict";
import type { Metric } from "../../core/interfaces.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { precision } from "./precision.ts";

const once = (m: Metric, p: Tensor, t: Tensor) => m.result(m.update(m.init(), p, t));
const close = (a: unknown, b: number) => assert.ok(Math.abs((a as number) - b) < 1e-12, `${a} vs ${b}`);
// sklearn's example: y_true = [0, 1, 2, 0, 1, 2], y_pred = [0, 2, 1, 0, 0, 1], as one-hot outputs.
const yPred = tensor([[1, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 0, 0], [0, 1, 0]]);
const yTrue = tensor([0, 1, 2, 0, 1, 2]);

Deno.test("precision() matches sklearn's precision_score on its three-class example", () => {
  close(once(precision(), yPred, yTrue), 2 / 9); // macro, the default for three classes
  close(once(precision({ average: "micro" }), yPred, yTrue), 1 / 3);
  close(once(precision({ average: "weighted" }), yPred, yTrue), 2 / 9);
  const perClass = once(precision({ average: "none" }), yPred, yTrue) as Record<string, number>;
  close(perClass["0"], 2 / 3);
  assert.deepEqual([perClass["1"], perClass["2"]], [0, 0]);
});

Deno.test("precision() of a one-output model is the positive class's, tp/(tp + fp)", () => {
  // Predicted positive: 0.9 (positive), 0.7 (negative), 0.6 (positive): 2 of 3.
  close(once(precision(), tensor([[0.9], [0.7], [0.6], [0.1]]), tensor([[1], [0], [1], [1]])), 2 / 3);
  // Nothing predicted positive: 0, as sklearn with zero_division=0.
  assert.equal(once(precision(), tensor([[0.1], [0.2]]), tensor([[1], [0]])), 0);
});

Deno.test('precision() refuses average "binary" for more than two classes', () => {
  assert.throws(() => once(precision({ average: "binary" }), yPred, yTrue), /average "binary" needs two classes/);
  assert.throws(() => precision({ average: "samples" as never }), /average must be one of "auto", "binary"/);
});
