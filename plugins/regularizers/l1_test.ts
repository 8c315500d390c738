import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { l1 } from "./l1.ts";

type Params = { weight: Tensor; bias: Tensor };

Deno.test("l1() penalty is λ Σ |θ| over the weights, biases excluded", () => {
  assert.equal(l1({ lambda: 0.5 }).penalty!({ weight: tensor([1, -2, 0]), bias: tensor([7]) }).item(), 1.5);
  assert.equal(
    l1({ lambda: 0.5, includeBiases: true }).penalty!({ weight: tensor([1]), bias: tensor([-7]) }).item(),
    4,
  );
});

Deno.test("l1() subgradient is λ·sign(θ), 0 at θ = 0", () => {
  const g = grad((p: { weight: Tensor }) => l1({ lambda: 0.5 }).penalty!(p))({ weight: tensor([2, -3, 0]) });
  assert.deepEqual(Array.from(g.weight.data, (v) => v + 0), [0.5, -0.5, 0]);
});

Deno.test("l1() proximal soft-thresholds by ε·λ in project and has no penalty", () => {
  const reg = l1({ lambda: 2, proximal: true });
  assert.equal(reg.penalty, undefined);
  const params = { weight: tensor([1, -0.1, -1, 0.05]), bias: tensor([0.1]) };
  const out = reg.project!(params, null, { step: 1, learningRate: 0.1 }).params as Params;
  assert.deepEqual(Array.from(out.weight.data, (v) => Math.round(v * 1e12) / 1e12), [0.8, 0, -0.8, 0]);
  assert.equal(out.bias, params.bias);
});

Deno.test("l1() proximal uses ε = 1 when the context has no learning rate", () => {
  const out = l1({ lambda: 0.25, proximal: true }).project!({ weight: tensor([1, -0.2]) }, null, { step: 3 });
  assert.deepEqual((out.params as { weight: Tensor }).weight.toArray(), [0.75, 0]);
});

Deno.test("l1() proximal keeps float32 parameters float32", () => {
  const out = l1({ proximal: true }).project!({ weight: tensor([1], [1], "float32") }, null, { step: 1 });
  assert.equal((out.params as { weight: Tensor }).weight.dtype, "float32");
});

Deno.test("l1() proximal throws RangeError for a negative learning rate in the context", () => {
  assert.throws(() => l1({ proximal: true }).project!({ weight: tensor([1]) }, null, { step: 1, learningRate: -1 }), {
    name: "RangeError",
    message:
      'Cannot project with regularizer "l1" as the context\'s learningRate must be a finite number ≥ 0: current value is -1',
  });
});

Deno.test("l1() throws on bad options", () => {
  assert.throws(() => l1({ lambda: NaN }), TypeError);
  assert.throws(() => l1({ proximal: "yes" as never }), {
    name: "TypeError",
    message: 'Cannot create regularizer "l1" as proximal must be true or false: current value is "yes"',
  });
});
