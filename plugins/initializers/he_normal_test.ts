import assert from "node:assert/strict";
import { Random } from "../../core/random.ts";
import { heNormal } from "./he_normal.ts";

const variance = (d: ArrayLike<number>) => Array.from(d).reduce((s, v) => s + v * v, 0) / d.length;

Deno.test("heNormal() has variance 2/fanIn by default (kaiming_normal_ for ReLU)", () => {
  const w = heNormal()([100, 400], new Random(0));
  assert.ok(Math.abs(variance(w.data) / (2 / 100) - 1) < 0.03, `variance ${variance(w.data)}`);
});

Deno.test("heNormal() with mode fan-out and gain 1 has variance 1/fanOut", () => {
  const w = heNormal({ mode: "fan-out", gain: 1 })([400, 100], new Random(0));
  assert.ok(Math.abs(variance(w.data) / (1 / 100) - 1) < 0.03, `variance ${variance(w.data)}`);
});

Deno.test("heNormal() is reproducible for a seed and keeps the dtype", () => {
  const a = heNormal()([3, 3], new Random(4), "float32"), b = heNormal()([3, 3], new Random(4), "float32");
  assert.equal(a.dtype, "float32");
  assert.deepEqual(a.toArray(), b.toArray());
});

Deno.test("heNormal() throws for a bad mode or gain", () => {
  assert.throws(() => heNormal({ gain: Infinity }), {
    name: "TypeError",
    message: 'Cannot create initializer "he-normal" as gain must be a number in (0, ∞): current value is Infinity',
  });
  assert.throws(() => heNormal({ mode: "in" as never }), RangeError);
});
