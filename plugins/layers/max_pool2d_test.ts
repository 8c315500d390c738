import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { sum } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { maxPool2d } from "./max_pool2d.ts";

const x = tensor([1, 5, 2, 0, 3, 4, 8, 6, 7, 1, 0, 2, 9, 3, 4, 4], [1, 1, 4, 4]);

Deno.test("maxPool2d() pools 2×2 windows with stride 2 by default", () => {
  const layer = maxPool2d();
  const { params, state, outputShape } = layer.init([1, 4, 4], new Random(0));
  assert.deepEqual([params, state, outputShape], [{}, {}, [1, 2, 2]]);
  assert.deepEqual(layer.apply(params, state, x, { training: true }).output.toArray(), [[[[5, 8], [9, 4]]]]);
  // An odd size drops the last row and column, as PyTorch without ceil_mode.
  assert.deepEqual(layer.init([3, 7, 5], new Random(0)).outputShape, [3, 3, 2]);
});

Deno.test("maxPool2d() takes poolSize, stride, padding and dilation", () => {
  const layer = maxPool2d({ poolSize: [2, 3], stride: 1, padding: [1, 1], dilation: 1 });
  assert.deepEqual(layer.init([1, 4, 4], new Random(0)).outputShape, [1, 5, 4]);
  const dilated = maxPool2d({ poolSize: 2, stride: 1, dilation: 2 });
  assert.deepEqual(dilated.apply({}, {}, x, { training: false }).output.toArray(), [[[[7, 5], [9, 6]]]]);
});

Deno.test("maxPool2d() routes the gradient to each window's maximum", () => {
  const g = grad((v: Tensor) => sum(maxPool2d().apply({}, {}, v, { training: true }).output))(x);
  assert.deepEqual(g.toArray(), [[[[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0], [1, 0, 1, 0]]]]);
});

Deno.test("maxPool2d() throws for bad options and inputs, naming them", () => {
  assert.throws(() => maxPool2d({ poolSize: 2, padding: 2 }), {
    name: "RangeError",
    message:
      'Cannot create layer "max-pool2d" as padding must be at most half the window (2×2), as in PyTorch: current value is 2',
  });
  assert.throws(() => maxPool2d({ poolSize: 0 }), /poolSize must be an integer ≥ 1/);
  assert.throws(() => maxPool2d({ countIncludePad: true } as never), /unknown option "countIncludePad"/);
  assert.throws(() => maxPool2d().init([4, 4], new Random(0)), {
    name: "RangeError",
    message:
      'Cannot initialize layer "max-pool2d" as the input must be [batch, channels, height, width]: current shape is [1,4,4]',
  });
  assert.throws(() => maxPool2d({ poolSize: 3 }).init([1, 2, 2], new Random(0)), /as the output would be empty/);
});
