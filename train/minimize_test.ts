import assert from "node:assert/strict";
import { hvp } from "../core/autodiff.ts";
import type { Optimizer } from "../core/interfaces.ts";
import { concat, mul, slice, square, sub, sum } from "../core/ops/mod.ts";
import { type Tensor, tensor } from "../core/tensor.ts";
import { applyUpdates } from "../core/tree.ts";
import { bfgs } from "../plugins/optimizers/bfgs.ts";
import { gaussNewtonVp, minimize } from "./minimize.ts";

const bowl = (v: Tensor) => sum(mul(square(v), tensor([1, 10])));

Deno.test("minimize() supplies loss, evaluate and hvp in the update context, and counts the work", () => {
  const seen: string[] = [];
  const probe: Optimizer = {
    init: () => null,
    update(grads, state, params, context) {
      seen.push(Object.keys(context ?? {}).sort().join(","));
      context!.evaluate!(applyUpdates(params, tensor([1, 1])));
      context!.hvp!(params, tensor([1, 0]));
      return { updates: mul(grads as Tensor, -0.01), state };
    },
  };
  const r = minimize(bowl, tensor([1, 1]), probe, { steps: 2 });
  assert.deepEqual(seen, ["evaluate,hvp,loss", "evaluate,hvp,loss"]);
  assert.deepEqual(r.counts, { gradients: 3 + 2, hvps: 2, gaussNewtonVps: 0 });
});

Deno.test("minimize() does not count again a point the optimizer already evaluated (the accepted line-search point)", () => {
  const r = minimize(bowl, tensor([3, -1]), bfgs(), { steps: 5 });
  // Each step: the line-search trials; the next step starts at the accepted trial, served from the cache.
  let fresh = 0;
  const counting: Optimizer = {
    init: (p) => bfgs().init(p),
    update: (g, s, p, c) => bfgs().update(g, s as never, p, { ...c, evaluate: (x) => (fresh++, c!.evaluate!(x)) }),
  };
  const again = minimize(bowl, tensor([3, -1]), counting, { steps: 5 });
  assert.deepEqual(again.losses, r.losses);
  assert.equal(r.counts.gradients, fresh + 1, "the start point plus each line-search trial, nothing more");
});

Deno.test("minimize() reports each point with its loss and the work done to reach it", () => {
  const points: { k: number; loss: number; gradients: number; x: number[] }[] = [];
  const r = minimize(bowl, tensor([3, -1]), bfgs(), {
    steps: 4,
    onPoint: ({ k, x, loss, counts }) => points.push({ k, loss, gradients: counts.gradients, x: [...x.data] }),
  });
  assert.deepEqual(points.map((p) => p.k), [0, 1, 2, 3, 4]);
  assert.deepEqual(points.map((p) => p.loss), r.losses);
  assert.deepEqual(points.slice(1).map((p) => p.x), r.path.map((x) => [...x.data]));
  assert.equal(points[0].gradients, 1);
  assert.equal(points.at(-1)!.gradients, r.counts.gradients);
  // Line searches cost more than one evaluation per step, and the counts never go down.
  assert.ok(points.every((p, i) => i === 0 || p.gradients >= points[i - 1].gradients));
});

Deno.test("minimize() offers gaussNewtonVp when f is split as loss(model(x))", () => {
  const model = (v: Tensor) =>
    concat([sub(mul(slice(v, [0], [1]), slice(v, [1], [1])), 1), sub(slice(v, [0], [1]), 2)]);
  const loss = (z: Tensor) => mul(sum(square(z)), 0.5);
  let products = 0;
  const probe: Optimizer = {
    init: () => null,
    update(_g, state, params, context) {
      const gv = context!.gaussNewtonVp!(params, tensor([3, 5])) as Tensor;
      products++;
      // At the origin J = [[x₁, x₀], [1, 0]] = [[0, 0], [1, 0]]: G·v = JᵀJ·v = (v₀, 0).
      if (products === 1) assert.deepEqual(gv.toArray(), [3, 0]);
      return { updates: tensor([0, 0]), state };
    },
  };
  const r = minimize((v: Tensor) => loss(model(v)), tensor([0, 0]), probe, { steps: 1, gaussNewton: { model, loss } });
  assert.equal(r.counts.gaussNewtonVps, 1);
  assert.throws(() => minimize(bowl, tensor([0, 0]), probe, { gaussNewton: { model } as never }), {
    name: "TypeError",
    message: "Cannot minimize as gaussNewton must be { model, loss }, two functions: current value is object",
  });
});

Deno.test("gaussNewtonVp() equals the Hessian-vector product when the model is linear", () => {
  const a = tensor([[1, 2], [3, 4], [5, 6]]);
  const model = (v: Tensor) => sum(mul(a, v), { axis: 1 });
  const loss = (z: Tensor) => sum(mul(square(z), tensor([1, 2, 3])));
  const x = tensor([0.5, -1]), v = tensor([2, 1]);
  assert.deepEqual(gaussNewtonVp(model, loss, x, v).toArray(), hvp((p: Tensor) => loss(model(p)), x, v).toArray());
});
