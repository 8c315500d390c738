import assert from "node:assert/strict";
import { Random } from "../../core/random.ts";
import { tensor } from "../../core/tensor.ts";
import { splitDataset } from "./split.ts";
import { checkDataset } from "./_rows.ts";

Deno.test("splitDataset() holds out round(fraction·n) samples, each sample in exactly one part", () => {
  const data = {
    x: tensor(Array.from({ length: 10 }, (_, i) => [i])),
    y: tensor(Array.from({ length: 10 }, (_, i) => [i])),
  };
  const { train, validation } = splitDataset(data, 0.3, new Random(1));
  assert.equal(validation.x.shape[0], 3);
  const all = [...train.x.data, ...validation.x.data].sort((a, b) => a - b);
  assert.deepEqual(all, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual([...train.x.data], [...train.y.data]);
  assert.deepEqual(splitDataset(data, 0.3, new Random(1)).validation.x.data, validation.x.data);
});

Deno.test("splitDataset() rejects fractions outside (0, 1)", () => {
  const data = { x: tensor([[1], [2]]), y: tensor([[1], [2]]) };
  assert.throws(() => splitDataset(data, 1, new Random(0)), /fraction must be in \(0, 1\): current value is 1/);
  assert.throws(() => splitDataset({ x: tensor([[1]]), y: tensor([[1]]) }, 0.5, new Random(0)), /at least 2 samples/);
});

Deno.test("checkDataset() names the row and element of a non-finite value", () => {
  assert.throws(() => checkDataset("train", "data", { x: tensor([[1, 2], [3, NaN]]), y: tensor([[0], [1]]) }), {
    name: "RangeError",
    message: "Cannot train as data.x must hold finite numbers: row 1, element 1 is NaN",
  });
});
