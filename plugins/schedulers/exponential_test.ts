import assert from "node:assert/strict";
import { exponential } from "./exponential.ts";

Deno.test("exponential() is ε₀·γ^k, as PyTorch's ExponentialLR", () => {
  const schedule = exponential({ learningRate: 3, gamma: 0.5 });
  assert.deepEqual([0, 1, 4].map((k) => schedule(k)), [3, 1.5, 3 / 16]);
});

Deno.test("exponential() defaults to γ = 0.99", () => {
  assert.equal(exponential({ learningRate: 1 })(2), 0.99 ** 2);
});

Deno.test("exponential() throws on a non-positive or non-numeric gamma", () => {
  assert.throws(() => exponential({ gamma: -0.5 }), {
    name: "RangeError",
    message: 'Cannot create scheduler "exponential" as gamma must be a number in (0, ∞): current value is -0.5',
  });
  assert.throws(() => exponential({ gamma: "0.9" as never }), TypeError);
});
