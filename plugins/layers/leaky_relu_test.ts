import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { sum } from "../../core/ops/mod.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { leakyRelu } from "./leaky_relu.ts";

Deno.test("leakyRelu() scales negative inputs by 0.01 by default", () => {
  assert.deepEqual(leakyRelu().apply({}, {}, tensor([[-100, 0, 3]]), { training: false }).output.toArray(), [[
    -1,
    0,
    3,
  ]]);
});

Deno.test("leakyRelu() has gradient 1 above 0 and the slope at and below 0, as PyTorch", () => {
  const layer = leakyRelu({ negativeSlope: 0.25 });
  const g = grad((x: Tensor) => sum(layer.apply({}, {}, x, { training: true }).output))(tensor([[-2, 0, 2]]));
  assert.deepEqual(g.toArray(), [[0.25, 0.25, 1]]);
});

Deno.test("leakyRelu() throws for a bad option", () => {
  assert.throws(() => leakyRelu({ negativeSlope: Infinity }), /negativeSlope must be a finite number/);
  assert.throws(() => leakyRelu({ slope: 0.1 } as never), /unknown option "slope"/);
});
