import assert from "node:assert/strict";
import { Random } from "../../core/random.ts";
import { xavierUniform } from "./xavier_uniform.ts";

Deno.test("xavierUniform() draws within gain·√(6/(fanIn + fanOut)) with fans from [fanIn, fanOut]", () => {
  const w = xavierUniform({ gain: 2 })([30, 10], new Random(0));
  const bound = 2 * Math.sqrt(6 / 40);
  assert.ok(w.data.every((v) => Math.abs(v) <= bound));
  assert.ok(w.data.some((v) => Math.abs(v) > 0.9 * bound));
});

Deno.test("xavierUniform() counts a receptive field in both fans and a 1-D length as both", () => {
  const w = xavierUniform()([2, 3, 4], new Random(0));
  const bound = Math.sqrt(6 / (8 + 12));
  assert.ok(w.data.every((v) => Math.abs(v) <= bound));
  const b = xavierUniform()([5], new Random(0));
  assert.ok(b.data.every((v) => Math.abs(v) <= Math.sqrt(6 / 10)));
});

Deno.test("xavierUniform() is reproducible for a seed and keeps the dtype", () => {
  const a = xavierUniform()([4, 4], new Random(2), "float32"), b = xavierUniform()([4, 4], new Random(2), "float32");
  assert.equal(a.dtype, "float32");
  assert.deepEqual(a.toArray(), b.toArray());
});

Deno.test("xavierUniform() throws RangeError for a non-positive gain", () => {
  assert.throws(() => xavierUniform({ gain: 0 }), {
    name: "RangeError",
    message: 'Cannot create initializer "xavier-uniform" as gain must be a number in (0, ∞): current value is 0',
  });
  assert.throws(() => xavierUniform({ scale: 1 } as never), /unknown option "scale"/);
});
