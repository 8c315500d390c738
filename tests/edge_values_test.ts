/**
 * Edge values (0, ±1e-8, ±40, ±89, ±710, ±Infinity, NaN): every op gives a
 * finite value and a finite gradient wherever the mathematics is finite, in
 * float64 and float32.
 */

import assert from "node:assert/strict";
import { grad } from "../core/autodiff.ts";
import * as op from "../core/ops/mod.ts";
import { type DType, type Tensor, tensor } from "../core/tensor.ts";

const FINITE_EDGES = [0, 1e-8, -1e-8, 40, -40, 89, -89, 710, -710];
const DTYPES: DType[] = ["float64", "float32"];

function allFinite(t: Tensor): boolean {
  return t.data.every((v) => Number.isFinite(v));
}

/** Ops whose value and derivative are finite for every finite input. */
const boundedOps: Record<string, (x: Tensor) => Tensor> = {
  sigmoid: op.sigmoid,
  tanh: op.tanh,
  sin: op.sin,
  cos: op.cos,
  relu: op.relu,
  abs: op.abs,
  neg: op.neg,
  softmax: (x) => op.softmax(op.reshape(x, [1, -1])),
  logSoftmax: (x) => op.logSoftmax(op.reshape(x, [1, -1])),
  logSumExp: (x) => op.logSumExp(x),
  max: (x) => op.max(x),
  erf: op.erf,
  gelu: (x) => op.gelu(x),
  geluTanh: (x) => op.gelu(x, { approximate: "tanh" }),
  elu: (x) => op.elu(x),
  leakyRelu: (x) => op.leakyRelu(x),
  softplus: (x) => op.softplus(x),
  silu: op.silu,
  conv2d: (x) =>
    op.conv2d(op.reshape(x, [1, 1, 1, -1]), tensor([0.5, -2], [1, 1, 1, 2], x.dtype), null, { padding: [0, 1] }),
  maxPool2d: (x) => op.maxPool2d(op.reshape(x, [1, 1, 1, -1]), [1, 2], { padding: [0, 1] }),
  avgPool2d: (x) => op.avgPool2d(op.reshape(x, [1, 1, 1, -1]), [1, 3], { stride: 1, padding: [0, 1] }),
};

for (const dtype of DTYPES) {
  for (const [name, fn] of Object.entries(boundedOps)) {
    Deno.test(`op ${name} gives finite values and gradients on edge inputs in ${dtype}`, () => {
      const x = tensor(FINITE_EDGES, [FINITE_EDGES.length], dtype);
      assert.ok(allFinite(fn(x)), `${name} value`);
      assert.ok(allFinite(grad((v: Tensor) => op.sum(fn(v)))(x)), `${name} gradient`);
      for (const v of FINITE_EDGES) {
        const one = tensor([v, 0], [2], dtype);
        assert.ok(allFinite(fn(one)), `${name}(${v}, 0)`);
        assert.ok(allFinite(grad((u: Tensor) => op.sum(fn(u)))(one)), `${name}'(${v}, 0)`);
      }
    });
  }
}

Deno.test("logSumExp([710, 0]) is 710 and logSumExp([-710, 0]) is 0", () => {
  assert.equal(op.logSumExp(tensor([710, 0])).item(), 710);
  assert.equal(op.logSumExp(tensor([-710, 0])).item(), 0);
  assert.equal(op.logSumExp(tensor([710, 0], [2], "float32")).item(), 710);
});

Deno.test("logSumExp handles ±Infinity like PyTorch", () => {
  assert.equal(op.logSumExp(tensor([-Infinity, 0])).item(), 0);
  assert.equal(op.logSumExp(tensor([-Infinity, -Infinity])).item(), -Infinity);
  assert.equal(op.logSumExp(tensor([Infinity, 0])).item(), Infinity);
  assert.ok(Number.isNaN(op.logSumExp(tensor([NaN, 0])).item()));
});

Deno.test("softmax of float32 [89, 0] has no NaN and sums to 1", () => {
  const s = op.softmax(tensor([89, 0], [2], "float32"));
  assert.ok(allFinite(s));
  assert.equal(s.data[0], 1);
  assert.ok(s.data[1] > 0 && s.data[1] < 1e-38);
});

Deno.test("softmax with -Infinity logits gives exact zeros", () => {
  assert.deepEqual(op.softmax(tensor([0, -Infinity])).toArray(), [1, 0]);
});

Deno.test("sigmoid saturates without overflow: exactly 1 above, the true tiny value below", () => {
  assert.deepEqual(op.sigmoid(tensor([-Infinity, 710, Infinity])).toArray(), [0, 1, 1]);
  const tiny = op.sigmoid(tensor([-710])).item();
  assert.ok(tiny > 0 && Math.abs(tiny - Math.exp(-710)) < 1e-320);
  assert.deepEqual(op.tanh(tensor([-Infinity, Infinity])).toArray(), [-1, 1]);
});

Deno.test("exp and log follow IEEE at the edges", () => {
  assert.deepEqual(op.exp(tensor([-Infinity, 710])).toArray(), [0, Infinity]);
  assert.deepEqual(op.log(tensor([0, Infinity])).toArray(), [-Infinity, Infinity]);
  assert.ok(Number.isNaN(op.log(tensor([-1])).item()));
});

Deno.test("NaN propagates through elementwise ops and reductions", () => {
  for (const fn of [op.sigmoid, op.tanh, op.relu, op.abs, op.exp, op.square]) {
    assert.ok(Number.isNaN(fn(tensor([NaN])).item()));
  }
  assert.ok(Number.isNaN(op.max(tensor([1, NaN, 3])).item()));
  assert.ok(Number.isNaN(op.maximum(tensor([NaN]), 0).item()));
  assert.ok(Number.isNaN(op.sum(tensor([1, NaN])).item()));
});

Deno.test("where() does not leak Infinity or NaN from the branch not taken into the value", () => {
  assert.deepEqual(op.where(op.greater(tensor([0, 2]), 0), op.log(tensor([0, 2])), 0).toArray(), [0, Math.log(2)]);
});

Deno.test("where() with a guarded branch gives finite gradients at the guard (the double-where pattern)", () => {
  // As in PyTorch and JAX, an infinite derivative inside the untaken branch
  // still meets a zero cotangent (0·∞ = NaN); guarding the branch's input avoids it.
  const safeLog = (x: Tensor) => {
    const positive = op.greater(x, 0);
    return op.where(positive, op.log(op.where(positive, x, 1)), 0);
  };
  assert.deepEqual(grad((x: Tensor) => op.sum(safeLog(x)))(tensor([0, 2])).toArray(), [0, 0.5]);
});

/**
 * PyTorch 1.13's `a ** b` with its gradients, in float64, on every pair of edge values: a in
 * 0, −0, ±1, ±2, 0.5, ±∞, NaN; b in 0, 1, 2, 3, 0.5, −1, −0.5, −2, ±∞, NaN. Each row is
 * [a, b, aᵇ, ∂/∂a, ∂/∂b], printed by
 * `y = ta ** tb; y.backward(); [a, b, y.item(), ta.grad.item(), tb.grad.item()]`.
 */
const POW_EDGES: readonly (readonly number[])[] = [
  [0, 0, 1, 0, 0],
  [0, 1, 0, 1, 0],
  [0, 2, 0, 0, 0],
  [0, 3, 0, 0, 0],
  [0, 0.5, 0, Infinity, 0],
  [0, -1, Infinity, -Infinity, -Infinity],
  [0, -0.5, Infinity, -Infinity, -Infinity],
  [0, -2, Infinity, -Infinity, -Infinity],
  [0, Infinity, 0, NaN, 0],
  [0, -Infinity, Infinity, -Infinity, -Infinity],
  [0, NaN, NaN, NaN, NaN],
  [-0, 0, 1, 0, 0],
  [-0, 1, -0, 1, 0],
  [-0, 2, 0, -0, 0],
  [-0, 3, -0, 0, 0],
  [-0, 0.5, 0, Infinity, 0],
  [-0, -1, -Infinity, -Infinity, Infinity],
  [-0, -0.5, Infinity, -Infinity, -Infinity],
  [-0, -2, Infinity, Infinity, -Infinity],
  [-0, Infinity, 0, NaN, 0],
  [-0, -Infinity, Infinity, -Infinity, -Infinity],
  [-0, NaN, NaN, NaN, NaN],
  [1, 0, 1, 0, 0],
  [1, 1, 1, 1, 0],
  [1, 2, 1, 2, 0],
  [1, 3, 1, 3, 0],
  [1, 0.5, 1, 0.5, 0],
  [1, -1, 1, -1, 0],
  [1, -0.5, 1, -0.5, 0],
  [1, -2, 1, -2, 0],
  [1, Infinity, 1, Infinity, 0],
  [1, -Infinity, 1, -Infinity, 0],
  [1, NaN, 1, NaN, 0],
  [-1, 0, 1, 0, NaN],
  [-1, 1, -1, 1, NaN],
  [-1, 2, 1, -2, NaN],
  [-1, 3, -1, 3, NaN],
  [-1, 0.5, NaN, NaN, NaN],
  [-1, -1, -1, -1, NaN],
  [-1, -0.5, NaN, NaN, NaN],
  [-1, -2, 1, 2, NaN],
  [-1, Infinity, 1, Infinity, NaN],
  [-1, -Infinity, 1, -Infinity, NaN],
  [-1, NaN, NaN, NaN, NaN],
  [2, 0, 1, 0, 0.6931471805599453],
  [2, 1, 2, 1, 1.3862943611198906],
  [2, 2, 4, 4, 2.772588722239781],
  [2, 3, 8, 12, 5.545177444479562],
  [2, 0.5, 1.4142135623730951, 0.3535533905932738, 0.9802581434685472],
  [2, -1, 0.5, -0.25, 0.34657359027997264],
  [2, -0.5, 0.7071067811865476, -0.1767766952966369, 0.4901290717342736],
  [2, -2, 0.25, -0.25, 0.17328679513998632],
  [2, Infinity, Infinity, Infinity, Infinity],
  [2, -Infinity, 0, NaN, 0],
  [2, NaN, NaN, NaN, NaN],
  [-2, 0, 1, 0, NaN],
  [-2, 1, -2, 1, NaN],
  [-2, 2, 4, -4, NaN],
  [-2, 3, -8, 12, NaN],
  [-2, 0.5, NaN, NaN, NaN],
  [-2, -1, -0.5, -0.25, NaN],
  [-2, -0.5, NaN, NaN, NaN],
  [-2, -2, 0.25, 0.25, NaN],
  [-2, Infinity, Infinity, Infinity, NaN],
  [-2, -Infinity, 0, NaN, NaN],
  [-2, NaN, NaN, NaN, NaN],
  [0.5, 0, 1, 0, -0.6931471805599453],
  [0.5, 1, 0.5, 1, -0.34657359027997264],
  [0.5, 2, 0.25, 1, -0.17328679513998632],
  [0.5, 3, 0.125, 0.75, -0.08664339756999316],
  [0.5, 0.5, 0.7071067811865476, 0.7071067811865476, -0.4901290717342736],
  [0.5, -1, 2, -4, -1.3862943611198906],
  [0.5, -0.5, 1.4142135623730951, -1.4142135623730951, -0.9802581434685472],
  [0.5, -2, 4, -16, -2.772588722239781],
  [0.5, Infinity, 0, NaN, -0],
  [0.5, -Infinity, Infinity, -Infinity, -Infinity],
  [0.5, NaN, NaN, NaN, NaN],
  [Infinity, 0, 1, 0, Infinity],
  [Infinity, 1, Infinity, 1, Infinity],
  [Infinity, 2, Infinity, Infinity, Infinity],
  [Infinity, 3, Infinity, Infinity, Infinity],
  [Infinity, 0.5, Infinity, 0, Infinity],
  [Infinity, -1, 0, -0, NaN],
  [Infinity, -0.5, 0, -0, NaN],
  [Infinity, -2, 0, -0, NaN],
  [Infinity, Infinity, Infinity, Infinity, Infinity],
  [Infinity, -Infinity, 0, NaN, NaN],
  [Infinity, NaN, NaN, NaN, NaN],
  [-Infinity, 0, 1, 0, NaN],
  [-Infinity, 1, -Infinity, 1, NaN],
  [-Infinity, 2, Infinity, -Infinity, NaN],
  [-Infinity, 3, -Infinity, Infinity, NaN],
  [-Infinity, 0.5, Infinity, 0, NaN],
  [-Infinity, -1, -0, -0, NaN],
  [-Infinity, -0.5, 0, -0, NaN],
  [-Infinity, -2, 0, 0, NaN],
  [-Infinity, Infinity, Infinity, Infinity, NaN],
  [-Infinity, -Infinity, 0, NaN, NaN],
  [-Infinity, NaN, NaN, NaN, NaN],
  [NaN, 0, 1, 0, NaN],
  [NaN, 1, NaN, 1, NaN],
  [NaN, 2, NaN, NaN, NaN],
  [NaN, 3, NaN, NaN, NaN],
  [NaN, 0.5, NaN, NaN, NaN],
  [NaN, -1, NaN, NaN, NaN],
  [NaN, -0.5, NaN, NaN, NaN],
  [NaN, -2, NaN, NaN, NaN],
  [NaN, Infinity, NaN, NaN, NaN],
  [NaN, -Infinity, NaN, NaN, NaN],
  [NaN, NaN, NaN, NaN, NaN],
];

for (const dtype of DTYPES) {
  Deno.test(`pow and its gradients agree with PyTorch on edge values in ${dtype}`, () => {
    const close = (x: number, y: number) =>
      Object.is(x, y) || x === y ||
      (Number.isFinite(y) && Math.abs(x - y) <= (dtype === "float32" ? 1e-6 : 1e-15) * Math.abs(y));
    const wrong: string[] = [];
    for (const [a, b, value, da, db] of POW_EDGES) {
      const base = tensor([a], [1], dtype), exponent = tensor([b], [1], dtype);
      const g = grad((t: { a: Tensor; b: Tensor }) => op.sum(op.pow(t.a, t.b)))({ a: base, b: exponent });
      const ours = [op.pow(base, exponent).data[0], g.a.data[0], g.b.data[0]];
      if (!ours.every((v, i) => close(v, [value, da, db][i]))) {
        wrong.push(`pow(${a}, ${b}): [value, ∂a, ∂b] is [${ours}], PyTorch's [${[value, da, db]}]`);
      }
    }
    assert.deepEqual(wrong, []);
  });
}
