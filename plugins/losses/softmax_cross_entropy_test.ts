import assert from "node:assert/strict";
import { grad, hvp } from "../../core/autodiff.ts";
import { sparseSoftmaxCrossEntropy } from "../../core/ops/fused.ts";
import { gather, logSoftmax, mean, mul, neg, reshape, sum } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { astype, type DType, type Tensor, tensor } from "../../core/tensor.ts";
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
      'Cannot compute loss "softmax-cross-entropy" as predictions must be logits of shape [batch, classes] with at least 2 classes: current shape is [2]',
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

/** Logits in [-4, 4) and labels for `batch` rows of `classes`, from a seed. */
function problem(batch: number, classes: number, seed: number, dtype: DType = "float64") {
  const rng = new Random(seed);
  const logits = astype(
    tensor(Array.from({ length: batch * classes }, () => rng.uniform(-4, 4)), [batch, classes]),
    dtype,
  );
  const labels = tensor(Array.from({ length: batch }, () => rng.int(classes)));
  return { logits, labels };
}

/** The composition: −logSoftmax(o) gathered at the labels. */
function composed(logits: Tensor, labels: Tensor): Tensor {
  const batch = logits.shape[0];
  return neg(reshape(gather(logSoftmax(logits, 1), reshape(labels, [batch, 1]), 1), [batch]));
}

function assertClose(actual: Tensor, expected: Tensor, rtol: number, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, what);
  actual.data.forEach((v, i) => {
    const e = expected.data[i];
    assert.ok(Math.abs(v - e) <= rtol * (1e-12 + Math.abs(e)), `${what}[${i}]: ${v} vs ${e}`);
  });
}

Deno.test("softmaxCrossEntropy() with integer labels is the fused sparseSoftmaxCrossEntropy, equal to the composition", () => {
  for (const dtype of ["float64", "float32"] as DType[]) {
    const { logits, labels } = problem(6, 5, 1, dtype);
    const none = softmaxCrossEntropy({ reduction: "none" })(logits, labels);
    const fused = sparseSoftmaxCrossEntropy(logits, labels);
    assert.equal(none.dtype, dtype);
    none.data.forEach((v, i) =>
      assert.ok(Object.is(v, fused.data[i]), `${dtype} sample ${i}: ${v} vs ${fused.data[i]}`)
    );
    assertClose(none, composed(logits, labels), dtype === "float64" ? 1e-14 : 1e-6, `${dtype} loss`);
    // Labels as a column give the same losses.
    assert.deepEqual(
      softmaxCrossEntropy({ reduction: "none" })(logits, reshape(labels, [6, 1])).toArray(),
      none.toArray(),
    );
    const total = softmaxCrossEntropy({ reduction: "sum" })(logits, labels);
    assertClose(total, sum(composed(logits, labels)), dtype === "float64" ? 1e-14 : 1e-6, `${dtype} sum`);
  }
});

Deno.test("softmaxCrossEntropy() with integer labels has the composition's gradient and Hessian-vector products", () => {
  const { logits, labels } = problem(4, 3, 2);
  const loss = softmaxCrossEntropy();
  const reference = (o: Tensor) => mean(composed(o, labels));
  assertClose(grad((o: Tensor) => loss(o, labels))(logits), grad(reference)(logits), 1e-13, "gradient");
  const direction = problem(4, 3, 3).logits;
  assertClose(hvp((o: Tensor) => loss(o, labels), logits, direction), hvp(reference, logits, direction), 1e-12, "hvp");
});

Deno.test("softmaxCrossEntropy() keeps the composed path for label smoothing and probability targets", () => {
  const { logits, labels } = problem(3, 4, 4);
  const e = 0.3;
  const logp = logSoftmax(logits, 1);
  const smoothed = softmaxCrossEntropy({ labelSmoothing: e, reduction: "none" })(logits, labels);
  const uniform = neg(mean(logp, { axis: 1 }));
  const expected = mul(composed(logits, labels), 1 - e).toArray() as number[];
  smoothed.data.forEach((v, i) => assert.ok(Math.abs(v - (expected[i] + e * uniform.data[i])) < 1e-12));
  const probabilities = tensor([[0.1, 0.2, 0.3, 0.4], [1, 0, 0, 0], [0.25, 0.25, 0.25, 0.25]]);
  const soft = softmaxCrossEntropy({ reduction: "none" })(logits, probabilities);
  const want = neg(sum(mul(probabilities, logp), { axis: 1 }));
  soft.data.forEach((v, i) => assert.ok(Object.is(v, want.data[i]), `${v} vs ${want.data[i]}`));
});
