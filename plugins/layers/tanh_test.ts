import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { sum } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { tanh } from "./tanh.ts";

Deno.test("tanh() applies the hyperbolic tangent elementwise and keeps the shape", () => {
  const layer = tanh();
  const { params, state, outputShape } = layer.init([2, 2], new Random(0));
  assert.deepEqual(params, {});
  assert.deepEqual(outputShape, [2, 2]);
  const { output } = layer.apply(params, state, tensor([[[0, 0.5], [-1, 2]]]), { training: false });
  assert.deepEqual(output.toArray(), [[[0, Math.tanh(0.5)], [Math.tanh(-1), Math.tanh(2)]]]);
});

Deno.test("tanh() has derivative 1 − tanh² and saturates at ±1 without NaN", () => {
  const layer = tanh();
  const x = tensor([[0.3, -2, 1000, -1000]]);
  const g = grad((v: Tensor) => sum(layer.apply({}, {}, v, { training: true }).output))(x);
  const expected = [0.3, -2, 1000, -1000].map((v) => 1 - Math.tanh(v) ** 2);
  g.data.forEach((d, i) => assert.ok(Math.abs(d - expected[i]) < 1e-15));
  assert.deepEqual(layer.apply({}, {}, x, { training: false }).output.toArray(), [[
    Math.tanh(0.3),
    Math.tanh(-2),
    1,
    -1,
  ]]);
});

Deno.test("tanh() throws TypeError for any option", () => {
  assert.throws(() => tanh({ alpha: 1 } as never), {
    name: "TypeError",
    message: 'Cannot create layer "tanh" as it has an unknown option "alpha": known options are none',
  });
});
