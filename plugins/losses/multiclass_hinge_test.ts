import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { multiclassHinge } from "./multiclass_hinge.ts";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-12, `${a} vs ${b}`);

Deno.test("multiclassHinge() is Σ_{i≠y} max(0, m − x[y] + x[i]) / M per sample", () => {
  const x = [[0.1, 0.2, 0.4, 0.8], [1, 0, -1, 0.5]];
  const none = multiclassHinge({ reduction: "none" })(tensor(x), tensor([3, 0]));
  close(none.data[0], (0.3 + 0.4 + 0.6) / 4);
  close(none.data[1], (0 + 0 + 0.5) / 4);
  close(multiclassHinge()(tensor(x), tensor([[3], [0]])).item(), (none.data[0] + none.data[1]) / 2);
});

Deno.test("multiclassHinge() squares each violation with p = 2 and honours the margin", () => {
  const out = multiclassHinge({ p: 2, margin: 2, reduction: "sum" })(tensor([[0, 1, 1.5], [0, 1, 3]]), tensor([2, 2]));
  close(out.item(), ((2 - 1.5 + 0) ** 2 + (2 - 1.5 + 1) ** 2) / 3 + 0);
});

Deno.test("multiclassHinge() gradient moves the true score up and violating scores down", () => {
  const g = grad((x: Tensor) => multiclassHinge({ reduction: "sum" })(x, tensor([0])))(tensor([[0, 0.5, -2]]));
  // Only class 1 violates: ∂/∂x[1] = 1/3, ∂/∂x[0] = −1/3, class 2 is outside the margin.
  close(g.data[0], -1 / 3);
  close(g.data[1], 1 / 3);
  assert.equal(g.data[2], 0);
});

Deno.test("multiclassHinge() throws RangeError naming a label out of range", () => {
  assert.throws(() => multiclassHinge()(tensor([[1, 2]]), tensor([2])), {
    name: "RangeError",
    message:
      'Cannot compute loss "multiclass-hinge" as every label must be an integer in [0, 2) for 2 classes: current value is 2 (sample 0)',
  });
});

Deno.test("multiclassHinge() throws RangeError naming both shapes when labels do not fit", () => {
  assert.throws(
    () => multiclassHinge()(tensor([[1, 2]]), tensor([[0, 1]])),
    /shape \[1,2\] and targets of shape \[1,2\]|probabilities/,
  );
  assert.throws(
    () => multiclassHinge()(tensor([[1, 2]]), tensor([0, 1])),
    /predictions of shape \[1,2\] and targets of shape \[2\]/,
  );
});

Deno.test("multiclassHinge() throws RangeError when p is not 1 or 2", () => {
  assert.throws(() => multiclassHinge({ p: 3 as never }), {
    name: "RangeError",
    message: 'Cannot create loss "multiclass-hinge" as p must be an integer in [1, 2]: current value is 3',
  });
});
