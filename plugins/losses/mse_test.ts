import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { mse } from "./mse.ts";

Deno.test("mse() averages squared errors over every element", () => {
  assert.equal(mse()(tensor([[1, 2], [3, 4]]), tensor([[1, 0], [3, 0]])).item(), (4 + 16) / 4);
});

Deno.test("mse() sums with reduction sum and keeps the shape with reduction none", () => {
  const p = tensor([[1, 2], [3, 4]]), t = tensor([[0, 0], [0, 0]]);
  assert.equal(mse({ reduction: "sum" })(p, t).item(), 30);
  assert.deepEqual(mse({ reduction: "none" })(p, t).toArray(), [[1, 4], [9, 16]]);
});

Deno.test("mse() has gradient 2(o − t)/N", () => {
  const g = grad((p: Tensor) => mse()(p, tensor([1, 1])))(tensor([3, 0]));
  assert.deepEqual(g.toArray(), [2, -1]);
});

Deno.test("mse() throws RangeError naming both shapes when they differ", () => {
  assert.throws(() => mse()(tensor([1, 2]), tensor([[1, 2]])), {
    name: "RangeError",
    message:
      'Cannot compute loss "mse" for predictions of shape [2] and targets of shape [1,2]: the shapes must be equal',
  });
});

Deno.test("mse() throws on an unknown reduction or option", () => {
  assert.throws(() => mse({ reduction: "avg" as never }), {
    name: "RangeError",
    message: 'Cannot create loss "mse" as reduction must be one of "mean", "sum", "none": current value is "avg"',
  });
  assert.throws(() => mse({ reduce: "sum" } as never), TypeError);
});
