import assert from "node:assert/strict";
import { grad } from "../autodiff.ts";
import { type Tensor, tensor } from "../tensor.ts";
import { mul, sum } from "./mod.ts";
import { avgPool2d, maxPool2d } from "./pool.ts";

const x4 = tensor([1, 5, 2, 0, 3, 4, 8, 6, 7, 1, 0, 2, 9, 3, 4, 4], [1, 1, 4, 4]);

Deno.test("maxPool2d() takes each window's maximum, the windows poolSize apart by default", () => {
  assert.deepEqual(maxPool2d(x4, 2).toArray(), [[[[5, 8], [9, 4]]]]);
  assert.deepEqual(maxPool2d(x4, [2, 4]).toArray(), [[[[8], [9]]]]);
  assert.deepEqual(maxPool2d(x4, 3, { stride: 1 }).toArray(), [[[[8, 8], [9, 8]]]]);
});

Deno.test("maxPool2d() counts the padding as −∞ and reads dilated windows", () => {
  const x = tensor([-1, -2, -3, -4], [1, 1, 2, 2]);
  assert.deepEqual(maxPool2d(x, 2, { padding: 1 }).toArray(), [[[[-1, -2], [-3, -4]]]]);
  assert.deepEqual(maxPool2d(x4, 2, { dilation: 2, stride: 1 }).toArray(), [[[[7, 5], [9, 6]]]]);
});

Deno.test("maxPool2d() sends the gradient to the first maximum of a window (PyTorch's choice among ties)", () => {
  const x = tensor([3, 3, 1, 3], [1, 1, 2, 2]);
  const g = grad((v: Tensor) => sum(maxPool2d(v, 2)))(x);
  assert.deepEqual(g.toArray(), [[[[1, 0], [0, 0]]]]);
  // Overlapping windows add their cotangents at a shared maximum.
  const shared = grad((v: Tensor) => sum(maxPool2d(v, [1, 2], { stride: 1 })))(tensor([0, 9, 0], [1, 1, 1, 3]));
  assert.deepEqual(shared.toArray(), [[[[0, 2, 0]]]]);
});

Deno.test("maxPool2d() propagates NaN", () => {
  const y = maxPool2d(tensor([1, NaN, 3, 2], [1, 1, 2, 2]), 2);
  assert.ok(Number.isNaN(y.item()));
});

Deno.test("avgPool2d() divides by the whole window, or with countIncludePad false by the positions inside", () => {
  assert.deepEqual(avgPool2d(x4, 2).toArray(), [[[[3.25, 4], [5, 2.5]]]]);
  const x = tensor([4, 8, 12, 16], [1, 1, 2, 2]);
  assert.deepEqual(avgPool2d(x, 2, { padding: 1, stride: 2 }).toArray(), [[[[1, 2], [3, 4]]]]);
  assert.deepEqual(avgPool2d(x, 2, { padding: 1, stride: 2, countIncludePad: false }).toArray(), [[[[4, 8], [
    12,
    16,
  ]]]]);
});

Deno.test("avgPool2d() spreads each cotangent evenly over its window", () => {
  const g = grad((v: Tensor) => sum(mul(avgPool2d(v, 2), tensor([4, 8, 12, 16], [1, 1, 2, 2]))))(x4);
  assert.deepEqual(g.toArray(), [[[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]]);
});

Deno.test("the pooling ops throw for bad shapes and options, naming them", () => {
  assert.throws(() => maxPool2d(tensor([1, 2]), 2), {
    name: "RangeError",
    message: "Cannot apply maxPool2d as the input must be [N, C, H, W]: current shape is [2]",
  });
  assert.throws(() => maxPool2d(x4, 2, { padding: 2 }), {
    name: "RangeError",
    message:
      "Cannot apply maxPool2d as padding must be at most half the window (2×2), as in PyTorch: current value is [2, 2]",
  });
  assert.throws(() => avgPool2d(x4, 5), /as the output would be empty/);
  assert.throws(() => avgPool2d(x4, 0), /poolSize must be an integer ≥ 1/);
  assert.throws(() => avgPool2d(x4, 2, { dilation: 2 }), /no dilation option/);
  assert.throws(() => maxPool2d(x4, 2, { countIncludePad: false }), /no countIncludePad option/);
});
