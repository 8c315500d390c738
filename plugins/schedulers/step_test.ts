import assert from "node:assert/strict";
import { step } from "./step.ts";

Deno.test("step() multiplies by γ every stepSize steps, as PyTorch's StepLR", () => {
  const schedule = step({ learningRate: 0.05, stepSize: 30 });
  assert.equal(schedule(29), 0.05);
  assert.ok(Math.abs(schedule(30) - 0.005) < 1e-15);
  assert.ok(Math.abs(schedule(60) - 0.0005) < 1e-15);
});

Deno.test("step() defaults to γ = 0.1 every 30 steps", () => {
  assert.equal(step({ learningRate: 1 })(29), 1);
  assert.equal(step({ learningRate: 1 })(30), 0.1);
});

Deno.test("step() throws RangeError for a stepSize that is not a positive integer", () => {
  assert.throws(() => step({ stepSize: 2.5 }), {
    name: "RangeError",
    message: 'Cannot create scheduler "step" as stepSize must be an integer in [1, ∞): current value is 2.5',
  });
  assert.throws(() => step({ gamma: 0 }), /gamma must be a number in \(0, ∞\): current value is 0/);
});
