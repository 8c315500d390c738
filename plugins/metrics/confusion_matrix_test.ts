import assert from "node:assert/strict";
import { tensor } from "../../core/tensor.ts";
import { confusionMatrix, matrixOf } from "./confusion_matrix.ts";

Deno.test("confusionMatrix() matches sklearn's confusion_matrix example, accumulated over two batches", () => {
  // y_true = [2, 0, 2, 2, 0, 1], y_pred = [0, 0, 2, 2, 0, 2]
  const oneHot = (c: number) => [0, 1, 2].map((k) => (k === c ? 1 : 0));
  const m = confusionMatrix();
  let state = m.update(m.init(), tensor([0, 0, 2].map(oneHot)), tensor([2, 0, 2]));
  state = m.update(state, tensor([2, 0, 2].map(oneHot)), tensor([2, 0, 1]));
  assert.deepEqual(matrixOf(m.result(state)), [[2, 0, 0], [0, 0, 1], [1, 0, 2]]);
  assert.equal((m.result(state) as Record<string, number>)["2.0"], 1);
});

Deno.test("confusionMatrix() of a one-output model is 2×2, negatives first", () => {
  const m = confusionMatrix();
  const value = m.result(m.update(m.init(), tensor([[0.9], [0.2], [0.7], [0.4]]), tensor([[1], [1], [0], [0]])));
  assert.deepEqual(matrixOf(value), [[1, 1], [1, 1]]);
  assert.equal(m.higherIsBetter, undefined);
});

Deno.test("matrixOf() refuses a value that is not square counts", () => {
  assert.throws(() => matrixOf(0.5), /counts keyed "<true>.<predicted>": current keys are none/);
  assert.throws(() => matrixOf({ "0.0": 1, "0.1": 2, "1.0": 3 }), TypeError);
});
