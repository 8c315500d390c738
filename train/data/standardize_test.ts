import assert from "node:assert/strict";
import { tensor } from "../../core/tensor.ts";
import { standardize } from "./standardize.ts";

Deno.test("standardize() gives each feature zero mean and unit variance", () => {
  const { x, mean, std } = standardize(tensor([[1, 10], [2, 20], [3, 30], [4, 40]]));
  assert.deepEqual([...mean.data], [2.5, 25]);
  for (let j = 0; j < 2; j++) {
    const col = [0, 1, 2, 3].map((i) => x.data[2 * i + j]);
    assert.ok(Math.abs(col.reduce((a, b) => a + b)) < 1e-12);
    assert.ok(Math.abs(col.reduce((a, b) => a + b * b, 0) / 4 - 1) < 1e-12);
  }
  assert.ok(std.data[0] > 0);
});

Deno.test("standardize() maps a constant feature to 0 and applies fitted statistics to new data", () => {
  const fit = standardize(tensor([[5, 1], [5, 3]]));
  assert.deepEqual(fit.x.toArray(), [[0, -1], [0, 1]]);
  assert.deepEqual(standardize(tensor([[6, 2]]), fit).x.toArray(), [[1, 0]]);
  assert.throws(() => standardize(tensor([[1, 2, 3]]), fit), /one value per feature \(3\)/);
});
