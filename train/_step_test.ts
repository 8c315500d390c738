import assert from "node:assert/strict";
import type { Optimizer } from "../core/interfaces.ts";
import { Random } from "../core/random.ts";
import { type Tensor, tensor } from "../core/tensor.ts";
import { type Tree, treeMap } from "../core/tree.ts";
import { dense } from "../plugins/layers/dense.ts";
import { mse } from "../plugins/losses/mse.ts";
import { adam } from "../plugins/optimizers/adam.ts";
import { _trainStep, type StepInput } from "./_step.ts";

type Dense = { weight: Tensor; bias: Tensor };

function input(optimizer: Optimizer, donate: boolean): StepInput {
  const model = dense({ units: 2 });
  const { params, state } = model.init([3], new Random(0));
  return {
    model,
    loss: mse(),
    optimizer,
    regularizers: [],
    params,
    layerState: state,
    optState: optimizer.init(params),
    regStates: [],
    x: tensor([[1, 2, 3], [-1, 0.5, 2]]),
    y: tensor([[1, 0], [0, 1]]),
    rng: new Random(1).getState(),
    step: 0,
    learningRate: 0.1,
    where: "step 1",
    epoch: 1,
    history: { epochs: [], steps: [] },
    donate,
    donateParams: donate,
  };
}

Deno.test("_trainStep() with donate writes the parameters and Adam's moments over the old buffers, with the same values", () => {
  const opt = adam({ learningRate: 0.1 }) as unknown as Optimizer;
  const donated = input(opt, true), copied = input(opt, false);
  const before = donated.params as Dense, moments = donated.optState as { m: Dense };
  const a = _trainStep(donated), b = _trainStep(copied);
  assert.equal((a.params as Dense).weight.data, before.weight.data);
  assert.equal((a.optState as { m: Dense }).m.weight.data, moments.m.weight.data);
  assert.notEqual((b.params as Dense).weight.data, (copied.params as Dense).weight.data);
  assert.deepEqual((a.params as Dense).weight.toArray(), (b.params as Dense).weight.toArray());
  assert.deepEqual((a.optState as { v: Dense }).v.bias.toArray(), (b.optState as { v: Dense }).v.bias.toArray());
});

Deno.test("_trainStep() does not donate parameters that the new optimizer state holds", () => {
  // An optimizer that keeps the parameters it saw (as line-search methods keep the previous point).
  const keeping: Optimizer = {
    init: () => ({ previous: null }),
    update: (grads, _state, params) => ({ updates: treeMap((g) => g, grads), state: { previous: params } }),
  };
  const step = input(keeping, true);
  const values = ((step.params as Dense).weight.toArray() as number[][]).map((row) => [...row]);
  const r = _trainStep(step);
  const kept = (r.optState as { previous: Tree }).previous as Dense;
  assert.equal(kept, step.params);
  assert.deepEqual(kept.weight.toArray(), values);
  assert.notEqual((r.params as Dense).weight.data, kept.weight.data);
});
