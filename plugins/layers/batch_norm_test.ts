import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { mul, sum } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { gradgradcheck } from "../../tests/kit/mod.ts";
import { batchNorm, type BatchNormParams } from "./batch_norm.ts";
import plugin from "./batch_norm.ts";

const close = (actual: ArrayLike<number>, expected: number[], tol = 1e-12) => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
};

Deno.test("batchNorm() starts with gamma 1, beta 0, running mean 0 and running variance 1", () => {
  const { params, state, outputShape } = batchNorm().init([3], new Random(0));
  assert.deepEqual(Object.keys(params), ["gamma", "beta"]);
  assert.deepEqual(params.gamma.toArray(), [1, 1, 1]);
  assert.deepEqual(params.beta.toArray(), [0, 0, 0]);
  assert.deepEqual(state.runningMean.toArray(), [0, 0, 0]);
  assert.deepEqual(state.runningVar.toArray(), [1, 1, 1]);
  assert.deepEqual(outputShape, [3]);
});

Deno.test("batchNorm() in training normalizes each feature with the batch mean and biased variance", () => {
  const layer = batchNorm();
  const { state } = layer.init([2], new Random(0));
  const x = tensor([[1, 10], [2, 20], [6, 60]]);
  const { output } = layer.apply({ gamma: tensor([2, 1]), beta: tensor([0.5, -1]) }, state, x, { training: true });
  // Feature 0: μ = 3, σ² = (4 + 1 + 9)/3 = 14/3 (biased, as in the seed and PyTorch).
  const s0 = Math.sqrt(14 / 3 + 1e-5), s1 = Math.sqrt(1400 / 3 + 1e-5);
  close(output.data, [2 * -2 / s0 + 0.5, -20 / s1 - 1, 2 * -1 / s0 + 0.5, -10 / s1 - 1, 2 * 3 / s0 + 0.5, 30 / s1 - 1]);
});

Deno.test("batchNorm() updates the running statistics like PyTorch (momentum 0.1, unbiased variance)", () => {
  const layer = batchNorm();
  const { params, state } = layer.init([1], new Random(0));
  const first = layer.apply(params, state, tensor([[1], [2], [6]]), { training: true }).state;
  // μ = 3, unbiased variance 14/2 = 7.
  close(first.runningMean.data, [0.3]);
  close(first.runningVar.data, [0.9 + 0.7]);
  const second = layer.apply(params, first, tensor([[0], [4]]), { training: true }).state;
  // μ = 2, unbiased variance 8.
  close(second.runningMean.data, [0.9 * 0.3 + 0.2]);
  close(second.runningVar.data, [0.9 * 1.6 + 0.8]);
  // The state passed in is not changed.
  close(state.runningMean.data, [0]);
});

Deno.test("batchNorm() honours the momentum option", () => {
  const layer = batchNorm({ momentum: 1 });
  const { params, state } = layer.init([1], new Random(0));
  const next = layer.apply(params, state, tensor([[1], [3]]), { training: true }).state;
  close(next.runningMean.data, [2]);
  close(next.runningVar.data, [2]);
});

Deno.test("batchNorm() in evaluation uses the running statistics and returns the state unchanged", () => {
  const layer = batchNorm();
  const params: BatchNormParams = { gamma: tensor([3]), beta: tensor([1]) };
  const state = { runningMean: tensor([2]), runningVar: tensor([4]) };
  const r = layer.apply(params, state, tensor([[2], [6]]), { training: false });
  const s = Math.sqrt(4 + 1e-5);
  close(r.output.data, [1, 3 * 4 / s + 1]);
  assert.equal(r.state, state);
  // A batch of one is fine in evaluation.
  close(layer.apply(params, state, tensor([[2]]), { training: false }).output.data, [1]);
});

Deno.test("batchNorm() normalizes rank-4 inputs per channel (axis 1) like BatchNorm2d", () => {
  const layer = batchNorm({ epsilon: 0 });
  const { params, state, outputShape } = layer.init([2, 2, 2], new Random(0));
  assert.deepEqual(outputShape, [2, 2, 2]);
  const x = tensor(Array.from({ length: 16 }, (_, i) => (i * 7) % 5 + (i >= 4 && i < 8 ? 100 : 0)), [2, 2, 2, 2]);
  const { output, state: next } = layer.apply(params, state, x, { training: true });
  assert.deepEqual(output.shape, [2, 2, 2, 2]);
  for (const c of [0, 1]) {
    const values = [0, 1].flatMap((b) => Array.from(output.data.slice((b * 2 + c) * 4, (b * 2 + c) * 4 + 4)));
    const mu = values.reduce((s, v) => s + v, 0) / 8;
    const variance = values.reduce((s, v) => s + (v - mu) ** 2, 0) / 8;
    assert.ok(Math.abs(mu) < 1e-12 && Math.abs(variance - 1) < 1e-12, `channel ${c}: mean ${mu}, variance ${variance}`);
  }
  assert.deepEqual(next.runningMean.shape, [2]);
});

Deno.test("batchNorm() passes the gradient through the batch statistics (to second order)", () => {
  const layer = batchNorm();
  const { params, state } = layer.init([2], new Random(0));
  const x = tensor([[0.3, -1], [1.7, 2], [-0.4, 0.5], [2.2, -0.1]]);
  // Σ of normalized values is 0 for any input, so its gradient through μ and σ² vanishes.
  const g = grad((v: Tensor) => sum(layer.apply(params, state, v, { training: true }).output))(x);
  assert.ok(g.data.every((v) => Math.abs(v) < 1e-12));
  const w = tensor([[1, 2], [-1, 0.5], [3, 1], [0.2, -2]]);
  gradgradcheck(
    ({ v, p }: { v: Tensor; p: BatchNormParams }) => sum(mul(layer.apply(p, state, v, { training: true }).output, w)),
    { v: x, p: params },
  );
});

Deno.test("batchNorm() keeps running statistics out of the parameters, so grad never touches them", () => {
  const layer = batchNorm();
  const { params, state } = layer.init([2], new Random(0));
  const g = grad((p: BatchNormParams) =>
    sum(layer.apply(p, state, tensor([[1, 2], [3, 5]]), { training: true }).output)
  )(
    params,
  );
  assert.deepEqual(Object.keys(g).sort(), ["beta", "gamma"]);
  assert.deepEqual(g.beta.toArray(), [2, 2]);
});

Deno.test("batchNorm() with dtype float32 makes float32 parameters and state", () => {
  const { params, state } = batchNorm({ dtype: "float32" }).init([2], new Random(0));
  assert.equal(params.gamma.dtype, "float32");
  assert.equal(state.runningVar.dtype, "float32");
});

Deno.test("batchNorm() throws RangeError in training mode when a feature has one value", () => {
  const layer = batchNorm();
  const { params, state } = layer.init([2], new Random(0));
  assert.throws(() => layer.apply(params, state, tensor([[1, 2]]), { training: true }), {
    name: "RangeError",
    message:
      'Cannot apply layer "batch-norm" in training mode as each feature needs more than one value to estimate a variance: current shape is [1,2]',
  });
});

Deno.test("batchNorm() throws RangeError naming both shapes when the feature count differs", () => {
  const layer = batchNorm();
  const { params, state } = layer.init([2], new Random(0));
  assert.throws(() => layer.apply(params, state, tensor([[1, 2, 3], [4, 5, 6]]), { training: true }), {
    name: "RangeError",
    message: 'Cannot apply layer "batch-norm" as the input must be [batch, 2] or [batch, 2, …]: current shape is [2,3]',
  });
  assert.throws(() => layer.init([], new Random(0)), /at least one feature/);
});

Deno.test("batchNorm() throws on bad options, naming the option, its range and the value", () => {
  assert.throws(() => batchNorm({ momentum: 1.5 }), {
    name: "RangeError",
    message: 'Cannot create layer "batch-norm" as momentum must be a number in [0, 1]: current value is 1.5',
  });
  assert.throws(() => batchNorm({ epsilon: -1 }), {
    name: "RangeError",
    message: 'Cannot create layer "batch-norm" as epsilon must be a number in [0, ∞): current value is -1',
  });
  assert.throws(() => batchNorm({ momentum: "0.1" as unknown as number }), TypeError);
  assert.throws(() => batchNorm({ eps: 1e-3 } as never), /unknown option "eps"/);
  assert.throws(() => batchNorm({ dtype: "int8" as never }), RangeError);
});

Deno.test("batch-norm plugin is registered with PyTorch's defaults", () => {
  assert.equal(plugin.name, "batch-norm");
  assert.deepEqual(plugin.defaults, { momentum: 0.1, epsilon: 1e-5, dtype: "float64" });
});

/**
 * PyTorch's BatchNorm2d formulas for a `[B, C, H, W]` input, written out per
 * channel c over its n = B·H·W values: y = (x − μ)/√(σ² + ε)·γ + β with the
 * biased σ², running mean (1 − m)·r + m·μ, running variance (1 − m)·r + m·σ²·n/(n − 1).
 */
function torchBatchNorm2d(
  x: number[][][][],
  runningMean: number[],
  runningVar: number[],
  momentum: number,
  epsilon: number,
): { output: number[][][][]; runningMean: number[]; runningVar: number[] } {
  const channels = x[0].length;
  const output = x.map((sample) => sample.map((plane) => plane.map((row) => row.map(() => 0))));
  const newMean: number[] = [], newVar: number[] = [];
  for (let c = 0; c < channels; c++) {
    const values = x.flatMap((sample) => sample[c].flat());
    const n = values.length;
    const mu = values.reduce((a, b) => a + b, 0) / n;
    const biased = values.reduce((a, v) => a + (v - mu) ** 2, 0) / n;
    x.forEach((sample, b) =>
      sample[c].forEach((row, i) =>
        row.forEach((v, j) => (output[b][c][i][j] = (v - mu) / Math.sqrt(biased + epsilon)))
      )
    );
    newMean.push((1 - momentum) * runningMean[c] + momentum * mu);
    newVar.push((1 - momentum) * runningVar[c] + momentum * biased * n / (n - 1));
  }
  return { output, runningMean: newMean, runningVar: newVar };
}

Deno.test("batchNorm() on [B, C, H, W] follows PyTorch's BatchNorm2d: output, running mean and unbiased running variance", () => {
  const x = [
    [[[1, 2], [3, 4]], [[0, -1], [2, 5]]],
    [[[2, 0], [1, -3]], [[4, 4], [1, 0.5]]],
  ];
  const layer = batchNorm();
  const { params, state } = layer.init([2, 2, 2], new Random(0));
  const r = layer.apply(params, state, tensor(x), { training: true });
  const want = torchBatchNorm2d(x, [0, 0], [1, 1], 0.1, 1e-5);
  const near = (got: ArrayLike<number>, expected: number[], what: string) =>
    expected.forEach((v, i) => assert.ok(Math.abs(got[i] - v) < 1e-12, `${what}[${i}]: ${got[i]} against ${v}`));
  near(r.output.data, want.output.flat(3), "output");
  near(r.state.runningMean.data, want.runningMean, "runningMean");
  near(r.state.runningVar.data, want.runningVar, "runningVar");
  // The values PyTorch 1.13 prints for this input (torch.nn.BatchNorm2d(2), float64, training mode).
  near(r.state.runningMean.data, [0.125, 0.19375], "PyTorch running_mean");
  near(r.state.runningVar.data, [1.35, 1.3745535714285715], "PyTorch running_var");
  near(
    r.output.data.subarray(0, 4),
    [-0.12598799768508506, 0.3779639930552551, 0.8819159837955952, 1.3858679745359352],
    "PyTorch output",
  );
});

Deno.test("batchNorm() trains on a batch of one image: n = H·W values per channel, as PyTorch counts them", () => {
  const x = [[[[1, 2], [3, 4]], [[0, -1], [2, 5]]]];
  const layer = batchNorm();
  const { params, state } = layer.init([2, 2, 2], new Random(0));
  const r = layer.apply(params, state, tensor(x), { training: true });
  const want = torchBatchNorm2d(x, [0, 0], [1, 1], 0.1, 1e-5);
  // PyTorch: running_var [1.0666666666666667, 1.6].
  for (const [i, v] of [1.0666666666666667, 1.6].entries()) {
    assert.ok(Math.abs(r.state.runningVar.data[i] - v) < 1e-12);
    assert.ok(Math.abs(r.state.runningVar.data[i] - want.runningVar[i]) < 1e-12);
  }
});
