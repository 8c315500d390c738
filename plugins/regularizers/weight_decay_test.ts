import assert from "node:assert/strict";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { weightDecay } from "./weight_decay.ts";

type Params = { weight: Tensor; bias: Tensor };

Deno.test("weightDecay() shrinks weights by (1 − ε·λ) after an update, like AdamW", () => {
  const params = { weight: tensor([1, -2]), bias: tensor([3]) };
  const out = weightDecay({ lambda: 0.01 }).project!(params, null, { step: 1, learningRate: 0.5 }).params as Params;
  assert.deepEqual(out.weight.toArray(), [1 * (1 - 0.005), -2 * (1 - 0.005)]);
  assert.equal(out.bias, params.bias);
});

Deno.test("weightDecay() decays biases too with includeBiases", () => {
  const out = weightDecay({ lambda: 0.5, includeBiases: true }).project!(
    { weight: tensor([2]), bias: tensor([4]) },
    null,
    { step: 1, learningRate: 1 },
  ).params as Params;
  assert.deepEqual([out.weight.item(), out.bias.item()], [1, 2]);
});

Deno.test("weightDecay() with no learning rate in the context removes the fraction λ per step", () => {
  const out = weightDecay({ lambda: 0.25 }).project!({ weight: tensor([4]) }, null, { step: 1 }).params as Params;
  assert.equal(out.weight.item(), 3);
});

Deno.test("weightDecay() has no penalty and needs no state", () => {
  const reg = weightDecay();
  assert.equal(reg.penalty, undefined);
  assert.equal(reg.init, undefined);
});

Deno.test("weightDecay() throws on a negative lambda", () => {
  assert.throws(() => weightDecay({ lambda: -0.1 }), {
    name: "RangeError",
    message: 'Cannot create regularizer "weight-decay" as lambda must be a number in [0, ∞): current value is -0.1',
  });
});
