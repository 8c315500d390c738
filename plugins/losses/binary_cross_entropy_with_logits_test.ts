import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { binaryCrossEntropyWithLogits } from "./binary_cross_entropy_with_logits.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${a} vs ${b}`);
const sigma = (x: number) => 1 / (1 + Math.exp(-x));

Deno.test("binaryCrossEntropyWithLogits() equals −[z ln σ(x) + (1 − z) ln(1 − σ(x))] for moderate logits", () => {
  const x = [1.5, -0.3, 2], z = [1, 0, 0.4];
  const none = binaryCrossEntropyWithLogits({ reduction: "none" })(tensor(x), tensor(z));
  x.forEach((xi, i) => close(none.data[i], -(z[i] * Math.log(sigma(xi)) + (1 - z[i]) * Math.log(1 - sigma(xi)))));
});

Deno.test("binaryCrossEntropyWithLogits() weighs the positive term by posWeight like PyTorch's pos_weight", () => {
  const x = [1.5, 1.5, -2], z = [1, 0, 0.5], p = 3;
  const none = binaryCrossEntropyWithLogits({ reduction: "none", posWeight: p })(tensor(x), tensor(z));
  x.forEach((xi, i) => close(none.data[i], -(p * z[i] * Math.log(sigma(xi)) + (1 - z[i]) * Math.log(1 - sigma(xi)))));
});

Deno.test("binaryCrossEntropyWithLogits() broadcasts a per-class posWeight along the last axis", () => {
  const loss = binaryCrossEntropyWithLogits({ reduction: "none", posWeight: [1, 2] });
  const out = loss(tensor([[0, 0], [0, 0]]), tensor([[1, 1], [0, 0]]));
  close(out.data[0], Math.LN2);
  close(out.data[1], 2 * Math.LN2);
  close(out.data[3], Math.LN2);
});

Deno.test("binaryCrossEntropyWithLogits() does not overflow for huge logits", () => {
  const out = binaryCrossEntropyWithLogits({ reduction: "none" })(tensor([1000, -1000, 1000]), tensor([0, 1, 1]));
  assert.deepEqual(out.toArray(), [1000, 1000, 0]);
});

Deno.test("binaryCrossEntropyWithLogits() gradient is exactly σ(x) − z, also at x = 0", () => {
  const g = grad((x: Tensor) => binaryCrossEntropyWithLogits({ reduction: "sum" })(x, tensor([1, 0, 0.3])))(
    tensor([0, 0, 2]),
  );
  assert.equal(g.data[0], -0.5);
  assert.equal(g.data[1], 0.5);
  close(g.data[2], sigma(2) - 0.3);
});

Deno.test("binaryCrossEntropyWithLogits() gradient with posWeight is (1 − z) − (1 + (p − 1)z)·σ(−x)", () => {
  const g = grad((x: Tensor) => binaryCrossEntropyWithLogits({ reduction: "sum", posWeight: 4 })(x, tensor([1])))(
    tensor([0.7]),
  );
  close(g.item(), -4 * sigma(-0.7));
});

Deno.test("binaryCrossEntropyWithLogits() throws on a bad posWeight", () => {
  assert.throws(() => binaryCrossEntropyWithLogits({ posWeight: -1 }), {
    name: "RangeError",
    message:
      'Cannot create loss "binary-cross-entropy-with-logits" as posWeight must hold finite numbers in [0, ∞): current value is -1',
  });
  assert.throws(() => binaryCrossEntropyWithLogits({ posWeight: "2" as never }), TypeError);
  assert.throws(
    () => binaryCrossEntropyWithLogits({ posWeight: [1, 2, 3] })(tensor([[0, 0]]), tensor([[1, 1]])),
    {
      name: "RangeError",
      message:
        'Cannot compute loss "binary-cross-entropy-with-logits" for predictions of shape [1,2] and posWeight of shape [3]: posWeight must broadcast to the predictions\' shape',
    },
  );
});

Deno.test("binaryCrossEntropyWithLogits() throws RangeError naming both shapes when they differ", () => {
  assert.throws(
    () => binaryCrossEntropyWithLogits()(tensor([0, 0]), tensor([1])),
    /shape \[2\] and targets of shape \[1\]/,
  );
});
