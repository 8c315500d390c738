import assert from "node:assert/strict";
import type { Optimizer, StateValue } from "../../core/interfaces.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { adagrad } from "./adagrad.ts";

/** The updates of successive steps for the given gradients, at fixed params. */
function updatesFor<S extends StateValue>(opt: Optimizer<S>, grads: number[][], params?: number[]): number[][] {
  const p = tensor(params ?? grads[0].map(() => 0));
  let state = opt.init(p);
  return grads.map((g) => {
    const r = opt.update(tensor(g), state, p);
    state = r.state;
    return Array.from((r.updates as Tensor).data);
  });
}

Deno.test("adagrad() divides by the root of the summed squared gradients", () => {
  // G1 = 9, G2 = 9 + 16 = 25: steps −η·3/3 and −η·4/5
  assert.deepEqual(updatesFor(adagrad({ learningRate: 0.5, epsilon: 0 }), [[3], [4]]), [[-0.5], [-0.4]]);
});

Deno.test("adagrad() defaults: η = 0.01, ε = 1e-10 outside the root (PyTorch)", () => {
  const [[u]] = updatesFor(adagrad(), [[2]]);
  assert.equal(u, -0.01 * 2 / (2 + 1e-10));
  const [[zero]] = updatesFor(adagrad(), [[0]]);
  assert.ok(zero === 0, `a zero gradient gives a zero step, not ${zero}`); // ε keeps 0/0 away
});

Deno.test("adagrad() decays the rate as η/(1 + k·lrDecay), k counting from 0", () => {
  const [[a], [b]] = updatesFor(adagrad({ learningRate: 1, lrDecay: 1, epsilon: 0 }), [[1], [1]]);
  assert.equal(a, -1);
  assert.equal(b, -0.5 / Math.sqrt(2));
});

Deno.test("adagrad() starts the sum at initialAccumulatorValue", () => {
  const [[u]] = updatesFor(adagrad({ learningRate: 1, initialAccumulatorValue: 16, epsilon: 0 }), [[3]]);
  assert.equal(u, -3 / 5);
  const opt = adagrad({ initialAccumulatorValue: 0.1 });
  assert.deepEqual((opt.init({ w: tensor([[1, 2]]) }).sum as { w: Tensor }).w.toArray(), [[0.1, 0.1]]);
});

Deno.test("adagrad() adds weightDecay·θ to the gradient before accumulating it", () => {
  // g = 0 + 0.5·2 = 1: G = 1, step −η·1/1
  assert.deepEqual(updatesFor(adagrad({ learningRate: 0.1, weightDecay: 0.5, epsilon: 0 }), [[0]], [2]), [[-0.1]]);
});

Deno.test("adagrad() keeps float32 parameters' state float32", () => {
  const opt = adagrad();
  const p = tensor([1], [1], "float32");
  const { updates, state } = opt.update(tensor([1], [1], "float32"), opt.init(p), p);
  assert.equal((updates as Tensor).dtype, "float32");
  assert.equal((state.sum as Tensor).dtype, "float32");
});

Deno.test("adagrad() throws RangeError naming the option, range and value", () => {
  for (const option of ["lrDecay", "weightDecay", "initialAccumulatorValue", "epsilon", "learningRate"]) {
    assert.throws(() => adagrad({ [option]: -1 }), {
      name: "RangeError",
      message: `Cannot create optimizer "adagrad" as ${option} must be a number in [0, ∞): current value is -1`,
    });
  }
});

Deno.test("adagrad() throws TypeError for a non-number option", () => {
  assert.throws(() => adagrad({ epsilon: Infinity }), {
    name: "TypeError",
    message: 'Cannot create optimizer "adagrad" as epsilon must be a number in [0, ∞): current value is Infinity',
  });
});
