import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { sum } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { relu } from "./relu.ts";

Deno.test("relu() keeps positive values and zeroes the rest", () => {
  const layer = relu();
  const { params, state, outputShape } = layer.init([4], new Random(0));
  assert.deepEqual(outputShape, [4]);
  const { output } = layer.apply(params, state, tensor([[-2, -1e-8, 1e-8, 3]]), { training: false });
  assert.deepEqual(output.toArray(), [[0, 0, 1e-8, 3]]);
});

Deno.test("relu() has gradient 1 for x > 0, 0 for x < 0, and the subgradient 0 at the kink x = 0", () => {
  const x = tensor([[-2, 0, 3]]);
  const g = grad((v: Tensor) => sum(relu().apply({}, {}, v, { training: true }).output))(x);
  assert.deepEqual(g.toArray(), [[0, 0, 1]]);
});

Deno.test("relu() throws TypeError for any option", () => {
  assert.throws(() => relu({ negativeSlope: 0.1 } as never), {
    name: "TypeError",
    message: 'Cannot create layer "relu" as it has an unknown option "negativeSlope": known options are none',
  });
});
