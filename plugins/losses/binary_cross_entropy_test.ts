import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { binaryCrossEntropy } from "./binary_cross_entropy.ts";

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

Deno.test("binaryCrossEntropy() is −[y ln a + (1 − y) ln(1 − a)] averaged (seed 002, eq. 25)", () => {
  const a = [0.9, 0.2, 0.6], y = [1, 0, 0.25];
  const expected = a.map((ai, i) => -(y[i] * Math.log(ai) + (1 - y[i]) * Math.log(1 - ai)));
  const none = binaryCrossEntropy({ reduction: "none" })(tensor(a), tensor(y));
  none.toArray();
  expected.forEach((e, i) => close(none.data[i], e));
  close(binaryCrossEntropy()(tensor(a), tensor(y)).item(), expected.reduce((s, v) => s + v) / 3);
});

Deno.test("binaryCrossEntropy() clamps each log at −100 like PyTorch, so 0 and 1 give finite losses", () => {
  const loss = binaryCrossEntropy({ reduction: "none" });
  assert.deepEqual(loss(tensor([0, 1, 0, 1]), tensor([1, 0, 0, 1])).toArray(), [100, 100, 0, 0]);
});

Deno.test("binaryCrossEntropy() gradient is (a − y)/max(a(1 − a), 1e-12), PyTorch's, finite at 0 and 1", () => {
  const g = grad((a: Tensor) => binaryCrossEntropy({ reduction: "sum" })(a, tensor([1, 0, 1])))(tensor([0, 1, 0.25]));
  assert.deepEqual(Array.from(g.data.subarray(0, 2)), [-1e12, 1e12]);
  close(g.data[2], (0.25 - 1) / (0.25 * 0.75));
});

Deno.test("binaryCrossEntropy() gives the gradient with respect to the targets too", () => {
  const g = grad((y: Tensor) => binaryCrossEntropy({ reduction: "sum" })(tensor([0.2]), y))(tensor([0.5]));
  close(g.item(), Math.log(0.8) - Math.log(0.2));
});

Deno.test("binaryCrossEntropy() throws RangeError for a prediction or target outside [0, 1]", () => {
  assert.throws(() => binaryCrossEntropy()(tensor([0.5, 1.5]), tensor([0, 1])), {
    name: "RangeError",
    message:
      'Cannot compute loss "binary-cross-entropy" as every prediction must be a probability in [0, 1]: current value is 1.5 (element 1)',
  });
  assert.throws(() => binaryCrossEntropy()(tensor([0.5]), tensor([-1])), /every target must be a probability/);
  assert.throws(() => binaryCrossEntropy()(tensor([NaN]), tensor([0])), /current value is NaN/);
});

Deno.test("binaryCrossEntropy() throws RangeError naming both shapes when they differ", () => {
  assert.throws(() => binaryCrossEntropy()(tensor([0.5, 0.5]), tensor([1])), /shape \[2\] and targets of shape \[1\]/);
});

Deno.test("binaryCrossEntropy() keeps float32 predictions in float32", () => {
  assert.equal(binaryCrossEntropy()(tensor([0.5], [1], "float32"), tensor([1])).dtype, "float32");
});
