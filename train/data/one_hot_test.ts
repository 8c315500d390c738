import assert from "node:assert/strict";
import { tensor } from "../../core/tensor.ts";
import { oneHot } from "./one_hot.ts";

Deno.test("oneHot() encodes class indices from a tensor or an array", () => {
  assert.deepEqual(oneHot(tensor([[1], [0]]), 3).toArray(), [[0, 1, 0], [1, 0, 0]]);
  assert.deepEqual(oneHot([0, 2]).toArray(), [[1, 0, 0], [0, 0, 1]]);
});

Deno.test("oneHot() rejects labels outside [0, classes) and non-integers, naming the label", () => {
  assert.throws(() => oneHot([0, 3], 3), /label 1 is 3/);
  assert.throws(() => oneHot([0.5]), /integer in \[0, 1\): label 0 is 0.5/);
  assert.throws(() => oneHot(tensor([[0, 1]]), 2), /shape \[n\] or \[n, 1\]/);
});

Deno.test("oneHot() follows the labels tensor's dtype, gives float32 for an array, or the dtype asked for", () => {
  assert.equal(oneHot(tensor([1, 0]), 2).dtype, "float64");
  assert.equal(oneHot(tensor([1, 0], undefined, "float32"), 2).dtype, "float32");
  assert.equal(oneHot([1, 0]).dtype, "float32");
  assert.equal(oneHot([1, 0], 2, "float64").dtype, "float64");
});
