import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { hinge } from "./hinge.ts";

Deno.test("hinge() is max(0, 1 − t·y) averaged (seed 000)", () => {
  assert.equal(hinge()(tensor([2, 0.5, -0.5, 0]), tensor([1, 1, 1, -1])).item(), (0 + 0.5 + 1.5 + 1) / 4);
});

Deno.test("hinge() takes the margin as an option", () => {
  assert.deepEqual(hinge({ margin: 2, reduction: "none" })(tensor([1, 3]), tensor([1, -1])).toArray(), [1, 5]);
  assert.equal(hinge({ margin: 0, reduction: "sum" })(tensor([1, 3]), tensor([1, -1])).item(), 3);
});

Deno.test("hinge() subgradient is −t inside the margin and 0 outside and at the kink", () => {
  const g = grad((y: Tensor) => hinge({ reduction: "sum" })(y, tensor([1, -1, 1, 1])))(tensor([0.5, 0.5, 2, 1]));
  assert.deepEqual(Array.from(g.data, (v) => v + 0), [-1, 1, 0, 0]);
});

Deno.test("hinge() throws RangeError for a target that is not ±1", () => {
  assert.throws(() => hinge()(tensor([1, 2]), tensor([1, 0])), {
    name: "RangeError",
    message: 'Cannot compute loss "hinge" as every target must be −1 or +1: current value is 0 (element 1)',
  });
});

Deno.test("hinge() throws RangeError naming both shapes and for a negative margin", () => {
  assert.throws(() => hinge()(tensor([1, 2]), tensor([[1, 1]])), /shape \[2\] and targets of shape \[1,2\]/);
  assert.throws(() => hinge({ margin: -1 }), {
    name: "RangeError",
    message: 'Cannot create loss "hinge" as margin must be a number in [0, ∞): current value is -1',
  });
});
