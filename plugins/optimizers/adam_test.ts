import assert from "node:assert/strict";
import type { Optimizer } from "../../core/interfaces.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { applyUpdates } from "../../core/tree.ts";
import { adam, type AdamState } from "./adam.ts";

function updatesFor(opt: Optimizer<AdamState>, grads: number[], param = 0): number[] {
  const p = tensor([param]);
  let state = opt.init(p);
  return grads.map((g) => {
    const r = opt.update(tensor([g]), state, p);
    state = r.state;
    return (r.updates as Tensor).item();
  });
}

Deno.test("adam() first step is −α·g/(|g| + ε): m̂ = g and v̂ = g² after bias correction", () => {
  const [u] = updatesFor(adam({ learningRate: 0.1 }), [2]);
  assert.ok(Math.abs(u - -0.1 * 2 / (2 + 1e-8)) < 1e-15, `${u}`);
});

Deno.test("adam() keeps a step of about α under a constant gradient", () => {
  for (const u of updatesFor(adam({ learningRate: 0.01 }), [5, 5, 5, 5, 5])) {
    assert.ok(Math.abs(u + 0.01) < 1e-9, `${u}`);
  }
});

Deno.test("adam() adds ε to √v̂ after bias correction (seed 000's Algorithm 1 and PyTorch), not section 2's ε̂", () => {
  // g = 1, ε = 1: m̂ = 1, √v̂ = 1, so the step is −α·1/(1 + 1).
  // Section 2's form, α·√(1 − β₂)/(1 − β₁)·m/(√v + ε), would give about −0.031·α.
  const [u] = updatesFor(adam({ learningRate: 0.1, epsilon: 1 }), [1]);
  assert.ok(Math.abs(u - -0.05) < 1e-15, `${u}`);
});

Deno.test("adam() with amsgrad divides by the running maximum of v (PyTorch's numbers)", () => {
  // Computed by hand from torch.optim.Adam(lr=0.1, betas=(0.9, 0.5), amsgrad=...) with g = 10, then 1:
  // v1 = 50, v2 = 25.5; AMSGrad keeps 50. Step 2: −(0.1/0.19)·m2/(√v/√0.75 + 1e-8), m2 ≈ 1.
  const [, withMax] = updatesFor(adam({ learningRate: 0.1, beta2: 0.5, amsgrad: true }), [10, 1]);
  const [, plain] = updatesFor(adam({ learningRate: 0.1, beta2: 0.5 }), [10, 1]);
  assert.ok(Math.abs(withMax - -0.06446025631008363) < 1e-15, `${withMax}`);
  assert.ok(Math.abs(plain - -0.09026241307810064) < 1e-15, `${plain}`);
});

Deno.test("adam() weightDecay is PyTorch's coupled L2: λθ enters the moments and is normalized", () => {
  // g = 0, θ = 1, λ = 0.5: the gradient seen is 0.5, and Adam's first step has length α whatever its size.
  const [u] = updatesFor(adam({ learningRate: 0.1, weightDecay: 0.5 }), [0], 1);
  assert.ok(Math.abs(u - -0.1 * 0.5 / (0.5 + 1e-8)) < 1e-15, `${u}`);
});

Deno.test("adam() defaults are seed 000's: α = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8", () => {
  const [a, b] = updatesFor(adam(), [3, 1]);
  const m2 = 0.9 * 0.3 + 0.1 * 1, v2 = 0.999 * 0.001 * 9 + 0.001 * 1;
  const expected = -0.001 * (m2 / (1 - 0.81)) / (Math.sqrt(v2 / (1 - 0.999 ** 2)) + 1e-8);
  assert.ok(Math.abs(a - -0.001 * 3 / (3 + 1e-8)) < 1e-15);
  assert.ok(Math.abs(b - expected) < 1e-15, `${b} vs ${expected}`);
});

Deno.test("adam() reads a schedule at step t − 1", () => {
  const asked: number[] = [];
  updatesFor(adam({ learningRate: (k) => (asked.push(k), 0.1) }), [1, 1, 1]);
  assert.deepEqual(asked, [0, 1, 2]);
});

Deno.test("adam() state counts steps and holds m, v and (with amsgrad) vMax shaped like the params", () => {
  const params = { w: tensor([[1, 2]]), b: tensor([0], [1], "float32") };
  const opt = adam({ amsgrad: true });
  const init = opt.init(params);
  assert.equal(init.step, 0);
  const { state, updates } = opt.update(params, init, params);
  assert.equal(state.step, 1);
  assert.deepEqual((state.m as { w: Tensor }).w.shape, [1, 2]);
  assert.equal((state.vMax as { b: Tensor }).b.dtype, "float32");
  assert.equal((updates as { b: Tensor }).b.dtype, "float32");
  assert.equal(adam().init(params).vMax, null);
});

Deno.test("adam() walks toward the minimum of a quadratic", () => {
  const opt = adam({ learningRate: 0.05 });
  let p = tensor([3, -2]);
  let state = opt.init(p);
  for (let k = 0; k < 300; k++) {
    const r = opt.update(p, state, p); // f = ½‖θ‖², g = θ
    p = applyUpdates(p, r.updates);
    state = r.state;
  }
  assert.ok(Math.hypot(...p.data) < 0.05, `${p}`);
});

Deno.test("adam() throws RangeError when beta1 is outside [0, 1)", () => {
  assert.throws(() => adam({ beta1: 1 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "adam" as beta1 must be a number in [0, 1): current value is 1',
  });
});

Deno.test("adam() throws RangeError when beta2 is outside [0, 1) or epsilon is negative", () => {
  assert.throws(() => adam({ beta2: 1.5 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "adam" as beta2 must be a number in [0, 1): current value is 1.5',
  });
  assert.throws(() => adam({ epsilon: -1 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "adam" as epsilon must be a number in [0, ∞): current value is -1',
  });
});

Deno.test("adam() throws TypeError for a wrong type or an unknown option", () => {
  assert.throws(() => adam({ amsgrad: 1 } as never), {
    name: "TypeError",
    message: 'Cannot create optimizer "adam" as amsgrad must be true or false: current value is 1',
  });
  assert.throws(() => adam({ betas: [0.9, 0.99] } as never), {
    name: "TypeError",
    message:
      'Cannot create optimizer "adam" as it has an unknown option "betas": known options are learningRate, beta1, beta2, epsilon, weightDecay, amsgrad',
  });
});

Deno.test("adam().update() throws RangeError naming both shapes when the state belongs to other parameters", () => {
  const opt = adam();
  const state = opt.init({ w: tensor([0, 0, 0]) });
  const p = { w: tensor([1, 2]) };
  assert.throws(() => opt.update(p, state, p), {
    name: "RangeError",
    message:
      'Cannot update optimizer "adam" as state m "w" must have the shape of the gradient [2]: current shape is [3]',
  });
  assert.throws(() => opt.update({ w: tensor([1]) }, opt.init(p), p), {
    name: "RangeError",
    message:
      'Cannot update optimizer "adam" as the gradient "w" must have the shape of the parameters [2]: current shape is [1]',
  });
});
