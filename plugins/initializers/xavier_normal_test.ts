import assert from "node:assert/strict";
import { Random } from "../../core/random.ts";
import { xavierNormal } from "./xavier_normal.ts";

const variance = (d: ArrayLike<number>) => Array.from(d).reduce((s, v) => s + v * v, 0) / d.length;

Deno.test("xavierNormal() has variance gain²·2/(fanIn + fanOut)", () => {
  const w = xavierNormal({ gain: 3 })([250, 150], new Random(0));
  const expected = 9 * 2 / 400;
  assert.ok(Math.abs(variance(w.data) / expected - 1) < 0.03, `variance ${variance(w.data)} vs ${expected}`);
});

Deno.test("xavierNormal() is reproducible for a seed and keeps the dtype", () => {
  const a = xavierNormal()([3, 5], new Random(6), "float32"), b = xavierNormal()([3, 5], new Random(6), "float32");
  assert.equal(a.dtype, "float32");
  assert.deepEqual(a.toArray(), b.toArray());
  assert.notDeepEqual(a.toArray(), xavierNormal()([3, 5], new Random(7), "float32").toArray());
});

Deno.test("xavierNormal() throws RangeError for a non-positive gain", () => {
  assert.throws(() => xavierNormal({ gain: -1 }), {
    name: "RangeError",
    message: 'Cannot create initializer "xavier-normal" as gain must be a number in (0, ∞): current value is -1',
  });
});
