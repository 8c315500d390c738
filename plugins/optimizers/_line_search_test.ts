import assert from "node:assert/strict";
import fc from "fast-check";
import { grad } from "../../core/autodiff.ts";
import { mul, square, sum } from "../../core/ops/mod.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import {
  backtracking,
  checkLineSearchOptions,
  cubicMinimizer,
  lineFunction,
  type LinePoint,
  strongWolfe,
} from "./_line_search.ts";

/** φ from a scalar function of t and its derivative. */
function line(f: (t: number) => number, df: (t: number) => number, calls = { n: 0 }): (t: number) => LinePoint {
  return (t) => {
    calls.n++;
    return { t, loss: f(t), grad: new Float64Array(), slope: df(t), updates: null };
  };
}

/** Test functions along a descent line (φ′(0) < 0), with their derivatives. */
const LINES: Record<string, [(t: number) => number, (t: number) => number]> = {
  "a quadratic with minimum at t = 3": [(t) => (t - 3) ** 2, (t) => 2 * (t - 3)],
  "a quartic": [(t) => (t - 0.2) ** 4 - t, (t) => 4 * (t - 0.2) ** 3 - 1],
  "Rosenbrock from (−1.2, 1) along −∇f": [
    (t) => {
      const x = -1.2 + 215.6 * t, y = 1 + 88 * t;
      return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
    },
    (t) => {
      const x = -1.2 + 215.6 * t, y = 1 + 88 * t;
      return (-2 * (1 - x) - 400 * x * (y - x * x)) * 215.6 + 200 * (y - x * x) * 88;
    },
  ],
  "a slow sine": [(t) => -Math.sin(t / 10), (t) => -Math.cos(t / 10) / 10],
};

for (const [name, [f, df]] of Object.entries(LINES)) {
  Deno.test(`strongWolfe() returns a step meeting both strong Wolfe conditions on ${name}, from any first trial`, () => {
    const start = { t: 0, loss: f(0), grad: new Float64Array(), slope: df(0), updates: null };
    fc.assert(
      fc.property(fc.double({ min: -6, max: 3, noNaN: true }), fc.constantFrom(0.1, 0.9), (logT0, c2) => {
        const r = strongWolfe(line(f, df), start, 10 ** logT0, 1, { c2, maxEvaluations: 50 });
        assert.ok(r.satisfied, `t0 = ${10 ** logT0}: ended at t = ${r.t}`);
        assert.ok(r.loss <= f(0) + 1e-4 * r.t * df(0), `sufficient decrease fails at t = ${r.t}`);
        assert.ok(Math.abs(r.slope) <= c2 * Math.abs(df(0)), `curvature fails at t = ${r.t}`);
      }),
      { numRuns: 100, seed: 5 },
    );
  });
}

Deno.test("strongWolfe() accepts a first trial that meets both conditions with one evaluation", () => {
  const [f, df] = LINES["a quadratic with minimum at t = 3"];
  const r = strongWolfe(line(f, df), line(f, df)(0), 2.5, 1);
  assert.equal(r.t, 2.5);
  assert.equal(r.evaluations, 1);
});

Deno.test("strongWolfe() extrapolates at most tenfold per trial from a tiny first step", () => {
  const [f, df] = LINES["a quadratic with minimum at t = 3"];
  const trials: number[] = [];
  const phi = (t: number) => (trials.push(t), line(f, df)(t));
  strongWolfe(phi, line(f, df)(0), 1e-3, 1, { c2: 0.1 });
  for (let i = 1; i < trials.length; i++) assert.ok(trials[i] <= 10 * trials[i - 1] + 1e-15);
});

Deno.test("strongWolfe() backs off from a non-finite loss and stays within its evaluation budget", () => {
  const calls = { n: 0 };
  const phi = line((t) => (t > 1 ? Infinity : (t - 0.5) ** 2), (t) => 2 * (t - 0.5), calls);
  const r = strongWolfe(phi, phi(0), 100, 1, { c2: 0.1, maxEvaluations: 8 });
  assert.ok(r.t > 0 && r.t <= 1);
  assert.ok(r.evaluations <= 8 && calls.n - 1 === r.evaluations);
});

Deno.test("strongWolfe() returns t = 0 when no trial lowers the loss", () => {
  const phi = line((t) => (t === 0 ? 0 : 1), () => -1);
  const r = strongWolfe(phi, phi(0), 1, 1, { maxEvaluations: 6 });
  assert.equal(r.t, 0);
  assert.equal(r.satisfied, false);
});

Deno.test("cubicMinimizer() finds the minimizer of a cubic and of a quadratic exactly", () => {
  // φ(t) = t³ − 3t: minimum at t = 1
  assert.ok(Math.abs(cubicMinimizer(0, 0, -3, 2, 2, 9) - 1) < 1e-12);
  // φ(t) = (t − 3)², from t = 4 and t = 5 (extrapolating backwards, bounds given)
  assert.equal(cubicMinimizer(5, 4, 4, 4, 1, 2, [0, 10]), 3);
});

Deno.test("cubicMinimizer() clamps to its bounds and falls back to the midpoint without a minimum", () => {
  assert.equal(cubicMinimizer(0, 9, -6, 1, 4, -4, [1.01, 2]), 2);
  // a concave cubic has no local minimum: the midpoint of the bounds
  assert.equal(cubicMinimizer(0, 0, 1, 1, 0, -1, [0, 1]), 0.5);
  assert.equal(cubicMinimizer(0, 0, -1, 1, Infinity, NaN), 0.5);
});

Deno.test("backtracking() halves until the Armijo condition holds, and gives t = 0 when none does", () => {
  const ok = backtracking(line((t) => (t - 0.1) ** 2, (t) => 2 * (t - 0.1)), {
    t: 0,
    loss: 0.01,
    grad: new Float64Array(),
    slope: -0.2,
    updates: null,
  }, 1);
  assert.equal(ok.t, 0.125);
  assert.equal(ok.satisfied, true);
  const never = backtracking(
    line(() => 1, () => 0),
    { t: 0, loss: 0, grad: new Float64Array(), slope: -1, updates: null },
    1,
    {
      maxEvaluations: 5,
    },
  );
  assert.equal(never.t, 0);
  assert.equal(never.evaluations, 5);
  assert.equal(never.satisfied, false);
});

Deno.test("lineFunction() evaluates θ + t·d through evaluate and returns the updates that reach it", () => {
  const f = (x: Tensor) => sum(mul(square(x), tensor([1, 2])));
  const seen: number[][] = [];
  const evaluate = (x: Tensor) => (seen.push([...x.data]), { loss: f(x).item(), grads: grad(f)(x) });
  const phi = lineFunction('optimizer "bfgs"', evaluate as never, tensor([1, 1]), new Float64Array([-1, 0.5]));
  const p = phi(2);
  assert.deepEqual(seen, [[-1, 2]]);
  assert.equal(p.loss, 1 + 8);
  assert.equal(p.slope, -2 * -1 + 8 * 0.5); // ∇ = (2x, 4y) = (−2, 8)
  assert.deepEqual((p.updates as Tensor).toArray(), [-2, 1]);
});

Deno.test("lineFunction() reads a non-finite loss as +∞ and rejects a bad evaluation", async (t) => {
  const owner = 'optimizer "lbfgs"';
  const at = (result: unknown) => lineFunction(owner, () => result as never, tensor([0]), new Float64Array([1]));
  await t.step("an infinite loss", () => assert.equal(at({ loss: Infinity, grads: tensor([0]) })(1).loss, Infinity));
  await t.step("a non-scalar loss", () => {
    assert.throws(() => at({ loss: tensor([1, 2]), grads: tensor([0]) })(1), {
      name: "RangeError",
      message:
        'Cannot update with optimizer "lbfgs" as the loss returned by evaluate(params) must be a scalar (one element): current shape is [2]',
    });
  });
  await t.step("a NaN gradient", () => {
    assert.throws(
      () => at({ loss: 1, grads: tensor([NaN]) })(1),
      /gradient returned by evaluate\(params\) must be finite/,
    );
  });
  await t.step("no result", () => {
    assert.throws(() => at(undefined)(1), { name: "TypeError", message: /must return \{ loss, grads \}/ });
  });
});

Deno.test("checkLineSearchOptions() fills the defaults and requires 0 < c1 < c2 < 1", () => {
  assert.deepEqual(checkLineSearchOptions('optimizer "bfgs"', {}, 0.9), {
    c1: 1e-4,
    c2: 0.9,
    maxLineSearchEvaluations: 25,
    toleranceChange: 1e-9,
    toleranceGrad: 1e-7,
  });
  assert.throws(() => checkLineSearchOptions('optimizer "bfgs"', { c2: 1 }, 0.9), {
    name: "RangeError",
    message: 'Cannot create optimizer "bfgs" as c2 must be a number in (0, 1): current value is 1',
  });
  assert.throws(() => checkLineSearchOptions('optimizer "bfgs"', { maxLineSearchEvaluations: 0 }, 0.9), RangeError);
});
