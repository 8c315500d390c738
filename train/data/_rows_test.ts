import assert from "node:assert/strict";
import { tensor } from "../../core/tensor.ts";
import { takeRows } from "./_rows.ts";

Deno.test("takeRows() gathers narrow and wide rows in the order given, in the tensor's dtype", () => {
  for (const width of [1, 10, 64, 784]) {
    for (const dtype of ["float32", "float64"] as const) {
      const x = tensor(Array.from({ length: 5 * width }, (_, i) => i), [5, width], dtype);
      const taken = takeRows(x, new Int32Array([4, 0, 4]));
      assert.equal(taken.dtype, dtype);
      assert.deepEqual(taken.shape, [3, width]);
      const row = (r: number) => Array.from({ length: width }, (_, j) => r * width + j);
      assert.deepEqual([...taken.data], [...row(4), ...row(0), ...row(4)]);
    }
  }
});

Deno.test("takeRows() keeps the trailing shape and refuses an index outside the rows", () => {
  assert.deepEqual(takeRows(tensor([[[1, 2]], [[3, 4]]]), [1]).toArray(), [[[3, 4]]]);
  assert.throws(
    () => takeRows(tensor([[1], [2]]), [0, 2]),
    /every index must be an integer in \[0, 2\): current value is 2/,
  );
  assert.throws(() => takeRows(tensor([[1], [2]]), [0.5]), /current value is 0.5/);
});
