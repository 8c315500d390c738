import assert from "node:assert/strict";
import type { Optimizer } from "../../core/interfaces.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
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
