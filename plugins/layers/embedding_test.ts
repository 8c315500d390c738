import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { mul, sum } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { tensor } from "../../core/tensor.ts";
import { embedding, type EmbeddingParams } from "./embedding.ts";

Deno.test("embedding() draws a [count, dim] table from N(0, 1), as PyTorch's Embedding", () => {
  const { params, state, outputShape } = embedding({ count: 1000, dim: 8 }).init([5], new Random(0));
  assert.deepEqual(params.weight.shape, [1000, 8]);
  assert.deepEqual([state, outputShape], [{}, [5, 8]]);
  const values = Array.from(params.weight.data);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
  assert.ok(Math.abs(mean) < 0.05 && Math.abs(variance - 1) < 0.05);
});

Deno.test("embedding() looks up each index's row, for inputs of any rank", () => {
  const layer = embedding({ count: 3, dim: 2 });
  const params: EmbeddingParams = { weight: tensor([[0, 1], [10, 11], [20, 21]]) };
  const { output } = layer.apply(params, {}, tensor([[2, 0], [1, 1]]), { training: false });
  assert.deepEqual(output.toArray(), [[[20, 21], [0, 1]], [[10, 11], [10, 11]]]);
  assert.deepEqual(layer.apply(params, {}, tensor([1, 2]), { training: false }).output.toArray(), [[10, 11], [20, 21]]);
});

Deno.test("embedding() adds each output row's gradient into its table row; unused rows get 0", () => {
  const layer = embedding({ count: 4, dim: 2 });
  const params: EmbeddingParams = { weight: tensor([[0, 0], [0, 0], [0, 0], [0, 0]]) };
  const input = tensor([[1, 3, 1]]);
  const g = grad((p: EmbeddingParams) =>
    sum(mul(layer.apply(p, {}, input, { training: true }).output, tensor([[[1, 2], [3, 4], [5, 6]]])))
  )(params);
  assert.deepEqual(g.weight.toArray(), [[0, 0], [6, 8], [0, 0], [3, 4]]);
});

Deno.test("embedding() rejects an index that is not an integer in [0, count), naming it and its position", () => {
  const layer = embedding({ count: 3, dim: 2 });
  const { params } = layer.init([2], new Random(0));
  assert.throws(() => layer.apply(params, {}, tensor([[0, 3]]), { training: false }), {
    name: "RangeError",
    message:
      'Cannot apply layer "embedding" as every index must be an integer in [0, 3): current value is 3 (element 1 of the input [1,2])',
  });
  assert.throws(
    () => layer.apply(params, {}, tensor([[0.5, 1]]), { training: false }),
    /current value is 0.5 \(element 0/,
  );
  assert.throws(() => layer.apply(params, {}, tensor([[-1, 1]]), { training: false }), /current value is -1/);
  assert.throws(() => layer.apply(params, {}, tensor([[NaN, 1]]), { training: false }), /current value is NaN/);
});

Deno.test("embedding() needs count and dim", () => {
  assert.throws(() => embedding({ dim: 2 } as never), {
    name: "TypeError",
    message: 'Cannot create layer "embedding" as count must be given (a positive integer): current value is undefined',
  });
  assert.throws(() => embedding({ count: 2, dim: 0 }), /dim must be an integer in \[1, ∞\)/);
});
