import assert from "node:assert/strict";
import type { Metric } from "../../core/interfaces.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { topKAccuracy } from "./top_k_accuracy.ts";

const once = (m: Metric, p: Tensor, t: Tensor) => m.result(m.update(m.init(), p, t));

Deno.test("topKAccuracy() counts the true class among the k highest outputs", () => {
  const p = tensor([[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1], [0.25, 0.25, 0.25, 0.25]]);
  assert.equal(once(topKAccuracy({ k: 1 }), p, tensor([3, 1, 2])), 2 / 3); // ties favour the true class
  assert.equal(once(topKAccuracy({ k: 2 }), p, tensor([1, 1, 0])), 2 / 3); // class 1 of row 0 is 3rd
  assert.equal(once(topKAccuracy({ k: 4 }), p, tensor([0, 3, 1])), 1);
  assert.equal(once(topKAccuracy({ k: 2 }), p, tensor([[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]])), 1);
});

Deno.test("topKAccuracy() is named after k and needs one output per class", () => {
  assert.equal(topKAccuracy().name, "top5Accuracy");
  assert.throws(() => once(topKAccuracy(), tensor([[0.3]]), tensor([[1]])), /needs one output per class/);
  assert.throws(() => topKAccuracy({ k: 0 }), /k must be an integer in \[1, ∞\)/);
});
