import assert from "node:assert/strict";
import { Random } from "../../core/random.ts";
import { constant } from "./constant.ts";

Deno.test("constant() fills every element with value, in the requested dtype", () => {
  const t = constant({ value: -1.5 })([2, 3], new Random(0), "float32");
  assert.equal(t.dtype, "float32");
  assert.deepEqual(t.toArray(), [[-1.5, -1.5, -1.5], [-1.5, -1.5, -1.5]]);
  assert.deepEqual(constant({ value: 0 })([], new Random(0)).toArray(), 0);
});

Deno.test("constant() draws nothing, so the generator is optional and untouched", () => {
  const rng = new Random(1), before = rng.getState();
  constant({ value: 1 })([4], rng);
  assert.deepEqual(rng.getState(), before);
  assert.deepEqual(constant({ value: 1 })([2], undefined as never).toArray(), [1, 1]);
});

Deno.test("constant() throws TypeError when value is missing or not a finite number", () => {
  assert.throws(() => constant({} as never), {
    name: "TypeError",
    message:
      'Cannot create initializer "constant" as value must be given (a finite number): current value is undefined',
  });
  assert.throws(() => constant({ value: Infinity }), {
    name: "TypeError",
    message: 'Cannot create initializer "constant" as value must be a finite number: current value is Infinity',
  });
  assert.throws(() => constant({ value: 1, val: 1 } as never), /unknown option "val"/);
});

Deno.test("constant() throws RangeError for a bad shape or dtype", () => {
  assert.throws(() => constant({ value: 1 })([2, -1], new Random(0)), {
    name: "RangeError",
    message:
      'Cannot initialize with initializer "constant" as every axis length must be a non-negative integer: current shape is [2, -1]',
  });
  assert.throws(() => constant({ value: 1 })([2], new Random(0), "int8" as never), {
    name: "RangeError",
    message:
      'Cannot initialize with initializer "constant" as dtype must be "float32" or "float64": current value is "int8"',
  });
});
