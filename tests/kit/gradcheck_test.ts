import assert from "node:assert/strict";
import { customVjp, mul, sin, square, sum } from "../../core/ops/mod.ts";
import { Tensor, tensor } from "../../core/tensor.ts";
import { gradcheck, gradgradcheck } from "./gradcheck.ts";

/** An op whose hand-written VJP is wrong by a factor: the checker must catch it. */
const wrongSquare = customVjp(
  "wrong-square",
  (x: Tensor) => ({ output: new Tensor(x.data.map((v) => v * v), x.shape), saved: null }),
  (g, _s, [x]) => [mul(g, mul(x, 2.1))],
);

Deno.test("gradcheck() passes for a correct gradient and reports how much it compared", () => {
  const report = gradcheck((x: Tensor) => sum(mul(sin(x), x)), tensor([0.5, -1, 2]));
  assert.equal(report.ok, true);
  assert.equal(report.checked, 3);
});

Deno.test("gradcheck() fails on a wrong VJP, naming the element, both values and the tolerance", () => {
  assert.throws(() => gradcheck((x: Tensor) => sum(wrongSquare(x)), tensor([1, 3])), {
    message:
      /gradcheck failed at element 1: analytic 6\.3\d*, numeric 6\.0\d*, \|difference\| 0\.(29|30)\d* > tolerance 0\.006\d*/,
  });
  const report = gradcheck((x: Tensor) => sum(wrongSquare(x)), tensor([1, 3]), { raise: false });
  assert.equal(report.ok, false);
  assert.equal(report.worst?.index, 1);
});

Deno.test("gradcheck() in random-direction mode also catches a wrong VJP", () => {
  assert.equal(gradcheck((x: Tensor) => sum(square(x)), tensor([1, 2, 3]), { directions: 3 }).ok, true);
  assert.throws(() => gradcheck((x: Tensor) => sum(wrongSquare(x)), tensor([1, 2, 3]), { directions: 3 }), /direction/);
});

Deno.test("gradcheck() checks every leaf of a tree of inputs", () => {
  const report = gradcheck(({ a, b }: { a: Tensor; b: Tensor }) => sum(mul(a, b)), {
    a: tensor([1, 2]),
    b: tensor([3]),
  });
  assert.equal(report.checked, 3);
});

Deno.test("gradgradcheck() passes for exact second derivatives and fails when the VJP is not differentiable correctly", () => {
  assert.equal(gradgradcheck((x: Tensor) => sum(mul(square(x), sin(x))), tensor([0.3, 1.7])).ok, true);
  // A backward built from a saved constant has a zero second derivative: wrong for x².
  const frozen = customVjp(
    "frozen-square",
    (x: Tensor) => ({
      output: new Tensor(x.data.map((v) => v * v), x.shape),
      saved: new Tensor(x.data.map((v) => 2 * v), x.shape),
    }),
    (g, saved) => [mul(g, saved)],
  );
  assert.throws(() => gradgradcheck((x: Tensor) => sum(frozen(x)), tensor([0.5, 2])), /gradgradcheck failed/);
});

Deno.test("gradcheck() rejects a non-scalar function and bad tolerances", () => {
  assert.throws(() => gradcheck((x: Tensor) => square(x), tensor([1, 2])), /scalar/);
  assert.throws(
    () => gradcheck((x: Tensor) => sum(x), tensor([1]), { atol: -1 }),
    /atol must be a finite non-negative number/,
  );
});
