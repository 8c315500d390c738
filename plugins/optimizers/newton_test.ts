import assert from "node:assert/strict";
import { valueAndGrad } from "../../core/autodiff.ts";
import type { UpdateContext } from "../../core/interfaces.ts";
import { add, mul, slice, square, sub, sum } from "../../core/ops/mod.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { applyUpdates, type Tree } from "../../core/tree.ts";
import { minimize } from "../../train/minimize.ts";
import { bestSgdLoss, contextFor, homeworkProblem, quadratic, rosenbrock } from "./_second_order_fixtures.ts";
import { newton } from "./newton.ts";

Deno.test("newton() reaches loss < 1e-10 on Rosenbrock from (−1.5, 2) within 10 iterations", () => {
  const r = minimize(rosenbrock, tensor([-1.5, 2]), newton(), { steps: 10, tolerance: 1e-10 });
  assert.ok(r.losses.at(-1)! < 1e-10, `loss ${r.losses.at(-1)} after ${r.path.length} iterations`);
  assert.ok(r.path.length <= 10);
  assert.equal(r.path.length, 6);
});

Deno.test("newton() lands on the minimum of a 20-D strictly convex quadratic in one step", () => {
  const { f, xStar, x0 } = quadratic(20, 3);
  const r = minimize(f, x0, newton(), { steps: 1 });
  assert.ok(r.losses[1] < 1e-20 * r.losses[0], `loss ${r.losses[0]} → ${r.losses[1]}`);
  r.x.data.forEach((v, i) => assert.ok(Math.abs(v - xStar[i]) < 1e-10));
  assert.equal(r.counts.hvps, 20);
});

Deno.test("newton() steps by the hand-computed −H⁻¹g on a 2-D problem to 1e-12", async (t) => {
  const xy = (v: Tensor) => [slice(v, [0], [1]), slice(v, [1], [1])];
  await t.step("H positive definite (Cholesky): f = x⁴/4 + xy + (1 + y)² at (1, 1)", () => {
    // g = (x³ + y, x + 2(1 + y)) = (2, 5); H = [[3x², 1], [1, 2]] = [[3, 1], [1, 2]], det 5
    // H⁻¹g = (1/5)·(2·2 − 5, −2 + 3·5) = (−0.2, 2.6)
    const f = (v: Tensor) => {
      const [x, y] = xy(v);
      return sum(add(add(mul(square(square(x)), 0.25), mul(x, y)), square(add(y, 1))));
    };
    const x = tensor([1, 1]), opt = newton();
    const r = opt.update(valueAndGrad(f)(x).grad, opt.init(x), x, contextFor(f, x));
    const u = (r.updates as Tensor).data;
    assert.ok(Math.abs(u[0] - 0.2) < 1e-12 && Math.abs(u[1] + 2.6) < 1e-12, `updates ${[...u]}`);
    assert.equal(r.state.method, "cholesky");
  });
  await t.step("H indefinite (Bunch–Kaufman): f = xy + x³/3 at (1, 2)", () => {
    // g = (y + x², x) = (3, 1); H = [[2x, 1], [1, 0]] = [[2, 1], [1, 0]], det −1; H⁻¹ = [[0, 1], [1, −2]]
    // H⁻¹g = (1, 3 − 2) = (1, 1): the step goes to the saddle-point model's stationary point
    const f = (v: Tensor) => {
      const [x, y] = xy(v);
      return sum(add(mul(x, y), mul(mul(square(x), x), 1 / 3)));
    };
    const x = tensor([1, 2]), opt = newton();
    const r = opt.update(valueAndGrad(f)(x).grad, opt.init(x), x, contextFor(f, x));
    const u = (r.updates as Tensor).data;
    assert.ok(Math.abs(u[0] + 1) < 1e-12 && Math.abs(u[1] + 1) < 1e-12, `updates ${[...u]}`);
    assert.equal(r.state.method, "bunch-kaufman");
    assert.equal(r.state.negativeEigenvalues, 1);
  });
});

Deno.test("newton() couples the leaves of a parameter tree through the full Hessian", () => {
  // f(a, b) = (a − 2b)² + b², a rank-0 leaf and a rank-1 leaf; minimum at a = b = 0 in one step.
  type P = { a: Tensor; b: Tensor };
  const f = (p: P) => add(square(sub(p.a, mul(sum(p.b), 2))), sum(square(p.b)));
  const r = minimize(f, { a: tensor(3), b: tensor([-1]) }, newton(), { steps: 1 });
  assert.ok(Math.abs(r.x.a.item()) < 1e-12 && Math.abs(r.x.b.data[0]) < 1e-12);
  assert.deepEqual(r.x.a.shape, []);
});

Deno.test("newton() throws RangeError naming the singular Hessian, and the parameters stay", () => {
  const f = (v: Tensor) => square(sum(v)); // H = [[2, 2], [2, 2]]
  const x = tensor([1, 2]), opt = newton();
  assert.throws(() => opt.update(valueAndGrad(f)(x).grad, opt.init(x), x, contextFor(f, x)), {
    name: "RangeError",
    message:
      /^Cannot update with optimizer "newton" as the Hessian must not be singular .*: current value is \[\[2, 2\], \[2, 2\]\]$/,
  });
  assert.deepEqual(x.toArray(), [1, 2]);
});

Deno.test('newton({ indefinite: "modify" }) turns an indefinite Hessian into a descent step and keeps a positive definite one', () => {
  const saddle = (v: Tensor) => sum(mul(square(v), tensor([1, -1]))); // H = diag(2, −2)
  const x = tensor([1, 1]), g = valueAndGrad(saddle)(x).grad;
  const opt = newton({ indefinite: "modify" });
  const u = (opt.update(g, opt.init(x), x, contextFor(saddle, x)).updates as Tensor).data;
  assert.deepEqual([...u], [-1, 1]); // −|H|⁻¹g = −(2, −2)/2: downhill in both coordinates
  const { f, x0 } = quadratic(5, 1);
  const exact = newton().update(valueAndGrad(f)(x0).grad, newton().init(x0), x0, contextFor(f, x0));
  const modified = opt.update(valueAndGrad(f)(x0).grad, opt.init(x0), x0, contextFor(f, x0));
  assert.deepEqual((modified.updates as Tensor).toArray(), (exact.updates as Tensor).toArray());
});

Deno.test("newton({ lineSearch: true }) backtracks a step that raises the loss", () => {
  // Pure Newton's second step on Rosenbrock from (−1.5, 2) raises the loss from 6.0 to 751.
  const pure = minimize(rosenbrock, tensor([-1.5, 2]), newton(), { steps: 2 });
  assert.ok(pure.losses[2] > pure.losses[1]);
  const searched = minimize(rosenbrock, tensor([-1.5, 2]), newton({ lineSearch: true }), {
    steps: 30,
    tolerance: 1e-10,
  });
  for (let k = 1; k < searched.losses.length; k++) assert.ok(searched.losses[k] <= searched.losses[k - 1]);
  assert.ok(searched.losses.at(-1)! < 1e-10);
});

Deno.test(
  'newton({ indefinite: "modify", lineSearch: true }) trains the homework network below sgd with the same ≤ 15 loss-and-gradient evaluations (10 iterations, 510 Hessian-vector products)',
  () => {
    const problem = homeworkProblem();
    const r = minimize(problem.loss, problem.params, newton({ indefinite: "modify", lineSearch: true }), { steps: 10 });
    const { gradients, hvps } = r.counts;
    assert.ok(gradients <= 15, `newton used ${gradients} loss-and-gradient evaluations`);
    assert.equal(hvps, 10 * 51);
    const baseline = bestSgdLoss(problem, gradients);
    assert.ok(
      r.losses.at(-1)! < baseline,
      `newton: ${r.losses.at(-1)} with ${gradients} evaluations and ${hvps} Hv; sgd (best of 5 rates): ${baseline}`,
    );
  },
);

Deno.test("newton() rejects bad input with a clear error and leaves the parameters as they were", async (t) => {
  const f = (v: Tensor) => sum(square(v));
  const x = tensor([1, 2]), g = tensor([2, 4]), opt = newton();
  const state = opt.init(x);
  const check = (context: UpdateContext | undefined, grads: Tree, expected: RegExp, name: string) => {
    assert.throws(() => opt.update(grads, state, x, context), { name, message: expected });
    assert.deepEqual(x.toArray(), [1, 2]);
    assert.deepEqual(state, { step: 0, method: null, negativeEigenvalues: 0, stepSize: 1 });
  };
  await t.step("a non-scalar loss", () => {
    check(
      { ...contextFor(f, x), loss: tensor([1, 2]) as unknown as number },
      g,
      /the loss in the update context must be a scalar \(one element\): current shape is \[2\]/,
      "RangeError",
    );
    const vector = (v: Tensor) => square(v);
    assert.throws(() => minimize(vector, x, newton()), { name: "RangeError", message: /must return a scalar tensor/ });
    assert.deepEqual(x.toArray(), [1, 2]);
  });
  await t.step("a missing hvp", () => {
    const { hvp: _, ...rest } = contextFor(f, x);
    check(
      rest,
      g,
      /must provide hvp\(params, v\) → H·v \(for the exact Hessian\), a function: current value is undefined/,
      "TypeError",
    );
    check(undefined, g, /no update context was given/, "TypeError");
  });
  await t.step("a missing evaluate with lineSearch", () => {
    const { evaluate: _, ...rest } = contextFor(f, x);
    assert.throws(() => newton({ lineSearch: true }).update(g, state, x, rest), {
      name: "TypeError",
      message: /evaluate/,
    });
  });
  await t.step("NaN in the gradient", () => {
    check(
      contextFor(f, x),
      tensor([2, NaN]),
      /the gradient must be finite: current value at element 1 is NaN/,
      "RangeError",
    );
  });
  await t.step("a non-finite Hessian-vector product", () => {
    check(
      { ...contextFor(f, x), hvp: () => tensor([Infinity, 0]) },
      g,
      /Hessian-vector product .* must be finite/,
      "RangeError",
    );
  });
});

Deno.test("newton() rejects unknown and out-of-range options", () => {
  assert.throws(() => newton({ damping: 1 } as never), { name: "TypeError", message: /unknown option "damping"/ });
  assert.throws(() => newton({ indefinite: "flip" as never }), {
    name: "RangeError",
    message: 'Cannot create optimizer "newton" as indefinite must be one of "solve", "modify": current value is "flip"',
  });
  assert.throws(() => newton({ curvatureFloor: 2 }), RangeError);
});

Deno.test("newton() applies updates that minimize() and applyUpdates() agree on", () => {
  const f = (v: Tensor) => sum(mul(square(sub(v, 1)), tensor([1, 4])));
  const x = tensor([3, -3]), opt = newton();
  const r = opt.update(valueAndGrad(f)(x).grad, opt.init(x), x, contextFor(f, x));
  applyUpdates(x, r.updates).data.forEach((v) => assert.ok(Math.abs(v - 1) < 1e-15));
  assert.equal(r.state.step, 1);
});
