import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { softmaxCrossEntropy } from "./softmax_cross_entropy.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${a} vs ${b}`);

function logSoftmaxRow(row: number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}

const logits = [[1, 2, 0.5], [-1, 0, 3]];
const logp = logits.map(logSoftmaxRow);

Deno.test("softmaxCrossEntropy() with labels is −ln softmax(o)[y], averaged over the batch", () => {
  const none = softmaxCrossEntropy({ reduction: "none" })(tensor(logits), tensor([1, 2]));
  assert.deepEqual(none.shape, [2]);
  close(none.data[0], -logp[0][1]);
  close(none.data[1], -logp[1][2]);
  close(softmaxCrossEntropy()(tensor(logits), tensor([[1], [2]])).item(), -(logp[0][1] + logp[1][2]) / 2);
});

Deno.test("softmaxCrossEntropy() with probability targets is −Σ y·ln p", () => {
  const y = [[0.2, 0.8, 0], [0.5, 0.25, 0.25]];
  const expected = y.map((row, i) => -row.reduce((s, v, j) => s + v * logp[i][j], 0));
  const out = softmaxCrossEntropy({ reduction: "sum" })(tensor(logits), tensor(y)).item();
  close(out, expected[0] + expected[1]);
});

Deno.test("softmaxCrossEntropy() label smoothing matches PyTorch for labels and for probabilities", () => {
  const e = 0.2, M = 3;
  const forLabels = softmaxCrossEntropy({ labelSmoothing: e, reduction: "none" })(tensor(logits), tensor([1, 2]));
  [1, 2].forEach((y, i) => {
    const smooth = -logp[i].reduce((s, v) => s + v, 0) / M;
    close(forLabels.data[i], (1 - e) * -logp[i][y] + e * smooth);
  });
  const oneHot = softmaxCrossEntropy({ labelSmoothing: e, reduction: "none" })(
    tensor(logits),
    tensor([[0, 1, 0], [0, 0, 1]]),
  );
  close(oneHot.data[0], forLabels.data[0]);
  close(oneHot.data[1], forLabels.data[1]);
});

Deno.test("softmaxCrossEntropy() gradient is (softmax(o) − y)/batch", () => {
  const g = grad((o: Tensor) => softmaxCrossEntropy()(o, tensor([1, 2])))(tensor(logits));
  const y = [[0, 1, 0], [0, 0, 1]];
  logp.forEach((row, i) => row.forEach((v, j) => close(g.data[i * 3 + j], (Math.exp(v) - y[i][j]) / 2)));
});

Deno.test("softmaxCrossEntropy() stays finite for float32 logits [89, 0] and float64 logits [710, −710]", () => {
  const f32 = softmaxCrossEntropy()(tensor([[89, 0]], [1, 2], "float32"), tensor([1]));
  assert.equal(f32.dtype, "float32");
  close(f32.item(), 89, 1e-6);
  close(softmaxCrossEntropy()(tensor([[710, -710]]), tensor([1])).item(), 1420);
});

Deno.test("softmaxCrossEntropy() throws RangeError for logits that are not [batch, classes]", () => {
  assert.throws(() => softmaxCrossEntropy()(tensor([1, 2]), tensor([0])), {
    name: "RangeError",
    message:
      'Cannot compute loss "softmax-cross-entropy" as predictions must be logits of shape [batch, classes]: current shape is [2]',
  });
});

Deno.test("softmaxCrossEntropy() throws RangeError naming both shapes for targets of another shape", () => {
  assert.throws(() => softmaxCrossEntropy()(tensor(logits), tensor([0, 1, 2])), {
    name: "RangeError",
    message:
      'Cannot compute loss "softmax-cross-entropy" for predictions of shape [2,3] and targets of shape [3]: targets must be labels of shape [2] or [2, 1], or probabilities of shape [2,3]',
  });
});

Deno.test("softmaxCrossEntropy() throws RangeError naming a label out of range or not an integer", () => {
  assert.throws(() => softmaxCrossEntropy()(tensor(logits), tensor([0, 3])), {
    name: "RangeError",
    message:
      'Cannot compute loss "softmax-cross-entropy" as every label must be an integer in [0, 3) for 3 classes: current value is 3 (sample 1)',
  });
  assert.throws(() => softmaxCrossEntropy()(tensor(logits), tensor([0.5, 1])), /current value is 0.5 \(sample 0\)/);
  assert.throws(() => softmaxCrossEntropy()(tensor(logits), tensor([-1, 1])), /current value is -1/);
});

Deno.test("softmaxCrossEntropy() throws RangeError when labelSmoothing is outside [0, 1]", () => {
  assert.throws(() => softmaxCrossEntropy({ labelSmoothing: 1.5 }), {
    name: "RangeError",
    message:
      'Cannot create loss "softmax-cross-entropy" as labelSmoothing must be a number in [0, 1]: current value is 1.5',
  });
});
