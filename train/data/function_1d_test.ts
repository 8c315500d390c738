import assert from "node:assert/strict";
import { sin } from "../../core/libm.ts";
import { function1d } from "./function_1d.ts";

Deno.test("function1d() samples sin(2πx) on [0, 1] by default", () => {
  const { x, y } = function1d({ samples: 50, seed: 1 });
  assert.deepEqual(x.shape, [50, 1]);
  x.data.forEach((v, i) => {
    assert.ok(v >= 0 && v < 1);
    assert.equal(y.data[i], sin(2 * Math.PI * v)); // gradflow's sin: the same on every engine
    assert.ok(Math.abs(y.data[i] - Math.sin(2 * Math.PI * v)) <= 1e-15);
  });
});

Deno.test("function1d() spaces a grid evenly and adds seeded noise to the targets", () => {
  const grid = function1d({ fn: (t) => t * t, range: [-2, 2], samples: 5, spacing: "grid" });
  assert.deepEqual([...grid.x.data], [-2, -1, 0, 1, 2]);
  assert.deepEqual([...grid.y.data], [4, 1, 0, 1, 4]);
  const noisy = function1d({ fn: () => 0, samples: 100, noise: 0.1, seed: 3 });
  assert.ok(noisy.y.data.some((v) => v !== 0));
  assert.deepEqual(noisy.y.data, function1d({ fn: () => 0, samples: 100, noise: 0.1, seed: 3 }).y.data);
});

Deno.test("function1d() rejects an empty range and non-finite values", () => {
  assert.throws(() => function1d({ range: [1, 1] }), /range must be \[low, high\] with low < high/);
  assert.throws(() => function1d({ fn: (t) => 1 / t, range: [0, 1], spacing: "grid" }), /fn\(0\) is Infinity/);
});
