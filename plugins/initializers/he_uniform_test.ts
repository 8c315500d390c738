import assert from "node:assert/strict";
import { Random } from "../../core/random.ts";
import { heUniform } from "./he_uniform.ts";

Deno.test("heUniform() draws within √2·√(3/fanIn) by default (kaiming_uniform_ for ReLU)", () => {
  const w = heUniform()([40, 10], new Random(0));
  const bound = Math.SQRT2 * Math.sqrt(3 / 40);
  assert.ok(w.data.every((v) => Math.abs(v) <= bound));
  assert.ok(w.data.some((v) => Math.abs(v) > 0.9 * bound));
});

Deno.test("heUniform() uses fanOut with mode fan-out and scales by gain", () => {
  const w = heUniform({ mode: "fan-out", gain: 1 })([40, 10], new Random(0));
  const bound = Math.sqrt(3 / 10);
  assert.ok(w.data.every((v) => Math.abs(v) <= bound));
  assert.ok(w.data.some((v) => Math.abs(v) > Math.SQRT2 * Math.sqrt(3 / 40)));
});

Deno.test("heUniform() with gain √(1/3) is PyTorch's nn.Linear weight init (a = √5): bound 1/√fanIn", () => {
  const w = heUniform({ gain: Math.sqrt(1 / 3) })([25, 4], new Random(1));
  assert.ok(w.data.every((v) => Math.abs(v) <= 1 / 5 + 1e-15));
});

Deno.test("heUniform() throws for a bad mode or gain", () => {
  assert.throws(() => heUniform({ mode: "fan_in" as never }), {
    name: "RangeError",
    message:
      'Cannot create initializer "he-uniform" as mode must be one of "fan-in", "fan-out": current value is "fan_in"',
  });
  assert.throws(() => heUniform({ gain: 0 }), RangeError);
  assert.throws(() => heUniform({ nonlinearity: "relu" } as never), /unknown option "nonlinearity"/);
});
