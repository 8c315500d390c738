import assert from "node:assert/strict";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { adadelta } from "./adadelta.ts";

function updatesFor(opt: ReturnType<typeof adadelta>, grads: number[], param = 0): number[] {
  const p = tensor([param]);
  let state = opt.init(p);
  return grads.map((g) => {
    const r = opt.update(tensor([g]), state, p);
    state = r.state;
    return (r.updates as Tensor).item();
  });
}

Deno.test("adadelta() with the defaults takes PyTorch's steps (ρ = 0.9, ε = 1e-6, η = 1)", () => {
  // Computed by hand from torch.optim.Adadelta's update with g = 1, then g = 2:
  // E[g²] = 0.1, Δ = √1e-6/√0.100001·1; E[Δ²] = 0.1·Δ²; then E[g²] = 0.49, Δ = √(E[Δ²] + ε)/√0.490001·2.
  const [a, b] = updatesFor(adadelta(), [1, 2]);
  assert.ok(Math.abs(a - -0.0031622618488986636) < 1e-17, `${a}`);
  assert.ok(Math.abs(b - -0.004040595953716794) < 1e-17, `${b}`);
});

Deno.test("adadelta() carries Zeiler's running average of squared steps", () => {
  const rho = 0.5, eps = 0.25;
  const [a, b] = updatesFor(adadelta({ rho, epsilon: eps }), [3, 3]);
  const d1 = Math.sqrt(eps) / Math.sqrt(0.5 * 9 + eps) * 3;
  const d2 = Math.sqrt(0.5 * d1 * d1 + eps) / Math.sqrt(0.5 * 4.5 + 0.5 * 9 + eps) * 3;
  assert.ok(Math.abs(a + d1) < 1e-15 && Math.abs(b + d2) < 1e-15, `${a}, ${b} vs ${-d1}, ${-d2}`);
});

Deno.test("adadelta() scales every step by the learning rate (PyTorch's addition to Zeiler)", () => {
  const base = updatesFor(adadelta(), [1, -2, 3]);
  const half = updatesFor(adadelta({ learningRate: 0.5 }), [1, -2, 3]);
  half.forEach((u, k) => assert.equal(u, base[k] * 0.5));
});

Deno.test("adadelta() adds weightDecay·θ to the gradient", () => {
  const [decayed] = updatesFor(adadelta({ weightDecay: 0.5 }), [0], 2);
  const [plain] = updatesFor(adadelta(), [1]);
  assert.equal(decayed, plain);
});

Deno.test("adadelta() throws RangeError when rho is outside [0, 1]", () => {
  assert.throws(() => adadelta({ rho: 1.5 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "adadelta" as rho must be a number in [0, 1]: current value is 1.5',
  });
});

Deno.test("adadelta() throws RangeError for a negative epsilon and TypeError for a string", () => {
  assert.throws(() => adadelta({ epsilon: -1e-6 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "adadelta" as epsilon must be a number in [0, ∞): current value is -0.000001',
  });
  assert.throws(() => adadelta({ rho: "0.9" } as never), {
    name: "TypeError",
    message: 'Cannot create optimizer "adadelta" as rho must be a number in [0, 1]: current value is "0.9"',
  });
});
