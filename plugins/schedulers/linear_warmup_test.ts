import assert from "node:assert/strict";
import { linearWarmup } from "./linear_warmup.ts";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-15, `${a} vs ${b}`);

Deno.test("linearWarmup() rises from startFactor·ε₀ to ε₀ over warmupSteps, PyTorch LinearLR's defaults", () => {
  const schedule = linearWarmup({ learningRate: 0.3 });
  [0.1, 0.14, 0.18, 0.22, 0.26, 0.3, 0.3].forEach((v, k) => close(schedule(k), v));
});

Deno.test("linearWarmup() hands over to the wrapped schedule from its step 0", () => {
  const schedule = linearWarmup({ learningRate: 1, warmupSteps: 3, after: { name: "exponential", gamma: 0.5 } });
  close(schedule(3), 1);
  close(schedule(4), 0.5);
  close(schedule(6), 0.125);
});

Deno.test("linearWarmup() wraps a schedule function and warms up towards its first value", () => {
  const schedule = linearWarmup({ warmupSteps: 2, startFactor: 0, after: (k) => 2 / (1 + k) });
  assert.deepEqual([0, 1, 2, 3].map((k) => schedule(k)), [0, 1, 2, 1]);
});

Deno.test("linearWarmup() accepts a schedule name and nests", () => {
  const schedule = linearWarmup({
    learningRate: 1,
    warmupSteps: 1,
    startFactor: 0,
    after: { name: "linear-warmup", warmupSteps: 2, startFactor: 0.5, after: "constant" },
  });
  assert.deepEqual([0, 1, 2, 3, 4].map((k) => schedule(k)), [0, 0.5, 0.75, 1, 1]);
});

Deno.test("linearWarmup() with warmupSteps 0 is the wrapped schedule itself", () => {
  const schedule = linearWarmup({ learningRate: 1, warmupSteps: 0, after: { name: "step", stepSize: 1, gamma: 0.5 } });
  assert.deepEqual([0, 1, 2].map((k) => schedule(k)), [1, 0.5, 0.25]);
});

Deno.test("linearWarmup() throws RangeError for an unknown schedule name, suggesting the nearest", () => {
  assert.throws(() => linearWarmup({ after: "cosin" }), {
    name: "RangeError",
    message:
      'Cannot create scheduler "linear-warmup" as after must name a built-in schedule (constant, cosine, exponential, inverse-time, linear-warmup, step) (did you mean \'cosine\'?): current value is "cosin"',
  });
});

Deno.test("linearWarmup() throws when learningRate is given twice or with a schedule function", () => {
  assert.throws(
    () => linearWarmup({ learningRate: 0.1, after: { name: "cosine", learningRate: 0.2 } }),
    /learningRate must be left out when after has its own learningRate/,
  );
  assert.throws(() => linearWarmup({ learningRate: 0.1, after: () => 1 }), /after is a schedule function/);
});

Deno.test("linearWarmup() throws on bad options and on a wrapped schedule with a bad first value", () => {
  assert.throws(() => linearWarmup({ startFactor: 2 }), {
    name: "RangeError",
    message: 'Cannot create scheduler "linear-warmup" as startFactor must be a number in [0, 1]: current value is 2',
  });
  assert.throws(() => linearWarmup({ warmupSteps: -1 }), /warmupSteps must be an integer in \[0, ∞\)/);
  assert.throws(() => linearWarmup({ after: 42 as never }), TypeError);
  assert.throws(
    () => linearWarmup({ after: () => NaN }),
    /after\(0\) must be a finite step size ≥ 0: current value is NaN/,
  );
  assert.throws(() => linearWarmup({ after: { name: "cosine", tmax: 3 } }), /unknown option "tmax"/);
});
