import assert from "node:assert/strict";
import { conv2d as conv2dOp } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { type Tensor, tensor, zeros } from "../../core/tensor.ts";
import { conv2d, type Conv2dParams } from "./conv2d.ts";

Deno.test("conv2d() keeps PyTorch's layout: weight [filters, channels, kh, kw], bias [filters]", () => {
  const { params, outputShape, state } = conv2d({ filters: 4, kernelSize: [3, 2] }).init([3, 8, 9], new Random(0));
  const p = params as { weight: Tensor; bias: Tensor };
  assert.deepEqual(Object.keys(p), ["weight", "bias"]);
  assert.deepEqual(p.weight.shape, [4, 3, 3, 2]);
  assert.deepEqual(p.bias.shape, [4]);
  assert.deepEqual(outputShape, [4, 6, 8]);
  assert.deepEqual(state, {});
});

Deno.test("conv2d() initializes weight and bias from U(±1/√fanIn) by default, as PyTorch's Conv2d", () => {
  const { params } = conv2d({ filters: 64, kernelSize: 3 }).init([32, 14, 14], new Random(1));
  const p = params as { weight: Tensor; bias: Tensor };
  const bound = 1 / Math.sqrt(32 * 9);
  for (const t of [p.weight, p.bias]) {
    assert.ok(t.data.every((v) => Math.abs(v) <= bound));
    // Spread over the interval, not stuck near 0 (a uniform's largest of n draws is near the bound).
    assert.ok(Math.max(...t.data.map(Math.abs)) > 0.9 * bound);
  }
  const variance = Array.from(p.weight.data).reduce((s, v) => s + v * v, 0) / p.weight.size;
  assert.ok(Math.abs(variance - bound ** 2 / 3) < 0.1 * bound ** 2 / 3);
});

Deno.test("conv2d() calls a custom initializer with the fan-in-first shape and lays the values out as [O, C, kh, kw]", () => {
  const seen: number[][] = [];
  const layer = conv2d({
    filters: 2,
    kernelSize: 1,
    useBias: false,
    initializer: (shape) => {
      seen.push([...shape]);
      return tensor([1, 2, 3, 4, 5, 6], shape); // [C = 3, O = 2, 1, 1]: entry (c, o) = 2c + o + 1
    },
  });
  const { params } = layer.init([3, 2, 2], new Random(0));
  assert.deepEqual(seen, [[3, 2, 1, 1]]);
  assert.deepEqual((params as { weight: Tensor }).weight.toArray(), [[[[1]], [[3]], [[5]]], [[[2]], [[4]], [[6]]]]);
  assert.deepEqual(Object.keys(params), ["weight"]);
});

Deno.test("conv2d() applies the convolution op with its options", () => {
  const layer = conv2d({ filters: 2, kernelSize: 3, stride: 2, padding: 1, dilation: 1 });
  const { params } = layer.init([1, 5, 5], new Random(2));
  const p = params as { weight: Tensor; bias: Tensor };
  const x = tensor(Array.from({ length: 50 }, (_, i) => Math.sin(i)), [2, 1, 5, 5]);
  const { output } = layer.apply(params as Conv2dParams, {}, x, { training: true });
  assert.deepEqual(output.toArray(), conv2dOp(x, p.weight, p.bias, { stride: 2, padding: 1 }).toArray());
  const same = conv2d({ filters: 1, kernelSize: 4, padding: "same" });
  assert.deepEqual(same.init([2, 7, 6], new Random(0)).outputShape, [1, 7, 6]);
});

Deno.test("conv2d() in float32 keeps float32 parameters and outputs", () => {
  const layer = conv2d({ filters: 2, kernelSize: 3, padding: 1, dtype: "float32" });
  const { params } = layer.init([1, 4, 4], new Random(0));
  assert.equal((params as { weight: Tensor }).weight.dtype, "float32");
  const { output } = layer.apply(params as Conv2dParams, {}, zeros([1, 1, 4, 4], "float32"), { training: false });
  assert.equal(output.dtype, "float32");
});

Deno.test("conv2d() throws for bad options and inputs, naming them", () => {
  assert.throws(() => conv2d({ kernelSize: 3 } as never), {
    name: "TypeError",
    message: 'Cannot create layer "conv2d" as filters must be given: current value is undefined',
  });
  assert.throws(() => conv2d({ filters: 2 } as never), /kernelSize must be given/);
  assert.throws(() => conv2d({ filters: 0, kernelSize: 3 }), /filters must be an integer in \[1, ∞\)/);
  assert.throws(() => conv2d({ filters: 1, kernelSize: [3, 0] }), {
    name: "RangeError",
    message:
      'Cannot create layer "conv2d" as kernelSize must be an integer ≥ 1 or a pair [height, width] of them: current value is [3,0]',
  });
  assert.throws(
    () => conv2d({ filters: 1, kernelSize: 3, padding: "full" as never }),
    /padding must be an integer ≥ 0/,
  );
  assert.throws(() => conv2d({ filters: 1, kernelSize: 3, stride: 2, padding: "same" }), {
    name: "RangeError",
    message: 'Cannot create layer "conv2d" as padding "same" needs stride 1 (as in PyTorch): current stride is 2',
  });
  assert.throws(() => conv2d({ filters: 1, kernelSize: 3, groups: 2 } as never), /unknown option "groups"/);
  const layer = conv2d({ filters: 1, kernelSize: 3 });
  assert.throws(() => layer.init([28, 28], new Random(0)), {
    name: "RangeError",
    message:
      'Cannot initialize layer "conv2d" as the input must be [batch, channels, height, width]: current shape is [1,28,28]',
  });
  assert.throws(() => layer.init([1, 2, 2], new Random(0)), /as the output would be empty/);
  const { params } = layer.init([2, 5, 5], new Random(0));
  assert.throws(
    () => layer.apply(params as Conv2dParams, {}, zeros([1, 3, 5, 5]), { training: false }),
    /must be \[batch, channels, height, width\] with 2 channels: current shape is \[1,3,5,5\]/,
  );
});
