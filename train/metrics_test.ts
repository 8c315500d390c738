import assert from "node:assert/strict";
import { tensor } from "../core/tensor.ts";
import { accuracy, resolveMetrics, validationKey } from "./metrics.ts";

Deno.test("accuracy() uses the argmax for several outputs, with one-hot or index targets", () => {
  const p = tensor([[0.1, 0.7, 0.2], [0.5, 0.4, 0.1], [0.2, 0.2, 0.6], [0.9, 0, 0.1]]);
  assert.equal(accuracy().compute(p, tensor([[0, 1, 0], [1, 0, 0], [0, 1, 0], [1, 0, 0]])), 0.75);
  assert.equal(accuracy().compute(p, tensor([1, 0, 2, 2])), 0.75);
  assert.equal(accuracy().compute(p, tensor([[1], [0], [2], [2]])), 0.75);
});

Deno.test("accuracy() thresholds one output at 0.5 for 0/1 labels and at 0 for ±1 labels", () => {
  assert.equal(accuracy().compute(tensor([[0.6], [0.4], [0.2]]), tensor([[1], [0], [1]])), 2 / 3);
  assert.equal(accuracy().compute(tensor([[0.3], [-0.1], [2]]), tensor([[1], [-1], [-1]])), 2 / 3);
  assert.equal(accuracy({ threshold: 0 }).compute(tensor([[0.3], [-0.1]]), tensor([[1], [0]])), 1);
});

Deno.test("accuracy() rejects predictions and targets that do not match, naming both shapes", () => {
  assert.throws(
    () => accuracy().compute(tensor([[1, 0]]), tensor([[1, 0, 0]])),
    /shape \[1,2\] and targets of shape \[1,3\]/,
  );
  assert.throws(() => accuracy().compute(tensor([[1]]), tensor([[1], [0]])), /same number of rows/);
});

Deno.test("resolveMetrics() fixes accuracy's threshold from the training targets", () => {
  const [acc] = resolveMetrics(["accuracy"], tensor([[-1], [1]]));
  // A batch holding only +1 targets still uses the sign threshold of ±1 labels.
  assert.equal(acc.compute(tensor([[0.2]]), tensor([[1]])), 1);
});

Deno.test("resolveMetrics() rejects unknown names, reserved names and duplicates", () => {
  const y = tensor([[0]]);
  assert.throws(() => resolveMetrics(["f1"], y), /metric "f1" as it is unknown/);
  assert.throws(() => resolveMetrics([{ name: "time", compute: () => 0 }], y), /other than loss/);
  assert.throws(() => resolveMetrics(["accuracy", "accuracy"], y), /listed twice/);
  assert.deepEqual(resolveMetrics(["loss"], y), []);
  assert.equal(validationKey("meanError"), "valMeanError");
});
