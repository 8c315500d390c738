import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { mul, sum } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { softmax } from "./softmax.ts";

Deno.test("softmax() gives e^z / Σ e^z along the last axis by default", () => {
  const layer = softmax();
  const { params, state, outputShape } = layer.init([3], new Random(0));
  assert.deepEqual(outputShape, [3]);
  const z = [1, 2, 3], total = z.reduce((s, v) => s + Math.exp(v), 0);
  const { output } = layer.apply(params, state, tensor([z, [0, 0, 0]]), { training: false });
  output.data.slice(0, 3).forEach((v, i) => assert.ok(Math.abs(v - Math.exp(z[i]) / total) < 1e-15));
  output.data.slice(3).forEach((v) => assert.ok(Math.abs(v - 1 / 3) < 1e-15));
});

Deno.test("softmax() normalizes along the axis option, counting the batch axis as 0", () => {
  const layer = softmax({ axis: 1 });
  const x = tensor([[[1, 5], [2, 0], [3, -1]]]); // [batch 1, classes 3, length 2]
  const { output } = layer.apply({}, {}, x, { training: false });
  for (const j of [0, 1]) {
    const column = [0, 1, 2].reduce((s, c) => s + output.data[c * 2 + j], 0);
    assert.ok(Math.abs(column - 1) < 1e-15);
  }
});

Deno.test("softmax() is stable for large logits in float64 and float32", () => {
  const layer = softmax();
  for (const dtype of ["float64", "float32"] as const) {
    const { output } = layer.apply({}, {}, tensor([[710, -710, 0], [89, 89, -89]], undefined, dtype), {
      training: false,
    });
    assert.ok(output.data.every(Number.isFinite));
    assert.ok(Math.abs(output.data[0] - 1) < 1e-6 && Math.abs(output.data[3] - 0.5) < 1e-6);
  }
});

Deno.test("softmax() has the Jacobian diag(p) − p·pᵀ", () => {
  const x = tensor([[0.2, -1, 0.7]]);
  const w = tensor([[1, 2, -1]]);
  const g = grad((v: Tensor) => sum(mul(softmax().apply({}, {}, v, { training: true }).output, w)))(x);
  const e = [0.2, -1, 0.7].map(Math.exp), s = e.reduce((a, b) => a + b, 0), p = e.map((v) => v / s);
  const pw = p[0] * 1 + p[1] * 2 - p[2];
  [1, 2, -1].forEach((wi, i) => assert.ok(Math.abs(g.data[i] - p[i] * (wi - pw)) < 1e-15));
});

Deno.test("softmax() throws RangeError when axis names no axis of the input", () => {
  assert.throws(() => softmax({ axis: 2 }).init([3], new Random(0)), {
    name: "RangeError",
    message:
      'Cannot initialize layer "softmax" as axis 2 must name an axis of the input (an integer in [-2, 1], the batch axis being 0): current shape is [batch,3]',
  });
  assert.throws(() => softmax({ axis: -3 }).apply({}, {}, tensor([[1, 2]]), { training: false }), {
    name: "RangeError",
    message:
      'Cannot apply layer "softmax" as axis -3 must name an axis of the input (an integer in [-2, 1], the batch axis being 0): current shape is [1,2]',
  });
});

Deno.test("softmax() throws on a non-integer axis or an unknown option", () => {
  assert.throws(() => softmax({ axis: 0.5 }), {
    name: "RangeError",
    message: 'Cannot create layer "softmax" as axis must be a finite integer: current value is 0.5',
  });
  assert.throws(() => softmax({ dim: 1 } as never), /unknown option "dim"/);
});

Deno.test("softmax() on a rank-3 input normalizes along the last axis by default, not axis 1", () => {
  const layer = softmax();
  const x = tensor([[[1, 2, 3], [0, 0, 0]], [[-1, 5, 2], [3, 3, 1]]]);
  const { output } = layer.apply({}, {}, x, { training: false });
  const data = [...output.data];
  for (let row = 0; row < 4; row++) {
    const z = [...x.data.subarray(3 * row, 3 * row + 3)];
    const e = z.map((v) => Math.exp(v - Math.max(...z))), s = e.reduce((a, b) => a + b, 0);
    for (let j = 0; j < 3; j++) assert.ok(Math.abs(data[3 * row + j] - e[j] / s) < 1e-12, `row ${row}`);
  }
});
