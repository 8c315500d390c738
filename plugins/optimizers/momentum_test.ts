import assert from "node:assert/strict";
import type { Optimizer } from "../../core/interfaces.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { applyUpdates } from "../../core/tree.ts";
import { momentum } from "./momentum.ts";
import type { SgdState } from "./sgd.ts";

/** Runs `steps` updates on f(θ) = 2θ² (g = 4θ) from θ₀ and returns the points. */
function pathOn(opt: Optimizer<SgdState>, theta0: number, steps: number): number[] {
  let p: Tensor = tensor([theta0]);
  let state = opt.init(p);
  const out: number[] = [];
  for (let k = 0; k < steps; k++) {
    const r = opt.update(tensor([4 * p.data[0]]), state, p);
    p = applyUpdates(p, r.updates);
    state = r.state;
    out.push(p.data[0]);
  }
  return out;
}

Deno.test("momentum() follows seed 000's rule Δθ = η·g + γ·Δθ_prev with a constant η", () => {
  const eta = 0.05, gamma = 0.9;
  const seed: number[] = [];
  let theta = 1, delta = 0;
  for (let k = 0; k < 6; k++) {
    delta = eta * 4 * theta + gamma * delta;
    theta -= delta;
    seed.push(theta);
  }
  const ours = pathOn(momentum({ learningRate: eta, momentum: gamma }), 1, 6);
  ours.forEach((v, k) => assert.ok(Math.abs(v - seed[k]) < 1e-15, `step ${k + 1}: ${v} vs ${seed[k]}`));
});

Deno.test("momentum() defaults to γ = 0.9 (seed 000) and η = 1e-3 (PyTorch)", () => {
  const opt = momentum();
  const p = tensor([0]);
  const first = opt.update(tensor([1]), opt.init(p), p);
  const second = opt.update(tensor([1]), first.state, p);
  assert.equal((first.updates as Tensor).item(), -1e-3);
  assert.equal((second.updates as Tensor).item(), -1e-3 * 1.9);
});

Deno.test("momentum() with dampening τ = γ is seed 001's moving average after the first step", () => {
  // Seed 001: Δ ← α·Δ + (1 − α)·g. PyTorch starts the buffer at g (undamped), then damps.
  const opt = momentum({ learningRate: 1, momentum: 0.5, dampening: 0.5 });
  const p = tensor([0]);
  const r1 = opt.update(tensor([8]), opt.init(p), p);
  const r2 = opt.update(tensor([4]), r1.state, p);
  assert.equal((r1.updates as Tensor).item(), -8);
  assert.equal((r2.updates as Tensor).item(), -(0.5 * 8 + 0.5 * 4));
});

Deno.test("momentum() multiplies the whole buffer by the scheduled rate (PyTorch), not only the new gradient (seed 000)", () => {
  const opt = momentum({ learningRate: (k) => (k === 0 ? 1 : 0.5), momentum: 0.5 });
  const p = tensor([0]);
  const r1 = opt.update(tensor([1]), opt.init(p), p);
  const r2 = opt.update(tensor([1]), r1.state, p);
  assert.equal((r2.updates as Tensor).item(), -0.5 * (0.5 * 1 + 1)); // seed 000 would give −(0.5·1 + 0.5·1)
});

Deno.test("momentum() adds weightDecay·θ to the gradient", () => {
  const opt = momentum({ learningRate: 0.5, weightDecay: 0.25 });
  const p = tensor([4]);
  assert.equal((opt.update(tensor([0]), opt.init(p), p).updates as Tensor).item(), -0.5);
});

Deno.test("momentum() throws RangeError naming the option, range and value", () => {
  assert.throws(() => momentum({ momentum: -0.1 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "momentum" as momentum must be a number in [0, ∞): current value is -0.1',
  });
  assert.throws(() => momentum({ dampening: 2 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "momentum" as dampening must be a number in [0, 1]: current value is 2',
  });
  assert.throws(() => momentum({ learningRate: -1 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "momentum" as learningRate must be a number in [0, ∞): current value is -1',
  });
});

Deno.test("momentum() throws TypeError for nesterov (use the nesterov optimizer) and for wrong types", () => {
  assert.throws(() => momentum({ nesterov: true } as never), {
    name: "TypeError",
    message:
      'Cannot create optimizer "momentum" as it has an unknown option "nesterov": known options are learningRate, momentum, dampening, weightDecay',
  });
  assert.throws(() => momentum({ momentum: "0.9" } as never), {
    name: "TypeError",
    message: 'Cannot create optimizer "momentum" as momentum must be a number in [0, ∞): current value is "0.9"',
  });
});

Deno.test("momentum().update() names momentum when a schedule gives a bad rate", () => {
  const opt = momentum({ learningRate: () => NaN });
  const p = tensor([1]);
  assert.throws(() => opt.update(tensor([1]), opt.init(p), p), {
    name: "RangeError",
    message:
      'Cannot update optimizer "momentum" as the learning rate at step 0 must be a non-negative finite number: current value is NaN',
  });
});
