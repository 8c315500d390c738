import assert from "node:assert/strict";
import { valueAndGrad } from "../../core/autodiff.ts";
import type { UpdateContext } from "../../core/interfaces.ts";
import { mul, square, sub, sum } from "../../core/ops/mod.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { applyUpdates, type Tree } from "../../core/tree.ts";
import { minimize } from "../../train/minimize.ts";
import { bestSgdLoss, firstOrderContextFor, homeworkProblem, rosenbrock } from "./_second_order_fixtures.ts";
import { lbfgs, type LbfgsState } from "./lbfgs.ts";

/** A badly scaled quadratic in 6 dimensions. */
const scaled = (v: Tensor) => sum(mul(square(sub(v, 1)), tensor([1, 3, 10, 30, 100, 300])));

Deno.test("lbfgs() reaches loss < 1e-8 on Rosenbrock from (−1.5, 2) within 100 iterations", () => {
  const r = minimize(rosenbrock, tensor([-1.5, 2]), lbfgs(), { steps: 100, tolerance: 1e-8 });
  assert.ok(r.losses.at(-1)! < 1e-8, `loss ${r.losses.at(-1)} after ${r.path.length} iterations`);
  assert.ok(r.path.length <= 100);
});

Deno.test("lbfgs() starts like torch.optim.LBFGS: d = −g, first trial t = min(1, 1/‖g‖₁)·lr", () => {
  // f = Σ (xᵢ − 1)² at xᵢ = 1.1 (6 of them): g = 0.2 each, ‖g‖₁ = 1.2, t₀ = 1/1.2, which meets both Wolfe
  // conditions (φ(t₀) = 6·(0.1 − 0.2t₀)² ≈ 0.027 ≤ 0.06 − 10⁻⁴·t₀·0.24; |φ′(t₀)| = 0.16 ≤ 0.9·0.24).
  const bowl = (v: Tensor) => sum(square(sub(v, 1)));
  const x = tensor([1.1, 1.1, 1.1, 1.1, 1.1, 1.1]), opt = lbfgs();
  const g = valueAndGrad(bowl)(x).grad;
  const r = opt.update(g, opt.init(x), x, firstOrderContextFor(bowl, x));
  const t0 = 1 / Array.from(g.data).reduce((a, v) => a + Math.abs(v), 0);
  (r.updates as Tensor).data.forEach((u, i) => assert.equal(u, -t0 * g.data[i], `coordinate ${i}`));
  assert.equal(r.state.stepSize, t0);
  assert.equal(r.state.steps.length, 0);
  const half = lbfgs({ learningRate: 0.5 });
  assert.equal(half.update(g, half.init(x), x, firstOrderContextFor(bowl, x)).state.stepSize, 0.5 * t0);
});

Deno.test("lbfgs() computes d = −H·g by the two-loop recursion, H the BFGS update of γI over the kept pairs", () => {
  const opt = lbfgs({ historySize: 3 });
  let x = tensor([0, 0, 0, 0, 0, 0]), state: LbfgsState = opt.init(x);
  for (let k = 0; k < 6; k++) {
    const g = valueAndGrad(scaled)(x).grad;
    const r = opt.update(g, state, x, firstOrderContextFor(scaled, x));
    state = r.state;
    x = applyUpdates(x, r.updates);
    if (k === 0) continue;
    assert.ok(state.steps.length <= 3);
    // H = γI, then H ← (I − ρsyᵀ)H(I − ρysᵀ) + ρssᵀ for each kept pair, oldest first.
    const n = 6;
    let h = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? state.hDiag : 0)));
    state.steps.forEach((sT, p) => {
      const s = [...sT.data], y = [...state.gradChanges[p].data], rho = 1 / s.reduce((a, si, i) => a + si * y[i], 0);
      const v = (i: number, j: number) => (i === j ? 1 : 0) - rho * y[i] * s[j];
      const hv = h.map((row) => row.map((_, j) => row.reduce((a, hik, kk) => a + hik * v(kk, j), 0)));
      h = h.map((_, i) => h.map((_, j) => rho * s[i] * s[j] + hv.reduce((a, row, kk) => a + v(kk, i) * row[j], 0)));
    });
    const d = state.direction!.data;
    h.forEach((row, i) => {
      const want = -row.reduce((a, hij, j) => a + hij * g.data[j], 0);
      assert.ok(
        Math.abs(d[i] - want) < 1e-9 * (1 + Math.abs(want)),
        `iteration ${k}, coordinate ${i}: ${d[i]} vs ${want}`,
      );
    });
  }
});

Deno.test("lbfgs() keeps at most historySize pairs, dropping the oldest", () => {
  const r = minimize(rosenbrock, tensor([-1.5, 2]), lbfgs({ historySize: 2 }), { steps: 10 });
  assert.ok(r.losses.at(-1)! < r.losses[0]);
  const opt = lbfgs({ historySize: 2 });
  let x = tensor([-1.5, 2]), state = opt.init(x);
  const seen: Tensor[][] = [];
  for (let k = 0; k < 5; k++) {
    const out = opt.update(valueAndGrad(rosenbrock)(x).grad, state, x, firstOrderContextFor(rosenbrock, x));
    state = out.state;
    x = applyUpdates(x, out.updates);
    seen.push([...state.steps]);
    assert.ok(state.steps.length <= 2 && state.rho.length === state.steps.length);
  }
  assert.equal(seen[4][0], seen[3][1], "the newest pair of one step is the oldest of the next");
});

Deno.test("lbfgs() trains float32 parameters in a tree", () => {
  type P = { w: Tensor; b: Tensor };
  const f = (p: P) => sum(square(sub(mul(p.w, tensor([2, 3], undefined, "float32")), p.b)));
  const x0 = { w: tensor([1, 1], undefined, "float32"), b: tensor(new Float32Array([0.5])) };
  const r = minimize(f, x0, lbfgs(), { steps: 20 });
  assert.equal(r.x.w.dtype, "float32");
  assert.ok(r.losses.at(-1)! < 1e-6 * r.losses[0], `loss ${r.losses[0]} → ${r.losses.at(-1)}`);
});

Deno.test("lbfgs() trains the homework network below sgd with the same ≤ 40 loss-and-gradient evaluations (20 iterations)", () => {
  const problem = homeworkProblem();
  const r = minimize(problem.loss, problem.params, lbfgs(), { steps: 20 });
  const { gradients } = r.counts;
  assert.ok(gradients <= 40, `lbfgs used ${gradients} loss-and-gradient evaluations`);
  const baseline = bestSgdLoss(problem, gradients);
  assert.ok(r.losses.at(-1)! < baseline, `lbfgs: ${r.losses.at(-1)} with ${gradients} evaluations; sgd: ${baseline}`);
});

Deno.test("lbfgs() rejects bad input with a clear error and leaves the parameters as they were", async (t) => {
  const f = (v: Tensor) => sum(square(v));
  const x = tensor([1, 2]), g = tensor([2, 4]), opt = lbfgs(), state = opt.init(x);
  const check = (context: UpdateContext | undefined, grads: Tree, message: RegExp, name: string) => {
    assert.throws(() => opt.update(grads, state, x, context), { name, message });
    assert.deepEqual(x.toArray(), [1, 2]);
    assert.equal(state.step, 0);
  };
  await t.step("a non-scalar loss", () => {
    check(
      { ...firstOrderContextFor(f, x), loss: tensor([[1], [2]]) as unknown as number },
      g,
      /must be a scalar \(one element\): current shape is \[2,1\]/,
      "RangeError",
    );
  });
  await t.step("a missing evaluate", () => {
    check(
      { loss: 5, hvp: (p) => p },
      g,
      /must provide evaluate\(params\) → \{ loss, grads \} \(for the line search\)/,
      "TypeError",
    );
  });
  await t.step("NaN in the gradient", () => {
    check(
      firstOrderContextFor(f, x),
      tensor([2, NaN]),
      /the gradient must be finite: current value at element 1 is NaN/,
      "RangeError",
    );
  });
  await t.step("a schedule that gives a non-positive rate", () => {
    assert.throws(() => lbfgs({ learningRate: () => 0 }).update(g, state, x, firstOrderContextFor(f, x)), {
      name: "RangeError",
      message:
        'Cannot update with optimizer "lbfgs" as the learning rate must be a positive number: current value at step 0 is 0',
    });
  });
});

Deno.test("lbfgs() rejects out-of-range options", () => {
  assert.throws(() => lbfgs({ historySize: 0 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "lbfgs" as historySize must be an integer in [1, ∞): current value is 0',
  });
  assert.throws(() => lbfgs({ learningRate: 0 }), /learningRate must be a number in \(0, ∞\)/);
  assert.throws(() => lbfgs({ c2: 0 }), RangeError);
});
