import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { sum } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { layerNorm } from "./layer_norm.ts";

function close(a: ArrayLike<number>, b: number[], tol = 1e-12) {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `[${i}]: ${a[i]} vs ${b[i]}`);
}

Deno.test("layerNorm() starts with weight 1 and bias 0 of the normalized shape, and no state", () => {
  const { params, state, outputShape } = layerNorm({ axes: 2 }).init([3, 4, 5], new Random(0));
  assert.deepEqual(params.weight.shape, [4, 5]);
  assert.ok(params.weight.data.every((v) => v === 1) && params.bias.data.every((v) => v === 0));
  assert.deepEqual([state, outputShape], [{}, [3, 4, 5]]);
});

Deno.test("layerNorm() normalizes each sample over its last axes with the biased variance and ε = 1e-5", () => {
  const layer = layerNorm();
  const params = { weight: tensor([2, 1, 1]), bias: tensor([0, 0, 0.5]) };
  const x = tensor([[1, 2, 6], [0, 0, 3]]);
  const { output } = layer.apply(params, {}, x, { training: false });
  const s0 = Math.sqrt(14 / 3 + 1e-5), s1 = Math.sqrt(2 + 1e-5);
  close(output.data, [2 * -2 / s0, -1 / s0, 3 / s0 + 0.5, 2 * -1 / s1, -1 / s1, 2 / s1 + 0.5]);
  // The same in training and evaluation: no running statistics.
  assert.deepEqual(layer.apply(params, {}, x, { training: true }).output.toArray(), output.toArray());
});

Deno.test("layerNorm() over two axes normalizes each [rows, cols] block together", () => {
  const layer = layerNorm({ axes: 2, epsilon: 0 });
  const { params } = layer.init([2, 2], new Random(0));
  const { output } = layer.apply(params, {}, tensor([[[1, 3], [5, 7]]]), { training: true });
  const s = Math.sqrt(5);
  close(output.data, [-3 / s, -1 / s, 1 / s, 3 / s]);
});

Deno.test("layerNorm() output is invariant to shifting a sample, so its input gradient sums to 0 per sample", () => {
  const layer = layerNorm();
  const { params } = layer.init([4], new Random(0));
  const x = tensor([[0.3, -1, 2, 0.7], [5, 1, -2, 0]]);
  const g = grad((v: Tensor) => sum(layer.apply(params, {}, v, { training: true }).output))(x);
  close([g.data[0] + g.data[1] + g.data[2] + g.data[3], g.data[4] + g.data[5] + g.data[6] + g.data[7]], [0, 0], 1e-12);
});

Deno.test("layerNorm() throws for bad options and inputs, naming them", () => {
  assert.throws(() => layerNorm({ axes: 0 }), /axes must be an integer in \[1, ∞\)/);
  assert.throws(() => layerNorm({ epsilon: -1 }), /epsilon must be a number in \[0, ∞\)/);
  assert.throws(() => layerNorm({ axes: 3 }).init([4, 4], new Random(0)), {
    name: "RangeError",
    message:
      'Cannot initialize layer "layer-norm" as the input must have at least 3 non-empty axes after the batch axis to normalize over: current shape is [4,4]',
  });
  const { params } = layerNorm().init([3], new Random(0));
  assert.throws(() => layerNorm().apply(params, {}, tensor([[1, 2]]), { training: false }), {
    name: "RangeError",
    message:
      'Cannot apply layer "layer-norm" as the input must end in the normalized shape [3] after the batch axis: current shape is [1,2]',
  });
});
