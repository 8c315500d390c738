import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { add, matmul, mul, relu, sum } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { astype, type DType, type Tensor, tensor } from "../../core/tensor.ts";
import { flattenTree, type Tree } from "../../core/tree.ts";
import { gradcheck, gradgradcheck } from "../../tests/kit/mod.ts";
import { dense, type DenseParams } from "./dense.ts";

/** Random values in [-1, 1) of a shape, from a seed. */
function random(shape: number[], seed: number, dtype: DType = "float64"): Tensor {
  const rng = new Random(seed);
  const size = shape.reduce((p, n) => p * n, 1);
  return astype(tensor(Array.from({ length: size }, () => rng.uniform(-1, 1)), shape), dtype);
}

/** A scalar that weighs every output element differently, so no cotangent is uniform. */
function weighted(y: Tensor): Tensor {
  return sum(mul(y, tensor(Array.from({ length: y.size }, (_, i) => 0.5 + (i % 7) / 7), y.shape)));
}

function sameBits(actual: Tree, expected: Tree, what: string): void {
  const a = flattenTree(actual), e = flattenTree(expected);
  assert.deepEqual(a.map(([p, t]) => [p, t.dtype, t.shape]), e.map(([p, t]) => [p, t.dtype, t.shape]), what);
  a.forEach(([path, t], k) => {
    t.data.forEach((v, i) =>
      assert.ok(Object.is(v, e[k][1].data[i]), `${what} "${path}"[${i}]: ${v} vs ${e[k][1].data[i]}`)
    );
  });
}

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

Deno.test("dense() without an activation gives x·W + b and its gradients bit for bit, in float64 and float32", () => {
  for (const dtype of ["float64", "float32"] as DType[]) {
    const layer = dense({ units: 5, dtype });
    const x = random([3, 4], 1, dtype);
    const params = { weight: random([4, 5], 2, dtype), bias: random([5], 3, dtype) };
    const out = (p: { x: Tensor; weight: Tensor; bias: Tensor }) =>
      layer.apply({ weight: p.weight, bias: p.bias }, {}, p.x, { training: true }).output;
    const composed = (p: { x: Tensor; weight: Tensor; bias: Tensor }) => add(matmul(p.x, p.weight), p.bias);
    const inputs = { x, ...params };
    sameBits(out(inputs), composed(inputs), `${dtype} output`);
    sameBits(
      grad((p: typeof inputs) => weighted(out(p)))(inputs),
      grad((p: typeof inputs) => weighted(composed(p)))(inputs),
      `${dtype} gradient`,
    );
  }
});

Deno.test("dense() with activation relu is a relu layer after it: the same values and gradients bit for bit", () => {
  for (const dtype of ["float64", "float32"] as DType[]) {
    for (const useBias of [true, false]) {
      const fused = dense({ units: 6, activation: "relu", useBias, dtype });
      const plain = dense({ units: 6, useBias, dtype });
      const { params } = fused.init([4], new Random(7));
      const x = random([5, 4], 8, dtype);
      const f = (p: { x: Tensor; params: DenseParams }) => fused.apply(p.params, {}, p.x, { training: true }).output;
      const g = (p: { x: Tensor; params: DenseParams }) =>
        relu(plain.apply(p.params, {}, p.x, { training: true }).output);
      const inputs = { x, params };
      const y = f(inputs);
      assert.ok(y.data.some((v) => v === 0) && y.data.some((v) => v > 0), "some units must be cut off and some pass");
      const what = `${dtype}, useBias ${useBias}`;
      sameBits(y, g(inputs), `${what}: output`);
      sameBits(
        grad((p: typeof inputs) => weighted(f(p)))(inputs),
        grad((p: typeof inputs) => weighted(g(p)))(inputs),
        `${what}: gradient`,
      );
    }
  }
});

Deno.test("dense() with activation relu matches central differences to second order away from the kink", () => {
  const layer = dense({ units: 4, activation: "relu" });
  let checked = 0;
  for (let seed = 0; seed < 20; seed++) {
    const x = random([3, 3], 100 + seed);
    const { params } = layer.init([3], new Random(seed));
    const p = { weight: (params as { weight: Tensor }).weight, bias: random([4], 200 + seed) };
    // The kink is at x·W + b = 0: keep every pre-activation at least 0.05 away from it.
    const z = add(matmul(x, p.weight), p.bias);
    if (z.data.some((v) => Math.abs(v) < 0.05)) continue;
    const f = (v: { x: Tensor; params: DenseParams }) =>
      weighted(layer.apply(v.params, {}, v.x, { training: true }).output);
    gradcheck(f, { x, params: p });
    gradgradcheck(f, { x, params: p }, { atol: 1e-4, rtol: 1e-3 });
    checked++;
  }
  assert.ok(checked >= 5, `only ${checked} cases were far enough from the kink`);
});

Deno.test("dense() with activation relu keeps NaN and passes 0 for a pre-activation of exactly 0", () => {
  const layer = dense({ units: 2, activation: "relu" });
  const params = { weight: tensor([[1, -1]]), bias: tensor([0, 0]) };
  assert.deepEqual(layer.apply(params, {}, tensor([[0], [NaN]]), { training: false }).output.toArray(), [[0, 0], [
    NaN,
    NaN,
  ]]);
  // The subgradient at 0 is 0, as for the relu layer.
  const g = grad((x: Tensor) => sum(layer.apply(params, {}, x, { training: true }).output))(tensor([[0]]));
  assert.deepEqual(g.toArray(), [[0]]);
});

Deno.test("dense() throws RangeError for an unknown activation, naming the choices", () => {
  assert.throws(() => dense({ units: 2, activation: "tanh" as never }), {
    name: "RangeError",
    message: 'Cannot create layer "dense" as activation must be one of "none", "relu": current value is "tanh"',
  });
});

Deno.test('dense({ weightLayout: "out-in" }) stores PyTorch\'s [units, inputs] weight and computes the same function', () => {
  for (const activation of ["none", "relu"] as const) {
    const keras = dense({ units: 3, activation }), torch = dense({ units: 3, activation, weightLayout: "out-in" });
    const a = keras.init([4], new Random(7)), b = torch.init([4], new Random(7));
    const wa = (a.params as { weight: Tensor }).weight, wb = (b.params as { weight: Tensor }).weight;
    assert.deepEqual(wb.shape, [3, 4]);
    assert.deepEqual(
      wb.toArray(),
      (wa.toArray() as number[][])[0].map((_, j) => (wa.toArray() as number[][]).map((r) => r[j])),
    );
    const x = random([5, 4], 1);
    const ya = keras.apply(a.params, {}, x, { training: true }).output,
      yb = torch.apply(b.params, {}, x, { training: true }).output;
    assert.deepEqual(yb.toArray(), ya.toArray());
    // The gradients are each other's transposes (bias equal), and the input's the same.
    const f = (layer: typeof keras) => (p: { input: Tensor; params: DenseParams }) =>
      weighted(layer.apply(p.params, {}, p.input, { training: true }).output);
    const ga = grad(f(keras))({ input: x, params: a.params }), gb = grad(f(torch))({ input: x, params: b.params });
    assert.deepEqual(gb.input.toArray(), ga.input.toArray());
    const gwa = (ga.params as { weight: Tensor }).weight.toArray() as number[][];
    assert.deepEqual((gb.params as { weight: Tensor }).weight.toArray(), gwa[0].map((_, j) => gwa.map((r) => r[j])));
    gradcheck(f(torch), { input: x, params: b.params });
    gradgradcheck(f(torch), { input: x, params: b.params });
  }
  const noBias = dense({ units: 2, useBias: false, weightLayout: "out-in" });
  const p = noBias.init([3], new Random(0)).params;
  assert.deepEqual(noBias.apply(p, {}, random([1, 3], 2), { training: false }).output.shape, [1, 2]);
  assert.throws(
    () => dense({ units: 1, weightLayout: "torch" as never }),
    /weightLayout must be one of "in-out", "out-in"/,
  );
});

Deno.test("dense() with a weight too large to allocate refuses before allocating, giving the bytes requested", () => {
  // 2 × 10⁹ float64 weights are 16 GB: refused at once, with nothing allocated, in float32 (8 GB) too.
  for (const [dtype, bytes] of [["float64", 16000000000], ["float32", 8000000000]] as const) {
    assert.throws(() => dense({ units: 1e9, dtype }).init([2], new Random(0)), {
      name: "RangeError",
      message: `Cannot initialize layer "dense" as its weight [2,1000000000] (${dtype}) needs ${bytes} bytes (${
        (bytes / 2 ** 30).toFixed(1)
      } GiB), more than the 4294967296 bytes (4 GiB) one tensor may take: current value of units is 1000000000`,
    });
  }
  // At the limit or below, it initializes as usual.
  assert.deepEqual(dense({ units: 3 }).init([2], new Random(0)).params.weight.shape, [2, 3]);
});
