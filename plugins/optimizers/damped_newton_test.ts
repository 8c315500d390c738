import assert from "node:assert/strict";
import { valueAndGrad } from "../../core/autodiff.ts";
import type { UpdateContext } from "../../core/interfaces.ts";
import { add, mul, slice, square, sum } from "../../core/ops/mod.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { minimize } from "../../train/minimize.ts";
import { bestSgdLoss, contextFor, homeworkProblem, rosenbrock } from "./_second_order_fixtures.ts";
import { dampedNewton } from "./damped_newton.ts";
import { newton } from "./newton.ts";

/** f = x² + 3y² + xy: H = [[2, 1], [1, 6]]. */
const bowl = (v: Tensor) => add(sum(mul(tensor([1, 3]), square(v))), sum(mul(slice(v, [0], [1]), slice(v, [1], [1]))));

function updatesOf(opt: ReturnType<typeof dampedNewton>, f: (x: Tensor) => Tensor, x: Tensor) {
  const r = opt.update(valueAndGrad(f)(x).grad, opt.init(x), x, contextFor(f, x));
  return { u: [...(r.updates as Tensor).data], state: r.state };
}

Deno.test("dampedNewton() steps by the hand-computed −(H + αI)⁻¹g", () => {
  // At (1, 1): g = (2x + y, 6y + x) = (3, 7). With α = 1: H + I = [[3, 1], [1, 7]], det 20,
  // (H + I)⁻¹g = (1/20)·(7·3 − 1·7, −1·3 + 3·7) = (0.7, 0.9).
  const { u } = updatesOf(dampedNewton(), bowl, tensor([1, 1]));
  assert.ok(Math.abs(u[0] + 0.7) < 1e-12 && Math.abs(u[1] + 0.9) < 1e-12, `updates ${u}`);
});

Deno.test("dampedNewton() is Newton at α = 0 and gradient descent with rate 1/α as α grows", () => {
  const x = tensor([1, 1]);
  const exact = newton().update(valueAndGrad(bowl)(x).grad, newton().init(x), x, contextFor(bowl, x));
  assert.deepEqual(updatesOf(dampedNewton({ damping: 0 }), bowl, x).u, [...(exact.updates as Tensor).data]);
  const { u } = updatesOf(dampedNewton({ damping: 1e6 }), bowl, x);
  assert.ok(Math.abs(u[0] + 3e-6) < 1e-10 && Math.abs(u[1] + 7e-6) < 1e-10, `updates ${u}`);
});

Deno.test("dampedNewton() throws RangeError when H + αI is singular, and the parameters stay", () => {
  const flat = (v: Tensor) => square(sum(v)); // H = [[2, 2], [2, 2]]
  const x = tensor([1, 2]);
  assert.throws(() => updatesOf(dampedNewton({ damping: 0 }), flat, x), {
    name: "RangeError",
    message: /as H \+ αI must not be singular .*; raise damping: current value is \[\[2, 2\], \[2, 2\]\]$/,
  });
  assert.deepEqual(x.toArray(), [1, 2]);
  assert.ok(updatesOf(dampedNewton({ damping: 0.5 }), flat, x).u.every(Number.isFinite));
});

Deno.test("dampedNewton({ adaptive: true }) shrinks α by ν after a step that lowers the loss", () => {
  const { state } = updatesOf(dampedNewton({ adaptive: true, damping: 1, dampingFactor: 4 }), bowl, tensor([1, 1]));
  assert.deepEqual(state, { step: 1, damping: 0.25, rejected: 0 });
});

Deno.test("dampedNewton({ adaptive: true }) rejects a step that raises the loss, grows α and retries", async (t) => {
  // After one pure Newton step on Rosenbrock, the next one raises the loss from 6.0 to 751.
  const x1 = minimize(rosenbrock, tensor([-1.5, 2]), newton(), { steps: 1 }).x;
  const f1 = rosenbrock(x1).item();
  await t.step("a retry with α·ν succeeds within the same update", () => {
    const { u, state } = updatesOf(dampedNewton({ adaptive: true, damping: 1e-6 }), rosenbrock, x1);
    assert.ok(state.rejected > 0, "the first trial must be rejected");
    assert.ok(Math.abs(state.damping / (1e-6 * 10 ** (state.rejected - 1)) - 1) < 1e-12);
    assert.ok(rosenbrock(tensor([x1.data[0] + u[0], x1.data[1] + u[1]])).item() < f1);
  });
  await t.step("with no trial left the update is zero and α stays grown", () => {
    const { u, state } = updatesOf(dampedNewton({ adaptive: true, damping: 1e-6, maxTrials: 1 }), rosenbrock, x1);
    assert.deepEqual(u, [0, 0]);
    assert.deepEqual(state, { step: 1, damping: 1e-6 * 10, rejected: 1 });
  });
});

Deno.test("dampedNewton() reaches loss < 1e-10 on Rosenbrock from (−1.5, 2), fixed or adaptive", () => {
  for (const options of [{}, { adaptive: true }]) {
    const r = minimize(rosenbrock, tensor([-1.5, 2]), dampedNewton(options), { steps: 60, tolerance: 1e-10 });
    assert.ok(r.losses.at(-1)! < 1e-10, `${JSON.stringify(options)}: loss ${r.losses.at(-1)}`);
  }
});

Deno.test(
  "dampedNewton({ damping: 0.1 }) and ({ adaptive: true }) train the homework network below sgd with the same ≤ 11 and ≤ 20 loss-and-gradient evaluations (10 iterations, 510 Hessian-vector products each)",
  async (t) => {
    const problem = homeworkProblem();
    for (const [options, budget] of [[{ damping: 0.1 }, 11], [{ adaptive: true }, 20]] as const) {
      await t.step(JSON.stringify(options), () => {
        const r = minimize(problem.loss, problem.params, dampedNewton(options), { steps: 10 });
        const { gradients, hvps } = r.counts;
        assert.ok(gradients <= budget, `used ${gradients} loss-and-gradient evaluations`);
        assert.equal(hvps, 10 * 51);
        const baseline = bestSgdLoss(problem, gradients);
        assert.ok(
          r.losses.at(-1)! < baseline,
          `damped-newton: ${r.losses.at(-1)} with ${gradients} evaluations and ${hvps} Hv; sgd: ${baseline}`,
        );
      });
    }
  },
);

Deno.test("dampedNewton() rejects bad input with a clear error and leaves the parameters as they were", async (t) => {
  const x = tensor([1, 2]), g = tensor([2, 4]);
  const f = (v: Tensor) => sum(square(v));
  const fixed = dampedNewton(), adaptive = dampedNewton({ adaptive: true });
  const check = (
    opt: typeof fixed,
    context: UpdateContext | undefined,
    grads: Tensor,
    message: RegExp,
    name: string,
  ) => {
    const state = opt.init(x);
    assert.throws(() => opt.update(grads, state, x, context), { name, message });
    assert.deepEqual(x.toArray(), [1, 2]);
    assert.deepEqual(state, { step: 0, damping: 1, rejected: 0 });
  };
  await t.step("a non-scalar loss", () => {
    const context = { ...contextFor(f, x), loss: tensor([1, 2]) as unknown as number };
    check(
      adaptive,
      context,
      g,
      /the loss in the update context must be a scalar \(one element\): current shape is \[2\]/,
      "RangeError",
    );
    check(fixed, context, g, /must be a scalar/, "RangeError");
  });
  await t.step("a missing hvp", () => {
    const { hvp: _, ...rest } = contextFor(f, x);
    check(fixed, rest, g, /must provide hvp\(params, v\) → H·v \(for the exact Hessian\)/, "TypeError");
  });
  await t.step("a missing evaluate in adaptive mode", () => {
    const { evaluate: _, ...rest } = contextFor(f, x);
    check(
      adaptive,
      rest,
      g,
      /must provide evaluate\(params\) → \{ loss, grads \} \(to try steps \(adaptive: true\)\)/,
      "TypeError",
    );
    assert.doesNotThrow(() => fixed.update(g, fixed.init(x), x, rest));
  });
  await t.step("NaN in the gradient", () => {
    check(
      fixed,
      contextFor(f, x),
      tensor([NaN, 4]),
      /the gradient must be finite: current value at element 0 is NaN/,
      "RangeError",
    );
  });
});

Deno.test("dampedNewton() rejects out-of-range options", () => {
  assert.throws(() => dampedNewton({ damping: -1 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "damped-newton" as damping must be a number in [0, ∞): current value is -1',
  });
  assert.throws(() => dampedNewton({ adaptive: true, damping: 0 }), /damping must be positive when adaptive/);
  assert.throws(() => dampedNewton({ dampingFactor: 1 }), /dampingFactor must be a number in \(1, ∞\)/);
  assert.throws(() => dampedNewton({ maxTrials: 0.5 }), /maxTrials must be an integer/);
});
