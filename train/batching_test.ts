import assert from "node:assert/strict";
import { Random } from "../core/random.ts";
import { batchPlan } from "./batching.ts";

Deno.test("batchPlan() covers every sample once per epoch in every mode", () => {
  for (const mode of ["full", "single", "minibatch-fixed", "minibatch-shuffled"] as const) {
    const rng = new Random(3);
    const plan = batchPlan(mode, 10, 4, rng);
    for (let e = 0; e < 3; e++) {
      const batches = plan.epoch(rng);
      assert.equal(batches.length, plan.stepsPerEpoch);
      assert.deepEqual(batches.flatMap((b) => [...b]).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], mode);
    }
  }
});

Deno.test("batchPlan() keeps the last minibatch smaller when the size does not divide n", () => {
  const rng = new Random(0);
  assert.deepEqual(batchPlan("minibatch-shuffled", 10, 4, rng).epoch(rng).map((b) => b.length), [4, 4, 2]);
});

Deno.test("batchPlan() shuffles single-sample order every epoch", () => {
  const rng = new Random(0);
  const plan = batchPlan("single", 8, 1, rng);
  assert.notDeepEqual(plan.epoch(rng).map((b) => b[0]), plan.epoch(rng).map((b) => b[0]));
});

Deno.test("batchPlan() rejects a bad batch size and an unknown mode", () => {
  assert.throws(
    () => batchPlan("minibatch-fixed", 5, 0, new Random(0)),
    /batchSize must be a positive integer: current value is 0/,
  );
  assert.throws(() => batchPlan("mini" as "full", 5, 1, new Random(0)), /batching must be one of/);
});

Deno.test("batchPlan() minibatch-fixed draws one seeded shuffle, then keeps the same batches every epoch", () => {
  const samples = 40, rng = new Random(5);
  const plan = batchPlan("minibatch-fixed", samples, 8, rng);
  const first = plan.epoch(new Random(1)).map((b) => [...b]);
  assert.deepEqual(plan.epoch(new Random(2)).map((b) => [...b]), first, "the same batches in every epoch");
  const order = first.flat();
  assert.deepEqual(order.toSorted((a, b) => a - b), Array.from({ length: samples }, (_, i) => i));
  // The order is the plan generator's permutation, not the samples in file order.
  assert.deepEqual(order, [...new Random(5).permutation(samples)]);
  assert.notDeepEqual(order, Array.from({ length: samples }, (_, i) => i));
});
