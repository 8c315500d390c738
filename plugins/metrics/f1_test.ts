import assert from "node:assert/strict";
import type { Metric } from "../../core/interfaces.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { f1 } from "./f1.ts";

const once = (m: Metric, p: Tensor, t: Tensor) => m.result(m.update(m.init(), p, t));
const close = (a: unknown, b: number) => assert.ok(Math.abs((a as number) - b) < 1e-12, `${a} vs ${b}`);
const yPred = tensor([[1, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 0, 0], [0, 1, 0]]);
const yTrue = tensor([0, 1, 2, 0, 1, 2]);

Deno.test("f1() matches sklearn's f1_score on its three-class example", () => {
  close(once(f1(), yPred, yTrue), 0.8 / 3); // macro: the mean of the per-class F1 (0.8, 0, 0)
  close(once(f1({ average: "micro" }), yPred, yTrue), 1 / 3);
  close(once(f1({ average: "weighted" }), yPred, yTrue), 0.8 / 3);
  const perClass = once(f1({ average: "none" }), yPred, yTrue) as Record<string, number>;
  close(perClass["0"], 0.8);
});

Deno.test("f1() macro averages only the classes that occur in targets or predictions", () => {
  // Four outputs, class 3 never seen: the average is over classes 0–2, as sklearn's labels present.
  const p = tensor([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]);
  assert.equal(once(f1(), p, tensor([0, 1, 2])), 1);
});

Deno.test("f1() of a two-output softmax model is the positive class's", () => {
  const p = tensor([[0.2, 0.8], [0.6, 0.4], [0.3, 0.7], [0.9, 0.1]]);
  // Class 1: predicted for samples 0 and 2; true for samples 0 and 1: precision 1/2, recall 1/2.
  close(once(f1(), p, tensor([1, 1, 0, 0])), 0.5);
});
