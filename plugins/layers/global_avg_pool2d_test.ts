import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { mul, sum } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { type Tensor, tensor, zeros } from "../../core/tensor.ts";
import { globalAvgPool2d } from "./global_avg_pool2d.ts";

const x = tensor([1, 2, 3, 4, 10, 20, 30, 40, 5, 5, 5, 5, 0, 0, 0, 8], [2, 2, 2, 2]);

Deno.test("globalAvgPool2d() gives each channel's mean, [batch, channels]", () => {
  const layer = globalAvgPool2d();
  assert.deepEqual(layer.init([2, 2, 2], new Random(0)).outputShape, [2]);
  assert.deepEqual(layer.apply({}, {}, x, { training: false }).output.toArray(), [[2.5, 25], [5, 2]]);
});

Deno.test("globalAvgPool2d() with keepDims gives [batch, channels, 1, 1], as AdaptiveAvgPool2d(1)", () => {
  const layer = globalAvgPool2d({ keepDims: true });
  assert.deepEqual(layer.init([2, 2, 2], new Random(0)).outputShape, [2, 1, 1]);
  assert.deepEqual(layer.apply({}, {}, x, { training: false }).output.shape, [2, 2, 1, 1]);
});

Deno.test("globalAvgPool2d() spreads the gradient evenly over each channel", () => {
  const g = grad((v: Tensor) =>
    sum(mul(globalAvgPool2d().apply({}, {}, v, { training: true }).output, tensor([[4, 8], [0, 0]])))
  )(x);
  assert.deepEqual(Array.from(g.data.subarray(0, 8)), [1, 1, 1, 1, 2, 2, 2, 2]);
});

Deno.test("globalAvgPool2d() needs a rank-4 input", () => {
  assert.throws(() => globalAvgPool2d().init([4], new Random(0)), {
    name: "RangeError",
    message:
      'Cannot initialize layer "global-avg-pool2d" as the input must be [batch, channels, height, width] with at least one position: current shape is [1,4]',
  });
  assert.throws(() => globalAvgPool2d().apply({}, {}, zeros([2, 3]), { training: false }), /current shape is \[2,3\]/);
});
