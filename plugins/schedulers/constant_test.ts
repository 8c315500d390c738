import assert from "node:assert/strict";
import { constant } from "./constant.ts";

Deno.test("constant() gives ε₀ at every step, 0.01 by default", () => {
  assert.equal(constant()(0), 0.01);
  assert.equal(constant({ learningRate: 0.5 })(123456), 0.5);
});

Deno.test("constant() throws RangeError for a negative learning rate", () => {
  assert.throws(() => constant({ learningRate: -1 }), {
    name: "RangeError",
    message: 'Cannot create scheduler "constant" as learningRate must be a number in [0, ∞): current value is -1',
  });
});

Deno.test("constant() throws RangeError for a negative step", () => {
  assert.throws(() => constant()(-2), {
    name: "RangeError",
    message: 'Cannot evaluate scheduler "constant" as the step must be a finite number ≥ 0: current value is -2',
  });
});
