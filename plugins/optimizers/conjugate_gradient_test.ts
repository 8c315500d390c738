import assert from "node:assert/strict";
import { hvp, valueAndGrad } from "../../core/autodiff.ts";
import type { UpdateContext } from "../../core/interfaces.ts";
import { mul, square, sub, sum } from "../../core/ops/mod.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import type { Tree } from "../../core/tree.ts";
import { minimize } from "../../train/minimize.ts";
import { bestSgdLoss, contextFor, homeworkProblem, quadratic, rosenbrock } from "./_second_order_fixtures.ts";
import { conjugateGradient } from "./conjugate_gradient.ts";

Deno.test("conjugateGradient({ curvatureStep: true }) minimizes a 20-D strictly convex quadratic in at most 20 iterations (up to round-off)", () => {
  const { f, x0 } = quadratic(20, 3);
  const r = minimize(f, x0, conjugateGradient({ curvatureStep: true }), { steps: 20 });
  assert.ok(r.losses[20] <= 1e-12 * r.losses[0], `loss ${r.losses[0]} → ${r.losses[20]} after 20 iterations`);
  assert.equal(r.counts.hvps, 20);
});

Deno.test("conjugateGradient() with first-order searches only also solves the 20-D quadratic, in more iterations", () => {
  const { f, x0 } = quadratic(20, 3);
  const r = minimize(f, x0, conjugateGradient(), { steps: 80, tolerance: 1e-12 * f(x0).item() });
  assert.ok(r.losses.at(-1)! <= 1e-12 * r.losses[0], `loss ${r.losses.at(-1)} after ${r.path.length} iterations`);
  assert.equal(r.counts.hvps, 0);
});

Deno.test("conjugateGradient() with exact searches makes successive gradients orthogonal and directions H-conjugate", () => {
  const { f, x0 } = quadratic(6, 1);
  const r = minimize(f, x0, conjugateGradient({ curvatureStep: true }), { steps: 5 });
  const points = [x0, ...r.path];
  const grads = points.map((p) => valueAndGrad(f)(p).grad.data);
  const steps = r.path.map((p, k) => p.data.map((v, i) => v - points[k].data[i]));
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, ai, i) => s + ai * b[i], 0);
  const norm = (a: ArrayLike<number>) => Math.sqrt(dot(a, a));
  for (let k = 1; k < grads.length; k++) {
    assert.ok(Math.abs(dot(grads[k], grads[k - 1])) < 1e-9 * norm(grads[k]) * norm(grads[k - 1]), `g${k}ᵀg${k - 1}`);
  }
  for (let i = 0; i < steps.length; i++) {
    for (let j = 0; j < i; j++) {
      const hs = hvp(f, x0, tensor(steps[j])).data;
      assert.ok(Math.abs(dot(steps[i], hs)) < 1e-8 * norm(steps[i]) * norm(hs), `s${i}ᵀHs${j}`);
    }
  }
});

Deno.test("conjugateGradient() decreases Rosenbrock's loss at every step and reaches 1e-8 within 100 iterations", () => {
  const r = minimize(rosenbrock, tensor([-1.5, 2]), conjugateGradient(), { steps: 100, tolerance: 1e-8 });
  for (let k = 1; k < r.losses.length; k++) assert.ok(r.losses[k] <= r.losses[k - 1]);
  assert.ok(r.losses.at(-1)! < 1e-8, `loss ${r.losses.at(-1)}`);
});

Deno.test("conjugateGradient() restarts with −g every n iterations (or restartEvery)", () => {
  const { f, x0 } = quadratic(4, 2);
  const opt = conjugateGradient({ restartEvery: 2 });
  let x = x0, state = opt.init(x);
  const restarts: number[] = [];
  for (let k = 0; k < 6; k++) {
    const r = opt.update(valueAndGrad(f)(x).grad, state, x, contextFor(f, x));
    state = r.state;
    x = sub(x, mul(r.updates as Tensor, -1));
    restarts.push(state.sinceRestart);
  }
  assert.deepEqual(restarts, [1, 2, 1, 2, 1, 2]);
});

Deno.test("conjugateGradient() trains the homework network below sgd with the same ≤ 60 loss-and-gradient evaluations (20 iterations)", () => {
  const problem = homeworkProblem();
  const r = minimize(problem.loss, problem.params, conjugateGradient(), { steps: 20 });
  const { gradients } = r.counts;
  assert.ok(gradients <= 60, `conjugate-gradient used ${gradients} loss-and-gradient evaluations`);
  const baseline = bestSgdLoss(problem, gradients);
  assert.ok(
    r.losses.at(-1)! < baseline,
    `conjugate-gradient: ${r.losses.at(-1)} with ${gradients} evaluations; sgd: ${baseline}`,
  );
});

Deno.test("conjugateGradient() rejects bad input with a clear error and leaves the parameters as they were", async (t) => {
  const f = (v: Tensor) => sum(square(v));
  const x = tensor([1, 2]), g = tensor([2, 4]), opt = conjugateGradient(), state = opt.init(x);
  const check = (o: typeof opt, context: UpdateContext | undefined, grads: Tree, message: RegExp, name: string) => {
    assert.throws(() => o.update(grads, state, x, context), { name, message });
    assert.deepEqual(x.toArray(), [1, 2]);
    assert.equal(state.step, 0);
  };
  await t.step("a non-scalar loss", () => {
    check(
      opt,
      { ...contextFor(f, x), loss: tensor([1, 2, 3]) as unknown as number },
      g,
      /must be a scalar \(one element\): current shape is \[3\]/,
      "RangeError",
    );
  });
  await t.step("a missing evaluate, or hvp with curvatureStep", () => {
    check(
      opt,
      { loss: 5 },
      g,
      /must provide evaluate\(params\) → \{ loss, grads \} \(for the line search\)/,
      "TypeError",
    );
    const { hvp: _, ...rest } = contextFor(f, x);
    check(
      conjugateGradient({ curvatureStep: true }),
      rest,
      g,
      /must provide hvp\(params, v\) → H·v \(for curvatureStep\)/,
      "TypeError",
    );
  });
  await t.step("NaN in the gradient", () => {
    check(
      opt,
      contextFor(f, x),
      tensor([Infinity, 4]),
      /the gradient must be finite: current value at element 0 is Infinity/,
      "RangeError",
    );
  });
});

Deno.test("conjugateGradient() rejects out-of-range options", () => {
  assert.throws(() => conjugateGradient({ restartEvery: -1 }), {
    name: "RangeError",
    message:
      'Cannot create optimizer "conjugate-gradient" as restartEvery must be an integer in [0, ∞): current value is -1',
  });
  assert.throws(() => conjugateGradient({ curvatureStep: 1 as never }), TypeError);
});

Deno.test("conjugateGradient() takes the Polak–Ribière+ direction −g + max(0, (g·g − g·g₋)/‖g₋‖²)·d₋", () => {
  // f(θ) = ½‖θ‖², so g = θ = (1, 2); a previous gradient and direction chosen so that PR+ and Fletcher–Reeves differ.
  const f = (v: Tensor) => mul(sum(square(v)), 0.5);
  const params = tensor([1, 2]);
  const gPrev = [2, -0.9], dPrev = [-1, 0];
  const state = {
    step: 1,
    previousGrad: tensor(gPrev),
    direction: tensor(dPrev),
    stepSize: 0.5,
    slope: -1,
    sinceRestart: 0,
    restarts: 0,
  };
  const r = conjugateGradient().update(tensor([1, 2]), state, params, contextFor(f, params));
  const g = [1, 2], gg = 5, gDotPrev = g[0] * gPrev[0] + g[1] * gPrev[1];
  const beta = Math.max(0, (gg - gDotPrev) / (gPrev[0] ** 2 + gPrev[1] ** 2)); // 0.9979…; Fletcher–Reeves: 1.0395…
  const want = g.map((gi, i) => -gi + beta * dPrev[i]);
  const got = [...(r.state.direction as Tensor).data];
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-12, `direction ${got} against ${want}`);
  assert.equal(r.state.restarts, 0, "no restart");
});
