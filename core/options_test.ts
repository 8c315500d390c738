import assert from "node:assert/strict";
import { checkBoolean, checkChoice, checkKeys, checkLearningRate, checkNumber } from "./options.ts";

const owner = 'optimizer "test"';

Deno.test("checkNumber() returns the default for undefined and the value when valid", () => {
  assert.equal(checkNumber(owner, "x", undefined, 3), 3);
  assert.equal(checkNumber(owner, "x", 5, 3, { min: 0 }), 5);
});

Deno.test("checkNumber() throws TypeError for non-numbers and NaN", () => {
  assert.throws(() => checkNumber(owner, "x", "5", 3), {
    name: "TypeError",
    message: /x must be a finite number: current value is "5"/,
  });
  assert.throws(() => checkNumber(owner, "x", NaN, 3, { min: 0 }), TypeError);
});

Deno.test("checkNumber() throws RangeError naming the interval with open and closed ends", () => {
  assert.throws(() => checkNumber(owner, "beta", 1, 0, { min: 0, max: 1, maxExclusive: true }), {
    name: "RangeError",
    message: 'Cannot create optimizer "test" as beta must be a number in [0, 1): current value is 1',
  });
  assert.throws(() => checkNumber(owner, "n", 2.5, 1, { min: 1, integer: true }), /an integer in \[1, ∞\)/);
  assert.throws(() => checkNumber(owner, "lr", 0, 1, { min: 0, minExclusive: true }), /\(0, ∞\)/);
});

Deno.test("checkBoolean() and checkChoice() reject wrong values", () => {
  assert.throws(() => checkBoolean(owner, "flag", 1, false), /flag must be true or false: current value is 1/);
  assert.equal(checkChoice(owner, "mode", undefined, "a", ["a", "b"]), "a");
  assert.throws(
    () => checkChoice(owner, "mode", "c", "a", ["a", "b"]),
    /mode must be one of "a", "b": current value is "c"/,
  );
});

Deno.test("checkKeys() names an unknown option and suggests the intended one", () => {
  assert.throws(() => checkKeys(owner, { learning_rate: 1 }, ["learningRate"]), {
    name: "TypeError",
    message:
      'Cannot create optimizer "test" as it has an unknown option "learning_rate" (did you mean "learningRate"?): known options are learningRate',
  });
  checkKeys(owner, { name: "test", learningRate: 1 }, ["learningRate"]);
  assert.throws(() => checkKeys(owner, 5, []), /options must be an object/);
});

Deno.test("checkLearningRate() accepts a number or a schedule", () => {
  assert.equal(checkLearningRate(owner, undefined, 0.1)(10), 0.1);
  assert.equal(checkLearningRate(owner, (k) => k, 0.1)(10), 10);
  assert.throws(
    () => checkLearningRate(owner, -1, 0.1),
    /learningRate must be a number in \[0, ∞\): current value is -1/,
  );
});
