import assert from "node:assert/strict";
import { tensor } from "../core/tensor.ts";
import { allFinite, findNonFinite, gradientNorms, layerOf, NonFiniteError } from "./diagnostics.ts";

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

Deno.test("allFinite() finds a NaN or an infinity wherever it is, in float32 and float64", () => {
  for (const dtype of ["float32", "float64"] as const) {
    for (const length of [1, 3, 4, 5, 9]) {
      for (let at = 0; at < length; at++) {
        for (const bad of [NaN, Infinity, -Infinity]) {
          const values = Array.from({ length }, (_, i) => (i === at ? bad : i - 1.5));
          assert.equal(allFinite({ a: tensor([1], [1], dtype), b: tensor(values, [length], dtype) }), false);
        }
      }
      assert.equal(allFinite([tensor(Array.from({ length }, (_, i) => -3e38 + i), [length], dtype)]), true);
    }
  }
});
