import assert from "node:assert/strict";
import { type Backend, jsBackend, setBackend } from "../../core/backend.ts";
import type { Optimizer } from "../../core/interfaces.ts";
import { type DType, type Tensor, tensor } from "../../core/tensor.ts";
import { applyUpdates } from "../../core/tree.ts";
import { adam, type AdamState } from "./adam.ts";
import { adamw } from "./adamw.ts";

function updatesFor(opt: Optimizer<AdamState>, grads: number[], param = 0): number[] {
  const p = tensor([param]);
  let state = opt.init(p);
  return grads.map((g) => {
    const r = opt.update(tensor([g]), state, p);
    state = r.state;
    return (r.updates as Tensor).item();
  });
}

Deno.test("adamw() shrinks θ by the factor (1 − α·λ), outside Adam's normalization", () => {
  const [u] = updatesFor(adamw({ learningRate: 0.1, weightDecay: 0.5 }), [0], 2);
  assert.equal(u, -0.1 * 0.5 * 2);
  // Adam's coupled decay would give a step of length about α instead.
  const [coupled] = updatesFor(adam({ learningRate: 0.1, weightDecay: 0.5 }), [0], 2);
  assert.ok(Math.abs(coupled + 0.1) < 1e-8);
});

Deno.test("adamw() defaults to PyTorch's weightDecay 0.01 and Adam's other defaults", () => {
  const [u] = updatesFor(adamw(), [0], 1);
  assert.equal(u, -1e-3 * 1e-2);
  const [a] = updatesFor(adamw(), [2], 1);
  assert.ok(Math.abs(a - (-1e-5 - 1e-3 * 2 / (2 + 1e-8))) < 1e-15, `${a}`);
});

Deno.test("adamw() with weightDecay 0 is adam() bit for bit", () => {
  const grads = [1, -3, 0.5, 2, 2];
  assert.deepEqual(updatesFor(adamw({ weightDecay: 0 }), grads, 1), updatesFor(adam(), grads, 1));
  assert.deepEqual(
    updatesFor(adamw({ weightDecay: 0, amsgrad: true, learningRate: 0.1 }), grads, 1),
    updatesFor(adam({ amsgrad: true, learningRate: 0.1 }), grads, 1),
  );
});

Deno.test("adamw() multiplies the decay by the scheduled learning rate, as PyTorch does", () => {
  const opt = adamw({ learningRate: (k) => 1 / (k + 1), weightDecay: 0.5 });
  assert.deepEqual(updatesFor(opt, [0, 0], 4), [-2, -1]);
});

Deno.test("adamw() throws RangeError for a negative weightDecay", () => {
  assert.throws(() => adamw({ weightDecay: -0.01 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "adamw" as weightDecay must be a number in [0, ∞): current value is -0.01',
  });
});

Deno.test("adamw() throws RangeError when beta1 is outside [0, 1)", () => {
  assert.throws(() => adamw({ beta1: -0.5 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "adamw" as beta1 must be a number in [0, 1): current value is -0.5',
  });
});

Deno.test("adamw().update() names adamw when a schedule gives a bad rate", () => {
  const opt = adamw({ learningRate: () => Infinity });
  const p = tensor([1]);
  assert.throws(() => opt.update(tensor([1]), opt.init(p), p), {
    name: "RangeError",
    message:
      'Cannot update optimizer "adamw" as the learning rate at step 0 must be a non-negative finite number: current value is Infinity',
  });
});

Deno.test("adamw() steps are θ·(1 − αλ) then PyTorch's Adam step on the raw gradient, to within a few ulps", () => {
  // torch.optim.AdamW on plain numbers: θ.mul_(1 − αλ); m.lerp_(g, 1 − β₁); v.mul_(β₂).addcmul_(g, g, value=1 − β₂);
  // θ.addcdiv_(m, v.sqrt() / √(1 − β₂ᵗ) + ε, value=−α/(1 − β₁ᵗ)).
  const [lr, beta1, beta2, epsilon, wd] = [0.05, 0.9, 0.999, 1e-8, 0.2];
  for (const dtype of ["float64", "float32"] as DType[]) {
    const opt = adamw({ learningRate: lr, weightDecay: wd, beta1, beta2, epsilon });
    let p = tensor([1.5, -2, 0.25], [3], dtype);
    let state = opt.init(p);
    let theta = Array.from(p.data), m = [0, 0, 0], v = [0, 0, 0];
    const grads = [[1, -0.5, 2], [0.3, 0.1, -1], [-2, 4, 0.5]];
    grads.forEach((g, k) => {
      const t = k + 1;
      const r = opt.update(tensor(g, [3], dtype), state, p);
      assert.equal((r.updates as Tensor).dtype, dtype);
      m = m.map((mi, i) => mi + (1 - beta1) * (g[i] - mi));
      v = v.map((vi, i) => vi * beta2 + (1 - beta2) * g[i] * g[i]);
      const stepSize = lr / (1 - beta1 ** t), bc2 = Math.sqrt(1 - beta2 ** t);
      const expected = theta.map((th, i) => -lr * wd * th + (-stepSize * m[i]) / (Math.sqrt(v[i]) / bc2 + epsilon));
      const tolerance = dtype === "float64" ? 1e-14 : 1e-6;
      Array.from((r.updates as Tensor).data).forEach((u, i) => {
        assert.ok(
          Math.abs(u - expected[i]) <= tolerance * Math.abs(expected[i]),
          `${dtype} step ${t}: ${u} vs ${expected[i]}`,
        );
      });
      p = applyUpdates(p, r.updates);
      state = r.state;
      theta = Array.from(p.data);
    });
  }
});

Deno.test("adamw() runs the backend's adamStep kernel for its Adam step, and not with amsgrad", () => {
  let calls = 0;
  const spy: Backend = {
    ...jsBackend,
    name: "spy",
    adamStep(...args) {
      calls++;
      jsBackend.adamStep!(...args);
    },
  };
  const p = { w: tensor([[1, 2]]), b: tensor([0.5]) };
  const previous = setBackend(spy);
  try {
    const opt = adamw();
    opt.update(p, opt.init(p), p);
    assert.equal(calls, 2);
    const ams = adamw({ amsgrad: true });
    ams.update(p, ams.init(p), p);
    assert.equal(calls, 2);
  } finally {
    setBackend(previous);
  }
});
