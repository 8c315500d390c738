import assert from "node:assert/strict";
import { tensor } from "../../core/tensor.ts";
import { checkShapes, lerp, rateAt } from "./_common.ts";

Deno.test("lerp() rounds as torch.lerp: a + w·(b − a) below w = 0.5, b − (b − a)·(1 − w) from there", () => {
  const a = 0.1, b = 0.7;
  for (const w of [0.1, 0.001, 0.49, 0.5, 0.9, 0.999]) {
    const expected = w < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w);
    assert.ok(Object.is(lerp(tensor([a]), tensor([b]), w).item(), expected), `w = ${w}`);
  }
});

Deno.test("lerp() keeps float32 inputs float32", () => {
  assert.equal(lerp(tensor([0], [1], "float32"), tensor([1], [1], "float32"), 0.25).dtype, "float32");
});

Deno.test("rateAt() throws RangeError naming the optimizer, the step and the value", () => {
  assert.throws(() => rateAt('optimizer "adam"', (k) => (k < 3 ? 0.1 : NaN), 3), {
    name: "RangeError",
    message:
      'Cannot update optimizer "adam" as the learning rate at step 3 must be a non-negative finite number: current value is NaN',
  });
  assert.equal(rateAt('optimizer "adam"', () => 0, 0), 0);
});

Deno.test("checkShapes() throws RangeError for a different structure or number of tensors", () => {
  const like = { a: tensor([1]), b: tensor([2]) };
  assert.throws(() => checkShapes('optimizer "sgd"', "state buffer", { a: tensor([1]) }, like, "the gradient"), {
    name: "RangeError",
    message:
      'Cannot update optimizer "sgd" as state buffer must have as many tensors as the gradient (2): current count is 1',
  });
  assert.throws(
    () => checkShapes('optimizer "sgd"', "state buffer", { a: tensor([1]), c: tensor([2]) }, like, "the gradient"),
    {
      name: "RangeError",
      message:
        'Cannot update optimizer "sgd" as state buffer must have the structure of the gradient: found "c" where "b" is expected',
    },
  );
  checkShapes('optimizer "sgd"', "state buffer", { a: tensor([0]), b: tensor([0]) }, like, "the gradient");
});
