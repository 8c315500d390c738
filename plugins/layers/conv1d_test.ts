import assert from "node:assert/strict";
import { conv2d as conv2dOp, reshape } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { type Tensor, tensor, zeros } from "../../core/tensor.ts";
import { conv1d, type Conv1dParams } from "./conv1d.ts";

Deno.test("conv1d() keeps PyTorch's layout: weight [filters, channels, k], bias [filters]", () => {
  const { params, outputShape } = conv1d({ filters: 4, kernelSize: 3, stride: 2 }).init([2, 11], new Random(0));
  const p = params as { weight: Tensor; bias: Tensor };
  assert.deepEqual(p.weight.shape, [4, 2, 3]);
  assert.deepEqual(p.bias.shape, [4]);
  assert.deepEqual(outputShape, [4, 5]);
  const bound = 1 / Math.sqrt(2 * 3);
  assert.ok([...p.weight.data, ...p.bias.data].every((v) => Math.abs(v) <= bound));
});

Deno.test("conv1d() is conv2d over a height of 1", () => {
  const layer = conv1d({ filters: 2, kernelSize: 3, padding: 2, dilation: 2 });
  const { params } = layer.init([3, 6], new Random(1));
  const p = params as { weight: Tensor; bias: Tensor };
  const x = tensor(Array.from({ length: 36 }, (_, i) => Math.cos(i)), [2, 3, 6]);
  const { output } = layer.apply(params as Conv1dParams, {}, x, { training: false });
  const expected = conv2dOp(reshape(x, [2, 3, 1, 6]), reshape(p.weight, [2, 3, 1, 3]), p.bias, {
    padding: [0, 2],
    dilation: [1, 2],
  });
  assert.deepEqual(output.toArray(), reshape(expected, [2, 2, 6]).toArray());
  assert.deepEqual(conv1d({ filters: 1, kernelSize: 4, padding: "same" }).init([1, 9], new Random(0)).outputShape, [
    1,
    9,
  ]);
});

Deno.test("conv1d() takes sizes as numbers only and checks the input's rank", () => {
  assert.throws(() => conv1d({ filters: 1, kernelSize: [1, 3] as never }), {
    name: "RangeError",
    message: 'Cannot create layer "conv1d" as kernelSize must be an integer ≥ 1: current value is [1,3]',
  });
  const layer = conv1d({ filters: 1, kernelSize: 2 });
  assert.throws(() => layer.init([2, 4, 4], new Random(0)), /must be \[batch, channels, length\]/);
  const { params } = layer.init([1, 4], new Random(0));
  assert.throws(
    () => layer.apply(params as Conv1dParams, {}, zeros([2, 1, 1]), { training: false }),
    /as the output would be empty/,
  );
});
