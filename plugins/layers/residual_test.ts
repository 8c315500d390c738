import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { sum } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import type { Tree } from "../../core/tree.ts";
import { createRegistry } from "../mod.ts";
import { dense } from "./dense.ts";
import { residual } from "./residual.ts";
import { tanh } from "./tanh.ts";

Deno.test("residual() computes x + f(x) with f the layers in order, their parameters in an array", () => {
  const block = residual([dense({ units: 2 }), tanh()]);
  const { params, state, outputShape } = block.init([2], new Random(0));
  assert.equal(params.length, 2);
  assert.deepEqual(outputShape, [2]);
  const p = params[0] as { weight: Tensor; bias: Tensor };
  const x = tensor([[1, -1]]);
  const f = p.weight.data, b = p.bias.data;
  const z = [1 * f[0] - 1 * f[2] + b[0], 1 * f[1] - 1 * f[3] + b[1]];
  const { output } = block.apply(params, state, x, { training: false });
  output.data.forEach((v, i) => assert.ok(Math.abs(v - (x.data[i] + Math.tanh(z[i]))) < 1e-15));
});

Deno.test("residual() passes the gradient along the skip: with f = 0 it is the identity's", () => {
  const block = residual([dense({ units: 2, initializer: "zeros" })]);
  const { params, state } = block.init([2], new Random(0));
  const g = grad((x: Tensor) => sum(block.apply(params, state, x, { training: true }).output))(tensor([[3, 4]]));
  assert.deepEqual(g.toArray(), [[1, 1]]);
});

Deno.test("residual() builds from an experiment's spec through the registry", () => {
  const registry = createRegistry();
  const block = registry.create("layer", "residual", {
    layers: [registry.create("layer", "dense", { units: 3 }), registry.create("layer", "relu")],
  });
  const { params, outputShape } = block.init([3], new Random(0));
  assert.deepEqual(outputShape, [3]);
  assert.equal((params as Tree[]).length, 2);
});

Deno.test("residual() throws when f changes the shape, or for an entry that is not a layer", () => {
  assert.throws(() => residual([dense({ units: 3 })]).init([2], new Random(0)), {
    name: "RangeError",
    message:
      'Cannot initialize layer "residual" as its layers must keep the input\'s shape [2] (x + f(x)): current output shape is [3]',
  });
  assert.throws(() => residual([{} as never]), /Cannot create layer "residual" as layers\[0\] must be a layer/);
});
