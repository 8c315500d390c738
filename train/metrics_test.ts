import assert from "node:assert/strict";
import { type Tensor, tensor } from "../core/tensor.ts";
import { computeMetric, recordMetric, resolveMetrics, validationKey } from "./metrics.ts";

Deno.test("resolveMetrics() fixes a threshold from the training targets, so a batch of +1 labels reads ±1 labels", () => {
  const [acc, f1] = resolveMetrics(["accuracy", { name: "f1" }], undefined, tensor([[-1], [1]]));
  assert.equal(computeMetric(acc, tensor([[0.2]]), tensor([[1]])), 1);
  assert.equal(computeMetric(f1, tensor([[0.2], [-0.3]]), tensor([[1], [1]])), 2 / 3);
  // Without the training targets, a batch holding only +1 targets looks like 0/1 labels.
  assert.equal(computeMetric(resolveMetrics(["accuracy"])[0], tensor([[0.2]]), tensor([[1]])), 0);
});

Deno.test("resolveMetrics() takes names, specs with options, metric objects and per-batch functions", () => {
  const counting = {
    name: "seen",
    init: () => 0,
    update: (n: number, p: { shape: number[] }) => n + p.shape[0],
    result: (n: number) => n,
  };
  const metrics = resolveMetrics([
    "precision",
    { name: "top-k-accuracy", k: 2 },
    counting,
    { name: "meanOutput", compute: (p: Tensor) => Array.from(p.data).reduce((a, b) => a + b, 0) / p.size },
  ]);
  assert.deepEqual(metrics.map((m) => m.name), ["precision", "top2Accuracy", "seen", "meanOutput"]);
  // A per-batch function is averaged over batches, weighted by their sizes.
  const mean = metrics[3];
  const state = mean.update(
    mean.update(mean.init(), tensor([[1], [1], [1]]), tensor([0, 0, 0])),
    tensor([[5]]),
    tensor([0]),
  );
  assert.equal(mean.result(state), 2);
});

Deno.test("resolveMetrics() rejects unknown names, reserved names and duplicates", () => {
  assert.throws(() => resolveMetrics(["f2"]), /Cannot find metric "f2" \(did you mean 'f1'\?\)/);
  assert.throws(() => resolveMetrics([{ name: "time", compute: () => 0 }]), /other than loss/);
  assert.throws(() => resolveMetrics(["accuracy", "accuracy"]), /listed twice/);
  assert.throws(() => resolveMetrics([42 as never]), /must be a name, \{ name, \.\.\.options \}/);
  assert.deepEqual(resolveMetrics(["loss"]), []);
  assert.equal(validationKey("meanError"), "valMeanError");
});

Deno.test("recordMetric() puts named values under name.key", () => {
  const record: Record<string, unknown> = {};
  recordMetric(record, "valRecall", { "0": 1, "1": 0.5 });
  assert.deepEqual(record, { "valRecall.0": 1, "valRecall.1": 0.5 });
});
