import assert from "node:assert/strict";
import { Random } from "../../core/random.ts";
import { tensor } from "../../core/tensor.ts";
import { logSoftmax } from "./log_softmax.ts";

Deno.test("logSoftmax() gives log-probabilities along the last axis by default", () => {
  const { output } = logSoftmax().apply({}, {}, tensor([[1, 2, 3]]), { training: false });
  const total = Math.log(Math.E + Math.E ** 2 + Math.E ** 3);
  output.data.forEach((v, i) => assert.ok(Math.abs(v - (i + 1 - total)) < 1e-14));
});

Deno.test("logSoftmax() along axis 1 of [batch, classes, positions] normalizes each position's classes", () => {
  const { output } = logSoftmax({ axis: 1 }).apply({}, {}, tensor([[[0, 5], [0, 5]]]), { training: false });
  assert.deepEqual(output.toArray(), [[[-Math.LN2, -Math.LN2], [-Math.LN2, -Math.LN2]]]);
});

Deno.test("logSoftmax() stays finite for float32 logits far apart", () => {
  const { output } = logSoftmax().apply({}, {}, tensor([[89, 0, -89]], [1, 3], "float32"), { training: false });
  assert.ok(output.data.every(Number.isFinite));
  assert.equal(output.data[0], 0);
});

Deno.test("logSoftmax() throws for an axis the input lacks", () => {
  assert.throws(() => logSoftmax({ axis: 2 }).init([3], new Random(0)), {
    name: "RangeError",
    message:
      'Cannot initialize layer "log-softmax" as axis 2 must name an axis of the input (an integer in [-2, 1], the batch axis being 0): current shape is [batch,3]',
  });
});
