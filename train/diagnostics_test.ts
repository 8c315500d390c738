import assert from "node:assert/strict";
import { tensor } from "../core/tensor.ts";
import { findNonFinite, gradientNorms, layerOf, NonFiniteError } from "./diagnostics.ts";

Deno.test("gradientNorms() groups parameters by layer and takes the Euclidean norm over them", () => {
  const norms = gradientNorms({ enc: [{ weight: tensor([[1, 2]]), bias: tensor([2]) }], head: { w: tensor([-3, 4]) } });
  assert.deepEqual(norms, { "enc.0": 3, head: 5 });
  assert.deepEqual(gradientNorms(tensor([3, 4])), { params: 5 });
});

Deno.test("findNonFinite() finds the first NaN or infinity with its path and index", () => {
  assert.deepEqual(findNonFinite([{ w: tensor([1, -Infinity]) }, { w: tensor([NaN]) }]), {
    path: "0.w",
    index: 1,
    value: -Infinity,
  });
  assert.equal(findNonFinite([tensor([0])]), null);
  assert.equal(layerOf("a.b.c"), "a.b");
});

Deno.test("NonFiniteError is a RangeError carrying the step, epoch, path and history", () => {
  const e = new NonFiniteError("m", { step: 3, epoch: 1, path: "0.w", history: { epochs: [], steps: [] } });
  assert.ok(e instanceof RangeError);
  assert.equal(e.name, "NonFiniteError");
  assert.deepEqual([e.step, e.epoch, e.path], [3, 1, "0.w"]);
});
