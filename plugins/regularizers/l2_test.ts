import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { l2 } from "./l2.ts";

Deno.test("l2() penalty is λ Σ θ² over the weights, biases excluded (seed 002)", () => {
  const params = { layer: { weight: tensor([[1, -2], [3, 0]]), bias: tensor([5]) }, gamma: tensor([1]) };
  assert.equal(l2({ lambda: 0.1 }).penalty!(params).item(), 0.1 * (1 + 4 + 9 + 1));
});

Deno.test("l2() penalizes biases too with includeBiases", () => {
  assert.equal(l2({ lambda: 1, includeBiases: true }).penalty!({ weight: tensor([1]), bias: tensor([2]) }).item(), 5);
});

Deno.test("l2() gradient is 2λθ, the weight-decay term of seed 002 eq. 29", () => {
  const g = grad((p: { weight: Tensor }) => l2({ lambda: 0.5 }).penalty!(p))({ weight: tensor([1, -3]) });
  assert.deepEqual(g.weight.toArray(), [1, -3]);
});

Deno.test("l2() penalty is 0 when only biases are present", () => {
  assert.equal(l2().penalty!({ bias: tensor([3]) }).item(), 0);
});

Deno.test("l2() throws on a negative lambda or an unknown option", () => {
  assert.throws(() => l2({ lambda: -1 }), {
    name: "RangeError",
    message: 'Cannot create regularizer "l2" as lambda must be a number in [0, ∞): current value is -1',
  });
  assert.throws(() => l2({ lamda: 1 } as never), /unknown option "lamda"/);
});

Deno.test("l2() leaves batch norm's shift β out like a bias, and keeps its scale γ", () => {
  const params = {
    dense: { weight: tensor([[1, 2]]), bias: tensor([5]) },
    norm: { gamma: tensor([3]), beta: tensor([7]) },
  };
  // λ·(1² + 2² + 3²): the bias and β are not penalized.
  assert.ok(Math.abs(l2({ lambda: 0.5 }).penalty!(params).item() - 0.5 * 14) < 1e-12);
  assert.ok(Math.abs(l2({ lambda: 0.5, includeBiases: true }).penalty!(params).item() - 0.5 * (14 + 25 + 49)) < 1e-12);
});
