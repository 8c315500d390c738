import assert from "node:assert/strict";
import { Random } from "../../core/random.ts";
import { tensor, zeros } from "../../core/tensor.ts";
import { flatten } from "./flatten.ts";

Deno.test("flatten() merges every axis after the batch axis, in row-major (PyTorch's) order", () => {
  const layer = flatten();
  assert.deepEqual(layer.init([2, 2, 2], new Random(0)).outputShape, [8]);
  const x = tensor(Array.from({ length: 16 }, (_, i) => i), [2, 2, 2, 2]);
  const { output } = layer.apply({}, {}, x, { training: false });
  assert.deepEqual(output.shape, [2, 8]);
  assert.deepEqual(Array.from(output.data), Array.from(x.data));
});

Deno.test("flatten() merges only startAxis…endAxis when given", () => {
  assert.deepEqual(flatten({ startAxis: 2 }).init([3, 4, 5], new Random(0)).outputShape, [3, 20]);
  assert.deepEqual(flatten({ startAxis: 1, endAxis: 2 }).init([3, 4, 5], new Random(0)).outputShape, [12, 5]);
  assert.deepEqual(flatten({ endAxis: -2 }).apply({}, {}, zeros([2, 3, 4, 5]), { training: false }).output.shape, [
    2,
    12,
    5,
  ]);
});

Deno.test("flatten() throws for axes out of range or merging the batch axis", () => {
  assert.throws(() => flatten({ startAxis: 3 }).init([2, 2], new Random(0)), {
    name: "RangeError",
    message:
      'Cannot initialize layer "flatten" as startAxis 3 and endAxis -1 must name axes of the input in order (the batch axis being 0): current shape is [1,2,2]',
  });
  assert.throws(() => flatten({ startAxis: 0 }).init([2, 2], new Random(0)), /must keep the batch axis/);
  assert.throws(() => flatten({ startAxis: 1.5 }), /startAxis must be a finite integer/);
});
