import assert from "node:assert/strict";
import { valueAndGrad } from "../../core/autodiff.ts";
import type { Evaluation, UpdateContext } from "../../core/interfaces.ts";
import { add, mul, square, sub, sum } from "../../core/ops/mod.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import type { Tree } from "../../core/tree.ts";
import { minimize } from "../../train/minimize.ts";
import { bestSgdLoss, firstOrderContextFor, homeworkProblem, rosenbrock } from "./_second_order_fixtures.ts";
import { bfgs } from "./bfgs.ts";

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, ai, i) => s + ai * b[i], 0);

Deno.test("bfgs() reaches loss < 1e-8 on Rosenbrock from (−1.5, 2) within 100 iterations", () => {
  const r = minimize(rosenbrock, tensor([-1.5, 2]), bfgs(), { steps: 100, tolerance: 1e-8 });
  assert.ok(r.losses.at(-1)! < 1e-8, `loss ${r.losses.at(-1)} after ${r.path.length} iterations`);
  assert.ok(r.path.length <= 100);
});

Deno.test("bfgs() takes only steps that satisfy the strong Wolfe conditions (c1 = 1e-4, c2 = 0.9)", () => {
  const r = minimize(rosenbrock, tensor([-1.5, 2]), bfgs(), { steps: 30 });
  let x = tensor([-1.5, 2]);
  for (const next of r.path) {
    const a = valueAndGrad(rosenbrock)(x), b = valueAndGrad(rosenbrock)(next);
    const s = next.data.map((v, i) => v - x.data[i]); // = t·d
    const slope = dot(a.grad.data, s);
    assert.ok(slope < 0, "a descent direction");
    assert.ok(b.value.item() <= a.value.item() + 1e-4 * slope, "sufficient decrease");
    assert.ok(Math.abs(dot(b.grad.data, s)) <= 0.9 * Math.abs(slope), "curvature");
    x = next;
  }
});

Deno.test("bfgs() keeps an inverse Hessian that is symmetric positive definite and meets the secant equation H·y = s", () => {
  const opt = bfgs();
  let x = tensor([-1.5, 2]), state = opt.init(x);
  let prev: { g: Float64Array; x: Float64Array } | null = null;
  for (let k = 0; k < 8; k++) {
    const g = valueAndGrad(rosenbrock)(x).grad;
    const r = opt.update(g, state, x, firstOrderContextFor(rosenbrock, x));
    state = r.state;
    if (prev !== null && state.inverseHessian !== null) {
      const h = state.inverseHessian.data,
        y = g.data.map((v, i) => v - prev!.g[i]),
        s = x.data.map((v, i) => v - prev!.x[i]);
      assert.ok(Math.abs(h[1] - h[2]) < 1e-12 * Math.abs(h[1]) + 1e-300, "symmetric");
      assert.ok(h[0] > 0 && h[0] * h[3] - h[1] * h[2] > 0, "positive definite");
      const hy = [h[0] * y[0] + h[1] * y[1], h[2] * y[0] + h[3] * y[1]];
      hy.forEach((v, i) =>
        assert.ok(Math.abs(v - s[i]) < 1e-9 * (Math.abs(s[i]) + 1e-12), `secant: ${hy} vs ${[...s]}`)
      );
    }
    prev = { g: Float64Array.from(g.data), x: Float64Array.from(x.data) };
    x = add(x, r.updates as Tensor);
  }
});

Deno.test("bfgs() works on a parameter tree, coupling the leaves", () => {
  type P = { a: Tensor; b: Tensor };
  const f = (p: P) => add(square(sub(p.a, 1)), mul(10, sum(square(sub(p.b, p.a)))));
  const r = minimize(f, { a: tensor(0), b: tensor([3, -2]) }, bfgs(), { steps: 50, tolerance: 1e-10 });
  assert.ok(r.losses.at(-1)! <= 1e-10);
  assert.ok(Math.abs(r.x.a.item() - 1) < 1e-5 && r.x.b.data.every((v) => Math.abs(v - 1) < 1e-5));
  assert.deepEqual(r.x.a.shape, []);
});

Deno.test("bfgs() takes no step once max|gᵢ| ≤ toleranceGrad", () => {
  const f = (v: Tensor) => sum(square(v)), x = tensor([1e-9, 0]), opt = bfgs();
  const r = opt.update(valueAndGrad(f)(x).grad, opt.init(x), x, firstOrderContextFor(f, x));
  assert.deepEqual((r.updates as Tensor).toArray(), [0, 0]);
});

Deno.test("bfgs() trains the homework network below sgd with the same ≤ 45 loss-and-gradient evaluations (30 iterations)", () => {
  const problem = homeworkProblem();
  const r = minimize(problem.loss, problem.params, bfgs(), { steps: 30 });
  const { gradients } = r.counts;
  assert.ok(gradients <= 45, `bfgs used ${gradients} loss-and-gradient evaluations`);
  assert.equal(r.counts.hvps, 0);
  const baseline = bestSgdLoss(problem, gradients);
  assert.ok(r.losses.at(-1)! < baseline, `bfgs: ${r.losses.at(-1)} with ${gradients} evaluations; sgd: ${baseline}`);
});

Deno.test("bfgs() rejects bad input with a clear error and leaves the parameters as they were", async (t) => {
  const f = (v: Tensor) => sum(square(v));
  const x = tensor([1, 2]), g = tensor([2, 4]), opt = bfgs(), state = opt.init(x);
  const check = (context: UpdateContext | undefined, grads: Tree, message: RegExp, name: string) => {
    assert.throws(() => opt.update(grads, state, x, context), { name, message });
    assert.deepEqual(x.toArray(), [1, 2]);
    assert.deepEqual(state, { step: 0, inverseHessian: null, previousGrad: null, previousStep: null });
  };
  await t.step("a non-scalar loss", () => {
    check(
      { ...firstOrderContextFor(f, x), loss: tensor([5, 0]) as unknown as number },
      g,
      /the loss in the update context must be a scalar \(one element\): current shape is \[2\]/,
      "RangeError",
    );
    const evaluate = (): Evaluation => ({ loss: tensor([1, 2]) as unknown as number, grads: tensor([0, 0]) });
    check(
      { ...firstOrderContextFor(f, x), evaluate },
      g,
      /the loss returned by evaluate\(params\) must be a scalar/,
      "RangeError",
    );
  });
  await t.step("a missing evaluate or loss", () => {
    check(
      { loss: 5 },
      g,
      /must provide evaluate\(params\) → \{ loss, grads \} \(for the line search\), a function: current value is undefined/,
      "TypeError",
    );
    check(
      { evaluate: firstOrderContextFor(f, x).evaluate },
      g,
      /must provide loss \(the loss at the current parameters, a number\)/,
      "TypeError",
    );
  });
  await t.step("NaN in the gradient, given or re-evaluated", () => {
    check(
      firstOrderContextFor(f, x),
      tensor([NaN, 4]),
      /the gradient must be finite: current value at element 0 is NaN/,
      "RangeError",
    );
    const evaluate = (): Evaluation => ({ loss: 1, grads: tensor([NaN, 0]) });
    check(
      { ...firstOrderContextFor(f, x), evaluate },
      g,
      /the gradient returned by evaluate\(params\) must be finite/,
      "RangeError",
    );
  });
});

Deno.test("bfgs() rejects out-of-range options", () => {
  assert.throws(() => bfgs({ c1: 0 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "bfgs" as c1 must be a number in (0, 1): current value is 0',
  });
  assert.throws(() => bfgs({ c1: 0.5, c2: 0.5 }), /c1 must be less than c2/);
  assert.throws(() => bfgs({ historySize: 3 } as never), {
    name: "TypeError",
    message: /unknown option "historySize"/,
  });
});
