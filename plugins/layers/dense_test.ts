import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { sum } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { dense, type DenseParams } from "./dense.ts";

Deno.test("dense() computes x·W + b with W of shape [inputs, units]", () => {
  const layer = dense({ units: 2 });
  const params = { weight: tensor([[1, 2], [3, 4], [5, 6]]), bias: tensor([0.5, -1]) };
  const { output } = layer.apply(params, {}, tensor([[1, 0, -1], [2, 1, 0]]), { training: false });
  assert.deepEqual(output.toArray(), [[1 - 5 + 0.5, 2 - 6 - 1], [2 + 3 + 0.5, 4 + 4 - 1]]);
});

Deno.test("dense() initializes Xavier-uniform weights and zero biases by default, deterministically for a seed", () => {
  const layer = dense({ units: 4 });
  const a = layer.init([6], new Random(3)), b = layer.init([6], new Random(3));
  const p = a.params as { weight: Tensor; bias: Tensor };
  assert.deepEqual(p.weight.shape, [6, 4]);
  assert.deepEqual(a.outputShape, [4]);
  const bound = Math.sqrt(6 / 10);
  assert.ok(p.weight.data.every((v) => Math.abs(v) <= bound));
  assert.deepEqual(p.bias.toArray(), [0, 0, 0, 0]);
  assert.deepEqual(p.weight.toArray(), (b.params as { weight: Tensor }).weight.toArray());
  assert.deepEqual(a.state, {});
});

Deno.test("dense() takes initializers by name, by name with options, or as a function", () => {
  const byName = dense({ units: 3, initializer: "zeros" }).init([2], new Random(0)).params as { weight: Tensor };
  assert.deepEqual(byName.weight.toArray(), [[0, 0, 0], [0, 0, 0]]);
  const withOptions = dense({ units: 1, initializer: { name: "constant", value: 2 }, biasInitializer: "he-normal" })
    .init([2], new Random(0)).params as { weight: Tensor; bias: Tensor };
  assert.deepEqual(withOptions.weight.toArray(), [[2], [2]]);
  assert.notEqual(withOptions.bias.data[0], 0);
  const fn = dense({ units: 1, initializer: (shape) => tensor(new Float64Array(shape[0] * shape[1]).fill(7), shape) });
  assert.deepEqual((fn.init([2], new Random(0)).params as { weight: Tensor }).weight.toArray(), [[7], [7]]);
});

Deno.test("dense() without a bias has only a weight", () => {
  const { params } = dense({ units: 2, useBias: false }).init([3], new Random(0));
  assert.deepEqual(Object.keys(params), ["weight"]);
});

Deno.test("dense() flattens inputs of rank above 2 after the batch axis", () => {
  const layer = dense({ units: 1, initializer: { name: "constant", value: 1 } });
  const { params, outputShape } = layer.init([2, 2], new Random(0));
  assert.deepEqual(outputShape, [1]);
  assert.deepEqual((params as { weight: Tensor }).weight.shape, [4, 1]);
  const { output } = layer.apply(params, {}, tensor([[[1, 2], [3, 4]]]), { training: false });
  assert.deepEqual(output.toArray(), [[10]]);
});

Deno.test("dense() gradients are xᵀ·g for the weight and Σ g for the bias", () => {
  const layer = dense({ units: 1 });
  const x = tensor([[1, 2], [3, -1]]);
  const params = { weight: tensor([[0.5], [-0.5]]), bias: tensor([0.1]) };
  const g = grad((p: DenseParams) => sum(layer.apply(p, {}, x, { training: true }).output))(params) as {
    weight: Tensor;
    bias: Tensor;
  };
  assert.deepEqual(g.weight.toArray(), [[4], [1]]);
  assert.deepEqual(g.bias.toArray(), [2]);
});

Deno.test("dense() makes float32 parameters with dtype float32", () => {
  const { params } = dense({ units: 2, dtype: "float32" }).init([2], new Random(0));
  assert.equal((params as { weight: Tensor }).weight.dtype, "float32");
});

Deno.test("dense() throws RangeError naming the expected and given shapes for a wrong input", () => {
  const layer = dense({ units: 2 });
  const { params } = layer.init([3], new Random(0));
  assert.throws(() => layer.apply(params, {}, tensor([[1, 2]]), { training: false }), {
    name: "RangeError",
    message:
      'Cannot apply layer "dense" as the input must be [batch, 3] (features flattened after the batch axis): current shape is [1,2]',
  });
  assert.throws(() => layer.init([0], new Random(0)), /at least one feature/);
});

Deno.test("dense() throws on bad options, naming the option and the value", () => {
  assert.throws(() => dense({} as never), {
    name: "TypeError",
    message: 'Cannot create layer "dense" as units must be given (a positive integer): current value is undefined',
  });
  assert.throws(() => dense({ units: 0 }), {
    name: "RangeError",
    message: 'Cannot create layer "dense" as units must be an integer in [1, ∞): current value is 0',
  });
  assert.throws(() => dense({ units: 2, initializer: "xavier-unifrom" }), /did you mean 'xavier-uniform'/);
  assert.throws(() => dense({ units: 2, initializer: { name: "constant" } }), /value must be given/);
  assert.throws(() => dense({ units: 2, useBias: "yes" as unknown as boolean }), TypeError);
  assert.throws(() => dense({ units: 2, bias: true } as never), /unknown option "bias"/);
});
