import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { sum } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { sigmoid } from "./sigmoid.ts";

const logistic = (z: number) => 1 / (1 + Math.exp(-z));

Deno.test("sigmoid() applies 1/(1 + e^−z) elementwise and keeps the shape", () => {
  const layer = sigmoid();
  const { params, state, outputShape } = layer.init([3], new Random(0));
  assert.deepEqual(params, {});
  assert.deepEqual(outputShape, [3]);
  const { output } = layer.apply(params, state, tensor([[0, 2, -3]]), { training: false });
  output.data.forEach((v, i) => assert.ok(Math.abs(v - logistic([0, 2, -3][i])) < 1e-15));
});

Deno.test("sigmoid() has derivative σ(1 − σ) (seed 003) and stays finite in both tails", () => {
  const x = tensor([[0.5, -4, 1000, -1000]]);
  const layer = sigmoid();
  const g = grad((v: Tensor) => sum(layer.apply({}, {}, v, { training: true }).output))(x);
  [0.5, -4].forEach((z, i) => assert.ok(Math.abs(g.data[i] - logistic(z) * (1 - logistic(z))) < 1e-15));
  assert.deepEqual(Array.from(g.data.slice(2)), [0, 0]);
  assert.deepEqual(Array.from(layer.apply({}, {}, x, { training: false }).output.data.slice(2)), [1, 0]);
});

Deno.test("sigmoid() throws TypeError for any option", () => {
  assert.throws(() => sigmoid({ beta: 2 } as never), {
    name: "TypeError",
    message: 'Cannot create layer "sigmoid" as it has an unknown option "beta": known options are none',
  });
});
