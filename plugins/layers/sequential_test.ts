import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import type { Layer } from "../../core/interfaces.ts";
import { add, mean, mul, square, sub } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { applyUpdates, flattenTree, type Tree, treeMap } from "../../core/tree.ts";
import { gradcheck } from "../../tests/kit/mod.ts";
import { createRegistry } from "../mod.ts";
import { batchNorm } from "./batch_norm.ts";
import { dense } from "./dense.ts";
import { dropout } from "./dropout.ts";
import { relu } from "./relu.ts";
import { sequential } from "./sequential.ts";
import { tanh } from "./tanh.ts";

Deno.test("sequential() applies its layers in order", () => {
  const first = dense({ units: 3 }), second = tanh(), third = dense({ units: 1 });
  const model = sequential([first, second, third]);
  const { params, state, outputShape } = model.init([2], new Random(4));
  assert.deepEqual(outputShape, [1]);
  const x = tensor([[0.5, -1], [2, 0]]);
  const ctx = { training: false };
  const by = (i: number, v: Tensor) => ([first, second, third] as Layer[])[i].apply(params[i], state[i], v, ctx).output;
  assert.deepEqual(model.apply(params, state, x, ctx).output.toArray(), by(2, by(1, by(0, x))).toArray());
});

Deno.test("sequential() names parameters by position, so checkpoints read 0.weight, 2.bias", () => {
  const { params } = sequential([dense({ units: 2 }), relu(), dense({ units: 1 })]).init([3], new Random(0));
  assert.deepEqual(flattenTree(params).map(([p]) => p), ["0.weight", "0.bias", "2.weight", "2.bias"]);
});

Deno.test("sequential() threads state through its layers and passes the context to each", () => {
  const model = sequential([dense({ units: 2 }), batchNorm(), dropout({ rate: 0.5 })]);
  const { params, state } = model.init([2], new Random(0));
  const x = tensor([[1, 2], [3, -1], [0, 0.5]]);
  const trained = model.apply(params, state, x, { training: true, rng: new Random(1) });
  const bn = trained.state[1] as { runningMean: Tensor };
  assert.ok(bn.runningMean.data.some((v) => v !== 0));
  const evaluated = model.apply(params, trained.state, x, { training: false });
  assert.deepEqual(
    flattenTree(evaluated.state).map(([, t]) => t.toArray()),
    flattenTree(trained.state).map(([, t]) => t.toArray()),
  );
  assert.throws(() => model.apply(params, state, x, { training: true }), /context.rng must be a Random/);
});

Deno.test("sequential() is created from the registry with { layers }", () => {
  const registry = createRegistry();
  const model = registry.create("layer", "sequential", {
    layers: [registry.create("layer", "dense", { units: 2 }), registry.create("layer", "sigmoid")],
  });
  const { params, state, outputShape } = model.init([3], new Random(0));
  assert.deepEqual(outputShape, [2]);
  const { output } = model.apply(params, state, tensor([[1, 2, 3]]), { training: false });
  assert.ok(output.data.every((v) => v > 0 && v < 1));
});

Deno.test("sequential() with no layers is the identity", () => {
  const model = sequential([]);
  const { params, state, outputShape } = model.init([2], new Random(0));
  assert.deepEqual(outputShape, [2]);
  const x = tensor([[1, 2]]);
  assert.equal(model.apply(params, state, x, { training: false }).output, x);
});

Deno.test("sequential() trains by grad: a two-layer network fits XOR", () => {
  const model = sequential([dense({ units: 8 }), tanh(), dense({ units: 1 })]);
  let { params } = model.init([2], new Random(2));
  const { state } = model.init([2], new Random(2));
  const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]), y = tensor([[0], [1], [1], [0]]);
  const loss = (p: Tree[]) => mean(square(sub(model.apply(p, state, x, { training: true }).output, y)));
  for (let step = 0; step < 500; step++) {
    params = applyUpdates(params, treeMap((g) => mul(g, -0.3), grad(loss)(params)));
  }
  assert.ok(loss(params).item() < 0.01, `loss ${loss(params).item()}`);
});

Deno.test("a model written as a plain function of ops with a skip connection trains with grad", () => {
  // y = x + W₂·relu(W₁·x + b₁) + b₂: a DAG, the input reaches the output by two paths.
  const hidden = dense({ units: 6 }), out = dense({ units: 2, initializer: "zeros" }), act = relu();
  const rng = new Random(7);
  let params = { hidden: hidden.init([2], rng).params, out: out.init([6], rng).params };
  const ctx = { training: true };
  const model = (p: typeof params, x: Tensor) =>
    add(x, out.apply(p.out, {}, act.apply({}, {}, hidden.apply(p.hidden, {}, x, ctx).output, ctx).output, ctx).output);
  const x = tensor([[0, 1], [1, 0], [1, 1], [-1, 0.5], [0.5, -0.5]]);
  const target = add(x, mul(square(x), 0.5));
  const loss = (p: typeof params) => mean(square(sub(model(p, x), target)));
  // With a zero output layer the model starts as the identity (the skip path alone).
  assert.deepEqual(model(params, x).toArray(), x.toArray());
  // Through the second path the output layer gets a gradient, and it matches central differences.
  assert.ok(flattenTree(grad(loss)(params).out).some(([, t]) => t.data.some((v) => v !== 0)));
  gradcheck(loss, params);
  const before = loss(params).item();
  for (let step = 0; step < 300; step++) {
    params = applyUpdates(
      params,
      treeMap((d) => mul(d, -0.1), grad(loss)(params)),
    );
  }
  assert.ok(loss(params).item() < before / 5, `loss ${before} → ${loss(params).item()}`);
});

Deno.test("sequential() throws TypeError naming the position of an entry that is not a layer", () => {
  assert.throws(() => sequential([dense({ units: 1 }), {} as Layer]), {
    name: "TypeError",
    message:
      'Cannot create layer "sequential" as layers[1] must be a layer with init() and apply(): current value is object',
  });
  assert.throws(() => sequential({ layers: "dense" } as never), /layers must be an array of layers/);
  assert.throws(() => sequential({ layers: [], extra: 1 } as never), /unknown option "extra"/);
});

Deno.test("sequential() throws TypeError when params do not have one entry per layer", () => {
  const model = sequential([dense({ units: 1 }), tanh()]);
  const { state } = model.init([2], new Random(0));
  assert.throws(() => model.apply([], state, tensor([[1, 2]]), { training: false }), {
    name: "TypeError",
    message:
      'Cannot apply layer "sequential" as params must be an array with one entry per layer (2): current value is an array of 0',
  });
});
