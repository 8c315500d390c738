import assert from "node:assert/strict";
import { hvp, valueAndGrad } from "../../core/autodiff.ts";
import type { UpdateContext } from "../../core/interfaces.ts";
import { concat, mul, slice, square, sub, sum } from "../../core/ops/mod.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import type { Tree } from "../../core/tree.ts";
import { gaussNewtonVp, minimize } from "../../train/minimize.ts";
import { bestSgdLoss, contextFor, homeworkProblem, quadratic, rosenbrock } from "./_second_order_fixtures.ts";
import { hessianFree } from "./hessian_free.ts";
import { newton } from "./newton.ts";

Deno.test("hessianFree() reaches loss < 1e-8 on Rosenbrock from (−1.5, 2) within 50 outer iterations", () => {
  const r = minimize(rosenbrock, tensor([-1.5, 2]), hessianFree(), { steps: 50, tolerance: 1e-8 });
  assert.ok(r.losses.at(-1)! < 1e-8, `loss ${r.losses.at(-1)} after ${r.path.length} outer iterations`);
  assert.ok(r.path.length <= 50);
});

Deno.test("hessianFree({ damping: 0 }) minimizes a 20-D strictly convex quadratic in at most 20 CG iterations (up to round-off)", () => {
  const { f, x0 } = quadratic(20, 3);
  const opt = hessianFree({ damping: 0, cgTolerance: 0, maxCgIterations: 20 });
  const r = opt.update(valueAndGrad(f)(x0).grad, opt.init(x0), x0, contextFor(f, x0));
  assert.equal(r.state.cgIterations, 20);
  const x1 = sub(x0, mul(r.updates as Tensor, -1));
  assert.ok(f(x1).item() <= 1e-12 * f(x0).item(), `loss ${f(x0).item()} → ${f(x1).item()}`);
});

Deno.test("hessianFree() shrinks the damping by ⅔ when the model predicts the decrease well (ρ > ¾) and grows it by 1.5 when not", () => {
  const { f, x0 } = quadratic(5, 1);
  const opt = hessianFree({ damping: 3 });
  const r = opt.update(valueAndGrad(f)(x0).grad, opt.init(x0), x0, contextFor(f, x0));
  assert.ok(Math.abs(r.state.reductionRatio - 1) < 1e-9, `ρ = ${r.state.reductionRatio} on a quadratic`);
  assert.equal(r.state.damping, 2);
  // Rosenbrock after one Newton step from (−1.5, 2): the next full Newton step raises the loss from 6.0 to 751.
  const x = minimize(rosenbrock, tensor([-1.5, 2]), newton(), { steps: 1 }).x,
    bad = hessianFree({ damping: 1e-6, cgTolerance: 1e-12 });
  const s = bad.update(valueAndGrad(rosenbrock)(x).grad, bad.init(x), x, contextFor(rosenbrock, x)).state;
  assert.ok(s.reductionRatio < 0.25, `ρ = ${s.reductionRatio}`);
  assert.equal(s.damping, 1.5e-6);
});

Deno.test("hessianFree() stops CG at negative curvature and still steps downhill", () => {
  const saddle = (v: Tensor) => sum(mul(square(v), tensor([1, -1]))); // H = diag(2, −2)
  const x = tensor([1, 0.5]), opt = hessianFree({ damping: 0, adaptive: false });
  const g = valueAndGrad(saddle)(x).grad;
  const r = opt.update(g, opt.init(x), x, contextFor(saddle, x));
  assert.equal(r.state.negativeCurvature, 1);
  const u = (r.updates as Tensor).data;
  assert.ok(u[0] * g.data[0] + u[1] * g.data[1] < 0, "a descent step");
  assert.ok(saddle(sub(x, mul(r.updates as Tensor, -1))).item() < saddle(x).item());
});

/** r(x) = (x₀x₁ − 1, x₀ − 2) and f = ½‖r‖²: zero residual at (2, ½), an indefinite Hessian at the origin. */
const residuals = (v: Tensor) => {
  const a = slice(v, [0], [1]), b = slice(v, [1], [1]);
  return concat([sub(mul(a, b), 1), sub(a, 2)]);
};
const halfSquares = (z: Tensor) => mul(sum(square(z)), 0.5);
const leastSquares = (v: Tensor) => halfSquares(residuals(v));

Deno.test("hessianFree({ gaussNewton: true }) runs on the context's Gauss–Newton products JᵀJ·v, positive semidefinite where H is not", () => {
  // At the origin: J = [[x₁, x₀], [1, 0]] = [[0, 0], [1, 0]], so G = JᵀJ = [[1, 0], [0, 0]], while
  // H = G + r₀·∇²r₀ = [[1, −1], [−1, 0]] is indefinite.
  const origin = tensor([0, 0]);
  assert.deepEqual(gaussNewtonVp(residuals, halfSquares, origin, tensor([3, 5])).toArray(), [3, 0]);
  assert.deepEqual(hvp(leastSquares, origin, tensor([3, 5])).toArray(), [-2, -3]);
  const r = minimize(leastSquares, tensor([1, 1]), hessianFree({ gaussNewton: true }), {
    steps: 30,
    tolerance: 1e-20,
    gaussNewton: { model: residuals, loss: halfSquares },
  });
  assert.ok(r.losses.at(-1)! <= 1e-20, `loss ${r.losses.at(-1)}`);
  assert.equal(r.counts.hvps, 0);
  assert.ok(r.counts.gaussNewtonVps > 0);
});

Deno.test(
  "hessianFree() trains the homework network below sgd with the same number of loss-and-gradient evaluations, with Hessian (≤ 40 evaluations) or Gauss–Newton products (≤ 30), 20 outer iterations",
  async (t) => {
    const problem = homeworkProblem();
    for (const [options, budget] of [[{}, 40], [{ gaussNewton: true }, 30]] as const) {
      await t.step(JSON.stringify(options), () => {
        const r = minimize(problem.loss, problem.params, hessianFree(options), {
          steps: 20,
          gaussNewton: problem.gaussNewton,
        });
        const { gradients, hvps, gaussNewtonVps } = r.counts;
        assert.ok(gradients <= budget, `used ${gradients} loss-and-gradient evaluations`);
        const baseline = bestSgdLoss(problem, gradients);
        assert.ok(
          r.losses.at(-1)! < baseline,
          `hessian-free: ${
            r.losses.at(-1)
          } with ${gradients} evaluations, ${hvps} Hv, ${gaussNewtonVps} Gv; sgd: ${baseline}`,
        );
      });
    }
  },
);

Deno.test("hessianFree() rejects bad input with a clear error and leaves the parameters as they were", async (t) => {
  const f = (v: Tensor) => sum(square(v));
  const x = tensor([1, 2]), g = tensor([2, 4]), opt = hessianFree(), state = opt.init(x);
  const check = (o: typeof opt, context: UpdateContext | undefined, grads: Tree, message: RegExp, name: string) => {
    assert.throws(() => o.update(grads, state, x, context), { name, message });
    assert.deepEqual(x.toArray(), [1, 2]);
    assert.equal(state.step, 0);
  };
  await t.step("a non-scalar loss", () => {
    check(
      opt,
      { ...contextFor(f, x), loss: tensor([1, 2]) as unknown as number },
      g,
      /must be a scalar \(one element\): current shape is \[2\]/,
      "RangeError",
    );
  });
  await t.step("a missing hvp, or gaussNewtonVp with gaussNewton", () => {
    const { hvp: _, ...rest } = contextFor(f, x);
    check(opt, rest, g, /must provide hvp\(params, v\) → H·v \(for the Hessian-vector products\)/, "TypeError");
    check(
      hessianFree({ gaussNewton: true }),
      contextFor(f, x),
      g,
      /must provide gaussNewtonVp\(params, v\) → G·v \(for the Gauss–Newton products \(gaussNewton: true\)\), a function: current value is undefined/,
      "TypeError",
    );
  });
  await t.step("NaN in the gradient or in a curvature product", () => {
    check(
      opt,
      contextFor(f, x),
      tensor([2, NaN]),
      /the gradient must be finite: current value at element 1 is NaN/,
      "RangeError",
    );
    check(
      opt,
      { ...contextFor(f, x), hvp: () => tensor([NaN, 0]) },
      g,
      /Hessian-vector product .* must be finite/,
      "RangeError",
    );
  });
});

Deno.test("hessianFree() rejects out-of-range options", () => {
  assert.throws(() => hessianFree({ maxCgIterations: 0 }), {
    name: "RangeError",
    message:
      'Cannot create optimizer "hessian-free" as maxCgIterations must be an integer in [1, ∞): current value is 0',
  });
  assert.throws(() => hessianFree({ cgTolerance: -1 }), RangeError);
  assert.throws(() => hessianFree({ warmStart: 2 }), RangeError);
});
