import assert from "node:assert/strict";
import type { Optimizer, Regularizer } from "../core/interfaces.ts";
import { Random } from "../core/random.ts";
import { type Tensor, tensor } from "../core/tensor.ts";
import { type Tree, treeMap } from "../core/tree.ts";
import { dense } from "../plugins/layers/dense.ts";
import { mse } from "../plugins/losses/mse.ts";
import { adam } from "../plugins/optimizers/adam.ts";
import { _trainStep, type StepInput } from "./_step.ts";
import { NonFiniteError } from "./diagnostics.ts";

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

/** An optimizer that steps like SGD, except that its updates are `bad(updates)` from the `at`-th step on. */
function faulty(at: number, bad: (updates: Tree) => Tree): Optimizer {
  return {
    init: () => ({ count: 0 }),
    update(grads, state) {
      const count = (state as { count: number }).count + 1;
      const updates = treeMap((g) => tensor(Array.from(g.data, (v) => -0.1 * v), g.shape), grads);
      return { updates: count >= at ? bad(updates) : updates, state: { count } };
    },
  };
}

Deno.test("_trainStep() refuses an update of another shape or dtype, naming the optimizer and the parameter", () => {
  const cases: [Tree, RegExp][] = [
    [
      { weight: tensor(0.5), bias: tensor([0, 0]) },
      /update of shape \[\] \(float64\) for parameter "weight" of shape \[3,2\]/,
    ],
    [{ weight: tensor([[0, 0, 0], [0, 0, 0]]), bias: tensor([0, 0]) }, /update of shape \[2,3\] \(float64\)/],
    [
      { weight: tensor([[0, 0], [0, 0], [0, 0]], [3, 2], "float32"), bias: tensor([0, 0]) },
      /update of shape \[3,2\] \(float32\) for parameter "weight" of shape \[3,2\] \(float64\)/,
    ],
    [{ weight: tensor([[0, 0], [0, 0], [0, 0]]) }, /with nothing for parameter "bias"/],
  ];
  for (const [updates, message] of cases) {
    const step = { ...input(faulty(1, () => updates), false), optimizerName: 'optimizer "faulty"' };
    const before = (step.params as Dense).weight.toArray();
    assert.throws(() => _trainStep(step), (e: Error) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, /^Cannot train as optimizer "faulty" returned an update/);
      assert.match(e.message, message);
      assert.match(e.message, /at step 1: each must have|at step 1$/);
      return true;
    });
    assert.deepEqual((step.params as Dense).weight.toArray(), before);
  }
});

Deno.test("_trainStep() stops with NonFiniteError when an update makes a parameter NaN or infinite, naming the optimizer", () => {
  for (const value of [NaN, Infinity]) {
    const poison = (u: Tree) => treeMap((t) => tensor(Array.from(t.data, (v, i) => (i === 1 ? value : v)), t.shape), u);
    for (const donate of [false, true]) {
      const step = {
        ...input(faulty(1, poison), donate),
        optimizerName: 'optimizer "faulty"',
        where: "step 4 (epoch 2)",
      };
      const error = (() => {
        try {
          _trainStep({ ...step, step: 3 });
        } catch (e) {
          return e;
        }
      })();
      assert.ok(error instanceof NonFiniteError, String(error));
      assert.equal(error.step, 4);
      assert.equal(error.path, "weight");
      assert.match(
        error.message,
        new RegExp(
          `^Cannot train as optimizer "faulty" made parameter "weight" ${value} at step 4 \\(epoch 2\\) \\(element 1;`,
        ),
      );
    }
  }
});

Deno.test("_trainStep() names the regularizer whose projection makes a parameter non-finite", () => {
  const breaking: Regularizer = {
    project: (params, state) => ({
      params: treeMap((t) => tensor(Array.from(t.data, () => NaN), t.shape), params),
      state,
    }),
  };
  const step = {
    ...input(faulty(Infinity, (u) => u), false),
    regularizers: [breaking],
    regStates: [null],
    regularizerNames: ['regularizer "breaking"'],
  };
  assert.throws(
    () => _trainStep(step),
    /NonFiniteError: Cannot train as the projection of regularizer "breaking" made parameter "weight" NaN/,
  );
});
