import assert from "node:assert/strict";
import { inverseTime } from "./inverse_time.ts";

Deno.test("inverseTime() is ε₀·τ/(τ + k) (seed 001's 1/k schedule)", () => {
  const schedule = inverseTime({ learningRate: 0.2, tau: 4 });
  assert.deepEqual([0, 4, 12].map((k) => schedule(k)), [0.2, 0.1, 0.05]);
});

Deno.test("inverseTime() halves the step size after τ = 100 steps by default", () => {
  assert.equal(inverseTime({ learningRate: 1 })(100), 0.5);
});

Deno.test("inverseTime() sums to infinity while its squares stay bounded (seed 001's conditions)", () => {
  const schedule = inverseTime({ learningRate: 1, tau: 1 });
  let sum = 0, squares = 0;
  for (let k = 0; k < 100000; k++) {
    sum += schedule(k);
    squares += schedule(k) ** 2;
  }
  assert.ok(sum > 12); // grows like ln k
  assert.ok(squares < Math.PI ** 2 / 6 + 1e-9); // Σ 1/(1 + k)² = π²/6
});

Deno.test("inverseTime() throws RangeError when tau is not positive", () => {
  assert.throws(() => inverseTime({ tau: 0 }), {
    name: "RangeError",
    message: 'Cannot create scheduler "inverse-time" as tau must be a number in (0, ∞): current value is 0',
  });
});
