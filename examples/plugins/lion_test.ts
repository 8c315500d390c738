import assert from "node:assert/strict";
import lionPlugin, { lion } from "./lion.ts";
import { applyUpdates, createRegistry, grad, type Optimizer, square, sum, type Tensor, tensor } from "../../mod.ts";
import { checkPlugin } from "../../tests/kit/mod.ts";

Deno.test("lion passes the plugin conformance checks", async () => {
  const report = await checkPlugin(lionPlugin, { options: { learningRate: 0.01 }, log: false });
  assert.ok(report.ok);
});

Deno.test("lion takes the steps of the paper's Algorithm 2, computed by hand", () => {
  const [eta, beta1, beta2, lambda] = [0.1, 0.9, 0.99, 0.5];
  const opt = lion({ learningRate: eta, beta1, beta2, weightDecay: lambda });
  let params = tensor([1, -2]);
  let state = opt.init(params);
  let theta = [1, -2], m = [0, 0];
  for (const g of [[2, -1], [-3, 0.5], [0.2, 0.2]]) {
    const r = opt.update(tensor(g), state, params);
    params = applyUpdates(params, r.updates);
    state = r.state;
    const c = m.map((mi, i) => beta1 * mi + (1 - beta1) * g[i]);
    theta = theta.map((t, i) => t - eta * (Math.sign(c[i]) + lambda * t));
    m = m.map((mi, i) => beta2 * mi + (1 - beta2) * g[i]);
    (params.toArray() as number[]).forEach((v, i) => assert.ok(Math.abs(v - theta[i]) < 1e-15, `${v} vs ${theta[i]}`));
  }
  assert.equal(state.step, 3);
  ((state.momentum as Tensor).toArray() as number[]).forEach((v, i) => assert.ok(Math.abs(v - m[i]) < 1e-15));
});

Deno.test("lion() throws RangeError when beta1 is outside [0, 1)", () => {
  assert.throws(() => lion({ beta1: 1 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "lion" as beta1 must be a number in [0, 1): current value is 1',
  });
});

Deno.test("lion() throws RangeError when a schedule gives a negative learning rate", () => {
  const opt = lion({ learningRate: () => -1 });
  const p = tensor([1]);
  assert.throws(() => opt.update(tensor([1]), opt.init(p), p), {
    name: "RangeError",
    message:
      'Cannot update optimizer "lion" as the learning rate at step 0 must be a finite number ≥ 0: current value is -1',
  });
});

Deno.test("lion trains by name once registered", () => {
  const registry = createRegistry({ plugins: [lionPlugin] });
  const opt = registry.create("optimizer", "lion", { learningRate: 0.01 }) as Optimizer;
  const f = (x: Tensor) => sum(square(x));
  let x = tensor([0.5, -0.5]);
  let state = opt.init(x);
  const first = f(x).item();
  for (let k = 0; k < 60; k++) {
    const r = opt.update(grad(f)(x), state, x);
    x = applyUpdates(x, r.updates);
    state = r.state;
  }
  assert.ok(f(x).item() < 0.1 * first, `${first} → ${f(x).item()}`);
});
