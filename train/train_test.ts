import assert from "node:assert/strict";
import { getBackend } from "../core/backend.ts";
import type { Layer, Optimizer, Regularizer, UpdateContext } from "../core/interfaces.ts";
import { add, matmul, mean, mul, sqrt, square, sub } from "../core/ops/mod.ts";
import { type Tensor, tensor } from "../core/tensor.ts";
import { flattenTree, type Tree, treeMap } from "../core/tree.ts";
import { dense } from "../plugins/layers/dense.ts";
import { sequential } from "../plugins/layers/sequential.ts";
import { sigmoid } from "../plugins/layers/sigmoid.ts";
import { mse } from "../plugins/losses/mse.ts";
import { sgd } from "../plugins/optimizers/sgd.ts";
import type { TrainContext } from "./callback.ts";
import { checkpoints } from "./callbacks/checkpoints.ts";
import { twoGaussians } from "./data/two_gaussians.ts";
import { xor } from "./data/xor.ts";
import { NonFiniteError } from "./diagnostics.ts";
import { train, type TrainOptions } from "./train.ts";

const smallNet = () => ({
  name: "sequential",
  layers: [{ name: "dense", units: 4 }, { name: "sigmoid" }, { name: "dense", units: 1 }, { name: "sigmoid" }],
});

const base = (): TrainOptions => ({
  model: smallNet(),
  loss: "mse",
  optimizer: { name: "sgd", learningRate: 0.5 },
  data: twoGaussians({ samples: 20, seed: 3 }),
  epochs: 3,
  batchSize: 6,
});

function sameBits(a: Tree, b: Tree): boolean {
  const fa = flattenTree(a), fb = flattenTree(b);
  return fa.length === fb.length &&
    fa.every(([p, t], i) =>
      p === fb[i][0] && t.size === fb[i][1].size && t.data.every((v, j) => Object.is(v, fb[i][1].data[j]))
    );
}

/** A stochastic layer: multiplies by a random ±1 mask drawn from context.rng in training mode. */
function randomSign(): Layer {
  return {
    init: (inputShape) => ({ params: {}, state: {}, outputShape: [...inputShape] }),
    apply(_p, state, input, context) {
      if (!context.training) return { output: input, state };
      const rng = context.rng!;
      const mask = tensor(Array.from({ length: input.size }, () => (rng.uniform() < 0.2 ? -1 : 1)), [...input.shape]);
      return { output: mul(input, mask), state };
    },
  };
}

/** A layer with state: counts its training calls. */
function counter(): Layer<Record<string, never>, { calls: Tensor }> {
  return {
    init: (inputShape) => ({ params: {}, state: { calls: tensor([0]) }, outputShape: [...inputShape] }),
    apply(_p, state, input, context) {
      return { output: input, state: context.training ? { calls: tensor([state.calls.data[0] + 1]) } : state };
    },
  };
}

Deno.test("train() makes 1, n and ⌈n/B⌉ updates per epoch in the four batching modes", async () => {
  const expected = { "full": 1, "single": 20, "minibatch-fixed": 4, "minibatch-shuffled": 4 } as const;
  for (const [batching, perEpoch] of Object.entries(expected)) {
    const r = await train({ ...base(), batching: batching as TrainOptions["batching"], recordSteps: true });
    assert.equal(r.steps, 3 * perEpoch, batching);
    assert.equal(r.history.steps.length, 3 * perEpoch);
    assert.deepEqual(r.history.epochs.map((e) => e.step), [1, 2, 3].map((e) => e * perEpoch));
  }
});

Deno.test("train() with full batching is plain gradient descent on the mean loss over all samples", async () => {
  const data = { x: tensor([[1, 2], [3, -1], [0, 1]]), y: tensor([[1], [0], [2]]) };
  const model = dense({ units: 1 });
  const r = await train({
    model,
    loss: mse(),
    optimizer: sgd({ learningRate: 0.1 }),
    data,
    batching: "full",
    epochs: 1,
  });
  // Recompute by hand from the initial parameters the trainer used (seeded: a 0-epoch run returns them).
  const init = (await train({ model, loss: mse(), optimizer: "sgd", data, batching: "full", epochs: 0 })).params as {
    weight: Tensor;
    bias: Tensor;
  };
  const x = data.x, y = data.y;
  const residual = sub(add(matmul(x, init.weight), init.bias), y); // [3, 1]
  const gw = mul(matmul(x, residual, { transposeA: true }), 2 / 3);
  const gb = mul(mean(residual), 2);
  const w = sub(init.weight, mul(gw, 0.1)), b = sub(init.bias, mul(gb, 0.1));
  const got = r.params as { weight: Tensor; bias: Tensor };
  got.weight.data.forEach((v, i) => assert.ok(Math.abs(v - w.data[i]) < 1e-12));
  assert.ok(Math.abs(got.bias.data[0] - b.data[0]) < 1e-12);
});

Deno.test("train() reuses the same batches every epoch with minibatch-fixed and redraws them with minibatch-shuffled", async () => {
  const batchesOf = async (batching: "minibatch-fixed" | "minibatch-shuffled") => {
    const seen: string[][] = [];
    // A loss that records which targets (= sample ids) each batch holds.
    const data = {
      x: tensor(Array.from({ length: 12 }, (_, i) => [i])),
      y: tensor(Array.from({ length: 12 }, (_, i) => [i])),
    };
    const loss = (p: Tensor, t: Tensor) => {
      if (seen.length === 0 || seen.at(-1)!.length === 3) seen.push([]);
      seen.at(-1)!.push([...t.data].sort((a, b) => a - b).join(" "));
      return mean(square(sub(p, t)));
    };
    await train({ model: dense({ units: 1 }), loss, optimizer: "sgd", data, batching, batchSize: 4, epochs: 3 });
    return seen;
  };
  const fixed = await batchesOf("minibatch-fixed");
  assert.deepEqual(fixed[1], fixed[0]);
  assert.deepEqual(fixed[2], fixed[0]);
  const shuffled = await batchesOf("minibatch-shuffled");
  assert.notDeepEqual(shuffled[1], shuffled[0]);
  for (const epoch of [...fixed, ...shuffled]) {
    const ids = epoch.flatMap((b) => b.split(" ").map(Number)).sort((a, b) => a - b);
    assert.deepEqual(ids, Array.from({ length: 12 }, (_, i) => i)); // each sample once per epoch
  }
});

Deno.test("train() gives identical weights for the same seed and different ones for another seed", async () => {
  const a = await train({ ...base(), seed: 7 }),
    b = await train({ ...base(), seed: 7 }),
    c = await train({ ...base(), seed: 8 });
  assert.ok(sameBits(a.params, b.params));
  assert.ok(!sameBits(a.params, c.params));
});

Deno.test("train() gives the same weights whether or not its steps write over the old buffers", async () => {
  for (const optimizer of [{ name: "adam", learningRate: 0.05 }, { name: "sgd", learningRate: 0.5, momentum: 0.9 }]) {
    // Reading `params` after every step makes the next step allocate instead of donating its buffers.
    const kept: Tree[] = [];
    const inPlace = await train({ ...base(), optimizer, seed: 7 });
    const allocating = await train({
      ...base(),
      optimizer,
      seed: 7,
      callbacks: [{ onStepEnd: (_r, ctx) => void kept.push(ctx.params) }],
    });
    assert.ok(sameBits(inPlace.params, allocating.params), JSON.stringify(optimizer));
    // What a callback read was never written over: every step's parameters differ from the next.
    for (let i = 1; i < kept.length; i++) assert.ok(!sameBits(kept[i - 1], kept[i]), `step ${i}`);
  }
});

Deno.test("train() snapshots are copies that later steps leave unchanged", async () => {
  const values = (t: Tree) => JSON.stringify(flattenTree(t).map(([, x]) => [...x.data]));
  const taken: { params: Tree; optimizerState: unknown; when: string[] }[] = [];
  await train({
    ...base(),
    optimizer: { name: "adam", learningRate: 0.05 },
    callbacks: [{
      onEpochEnd: (_r, ctx) => {
        const snap = ctx.snapshot();
        taken.push({ ...snap, when: [values(snap.params), values((snap.optimizerState as { m: Tree }).m)] });
      },
    }],
  });
  assert.equal(new Set(taken.map((s) => s.when[0])).size, taken.length, "every epoch's parameters differ");
  for (const s of taken) assert.deepEqual([values(s.params), values((s.optimizerState as { m: Tree }).m)], s.when);
});

Deno.test("train() shows the scheduler the step, starting at 0, and records the learning rate", async () => {
  const calls: number[] = [];
  const r = await train({
    ...base(),
    batching: "full",
    epochs: 4,
    recordSteps: true,
    scheduler: (k: number) => {
      calls.push(k);
      return 0.1 / (k + 1);
    },
  });
  assert.deepEqual([...new Set(calls)], [0, 1, 2, 3]);
  assert.deepEqual(r.history.steps.map((s) => s.learningRate), [0.1, 0.05, 0.1 / 3, 0.025]);
  assert.equal(r.history.epochs[3].learningRate, 0.025);
});

Deno.test("train() refuses a scheduler with an optimizer instance, since it cannot set its learning rate", async () => {
  await assert.rejects(
    train({ ...base(), optimizer: sgd(), scheduler: () => 0.1 }),
    /scheduler as the optimizer must then be a name/,
  );
});

Deno.test("train() adds regularizer penalties to the loss and runs project after each update", async () => {
  const steps: number[] = [];
  const zeroing: Regularizer = {
    penalty: (p) => mul(flattenTree(p).reduce((s, [, t]) => add(s, mean(square(t))), tensor(0)), 1),
    project(params, state, context) {
      steps.push(context.step);
      return { params: treeMap((t) => mul(t, 0), params), state };
    },
  };
  const r = await train({ ...base(), batching: "full", epochs: 3, regularizers: [zeroing] });
  assert.deepEqual(steps, [1, 2, 3]);
  assert.ok(flattenTree(r.params).every(([, t]) => t.data.every((v) => v === 0)));
  assert.equal(r.history.epochs[1].penalty, 0); // after the first projection every weight is 0
  assert.ok(r.history.epochs[0].penalty > 0);
});

Deno.test("train() with an L2 penalty ends with smaller weights than without", async () => {
  const norm = (p: Tree) => flattenTree(p).reduce((s, [, t]) => s + [...t.data].reduce((a, v) => a + v * v, 0), 0);
  const plain = await train({ ...base(), epochs: 20 });
  const l2 = await train({ ...base(), epochs: 20, regularizers: [{ name: "l2", lambda: 0.05 }] });
  assert.ok(norm(l2.params) < norm(plain.params));
  assert.equal(typeof l2.history.epochs[0].penalty, "number");
  assert.equal(plain.history.epochs[0].penalty, undefined);
});

Deno.test("train() holds out a seeded validation fraction and reports valLoss and valAccuracy", async () => {
  const r = await train({
    ...base(),
    validation: 0.25,
    metrics: ["accuracy"],
    callbacks: [{
      onTrainBegin: (ctx: TrainContext) => assert.equal(ctx.samples, 15),
    }],
  });
  const last = r.history.epochs.at(-1)!;
  for (const key of ["loss", "accuracy", "valLoss", "valAccuracy"]) assert.equal(typeof last[key], "number", key);
  assert.ok(last.valAccuracy >= 0 && last.valAccuracy <= 1);
});

Deno.test("train() evaluates an explicit validation set and custom metrics on it", async () => {
  const val = twoGaussians({ samples: 10, seed: 9 });
  const count = { name: "rows", compute: (p: Tensor) => p.shape[0] };
  const r = await train({ ...base(), validation: val, metrics: [count] });
  assert.equal(r.history.epochs[0].valRows, 10);
  assert.ok(r.history.epochs[0].rows > 0 && r.history.epochs[0].rows <= 6);
});

Deno.test("train() reaches full accuracy on XOR", async () => {
  const r = await train({
    model: sequential([dense({ units: 4 }), sigmoid(), dense({ units: 1 }), sigmoid()]),
    loss: "mse",
    optimizer: { name: "sgd", learningRate: 2, momentum: 0.9 },
    data: xor(),
    batching: "full",
    epochs: 400,
    metrics: ["accuracy"],
    seed: 2,
  });
  assert.equal(r.history.epochs.at(-1)!.accuracy, 1);
});

Deno.test("train() stops early after patience epochs without improvement and restores the best weights", async () => {
  // Training pulls the output towards +1 while the validation target is −1: valLoss rises from the first epoch on.
  const data = { x: tensor([[1]]), y: tensor([[1]]) }, validation = { x: tensor([[1]]), y: tensor([[-1]]) };
  let firstEpochParams: Tree | null = null;
  const r = await train({
    model: dense({ units: 1 }),
    loss: "mse",
    optimizer: { name: "sgd", learningRate: 0.1 },
    data,
    validation,
    batching: "full",
    epochs: 50,
    initial: { params: { weight: tensor([[0]]), bias: tensor([0]) } },
    earlyStopping: { patience: 3 },
    callbacks: [{ onEpochEnd: (_r, ctx) => void (ctx.epoch === 1 && (firstEpochParams = ctx.params)) }],
  });
  assert.equal(r.stopReason, "early-stopping");
  assert.equal(r.epochs, 4);
  assert.equal(r.bestEpoch, 1);
  assert.ok(sameBits(r.params, firstEpochParams!));
});

Deno.test("train() keeps the last weights when restoreBest is false, and minDelta ignores small improvements", async () => {
  const r = await train({
    ...base(),
    optimizer: { name: "sgd", learningRate: 1e-6 },
    epochs: 20,
    earlyStopping: { monitor: "loss", patience: 2, minDelta: 1, restoreBest: false },
  });
  assert.equal(r.epochs, 3);
  assert.equal(r.bestEpoch, 1);
});

Deno.test("train() rejects early stopping on valLoss without a validation set", async () => {
  await assert.rejects(train({ ...base(), earlyStopping: true }), /no validation set is given/);
});

Deno.test("train() stops with NonFiniteError naming the step and parameter when a gradient becomes infinite", async () => {
  // y = √(w·x) with w = 0: the output is finite, its derivative in w is infinite.
  const root: Layer<{ w: Tensor }, Record<string, never>> = {
    init: () => ({ params: { w: tensor([[0]]) }, state: {}, outputShape: [1] }),
    apply: (p, state, input) => ({ output: sqrt(matmul(input, p.w)), state }),
  };
  const error = await train({
    model: sequential([root as unknown as Layer]),
    loss: "mse",
    optimizer: "sgd",
    data: { x: tensor([[1], [2]]), y: tensor([[1], [1]]) },
    batching: "full",
  }).catch((e) => e);
  assert.ok(error instanceof NonFiniteError);
  assert.match(error.message, /gradient of "0\.w" \(layer "0"\) became -Infinity at step 1 \(epoch 1, batch 1 of 1\)/);
  // It says the fact, not a section of lecture notes the user does not have.
  assert.match(error.message, /the gradients exploded \(they grow layer by layer through large weights\)/);
  assert.doesNotMatch(error.message, /seed \d|§/);
  assert.equal(error.step, 1);
  assert.equal(error.path, "0.w");
});

Deno.test("train() stops with NonFiniteError when the loss overflows, naming the parameter that did", async () => {
  const error = await train({
    ...base(),
    model: dense({ units: 1 }),
    optimizer: { name: "sgd", learningRate: 1e300 },
    epochs: 50,
  })
    .catch((e) => e);
  assert.ok(error instanceof NonFiniteError, String(error));
  assert.match(error.message, /^Cannot train as the (loss|gradient)/);
  assert.match(error.message, /at step \d+ \(epoch \d+, batch \d+ of 4\)/);
  assert.doesNotMatch(error.message, /seed \d|§/);
  assert.ok(error.history.epochs.length < 50);
});

Deno.test("train() threads layer state through training steps but not through validation", async () => {
  const r = await train({
    model: sequential([counter() as unknown as Layer, dense({ units: 1 })]),
    loss: "mse",
    optimizer: "sgd",
    data: twoGaussians({ samples: 8 }),
    validation: twoGaussians({ samples: 4, seed: 1 }),
    batchSize: 4,
    epochs: 3,
  });
  assert.equal(((r.state as Tree[])[0] as { calls: Tensor }).calls.data[0], 6);
});

Deno.test("train() gives stochastic layers a seeded generator, the same one to every evaluation of a step", async () => {
  const checks: boolean[] = [];
  const probe: Optimizer<null> = {
    init: () => null,
    update(grads: Tree, state: null, params: Tree, context?: UpdateContext) {
      const again = context!.evaluate!(params);
      checks.push(again.loss === context!.loss && sameBits(again.grads, grads));
      return { updates: treeMap((g) => mul(g, -0.1), grads), state };
    },
  };
  const options = (): TrainOptions => ({
    ...base(),
    model: sequential([dense({ units: 3 }), randomSign(), dense({ units: 1 })]),
    optimizer: probe,
  });
  const a = await train(options()), b = await train(options());
  assert.ok(checks.length > 0 && checks.every(Boolean));
  assert.ok(sameBits(a.params, b.params));
});

Deno.test("train() supplies second-order optimizers the exact Hessian- and Gauss–Newton-vector products of the batch loss", async () => {
  // Linear least squares without bias: J(w) = (1/n)‖Xw − y‖², so H = (2/n)XᵀX.
  const x = tensor([[1, 2], [3, 4], [0, 1]]), y = tensor([[1], [2], [3]]);
  const v = { weight: tensor([[1], [-2]]) };
  let hv: Tensor | null = null, gv: Tensor | null = null;
  const newtonish: Optimizer<null> = {
    init: () => null,
    update(grads, state, params, context) {
      hv = (context!.hvp!(params, v) as { weight: Tensor }).weight;
      gv = (context!.gaussNewtonVp!(params, v) as { weight: Tensor }).weight;
      return { updates: treeMap((g) => mul(g, 0), grads), state };
    },
  };
  await train({
    model: dense({ units: 1, useBias: false }),
    loss: "mse",
    optimizer: newtonish,
    data: { x, y },
    batching: "full",
    epochs: 1,
  });
  const expected = mul(matmul(x, matmul(x, v.weight), { transposeA: true }), 2 / 3);
  assert.deepEqual(hv!.toArray(), expected.toArray());
  assert.deepEqual(gv!.toArray(), expected.toArray()); // a linear model: Gauss–Newton is the Hessian
  // With an L2 penalty λ‖w‖², both gain 2λ·v.
  await train({
    model: dense({ units: 1, useBias: false }),
    loss: "mse",
    optimizer: newtonish,
    regularizers: [{ name: "l2", lambda: 0.25 }],
    data: { x, y },
    batching: "full",
    epochs: 1,
  });
  const withPenalty = add(expected, mul(v.weight, 0.5));
  hv!.data.forEach((h, i) => assert.ok(Math.abs(h - withPenalty.data[i]) < 1e-12));
  gv!.data.forEach((g, i) => assert.ok(Math.abs(g - withPenalty.data[i]) < 1e-12));
});

Deno.test("train() records per-layer gradient norms on request", async () => {
  const r = await train({ ...base(), gradientNorms: true, recordSteps: true });
  const keys = Object.keys(r.history.epochs[0]).filter((k) => k.startsWith("gradNorm."));
  assert.deepEqual(keys, ["gradNorm.0", "gradNorm.2"]);
  assert.ok(r.history.steps[0]["gradNorm.0"] > 0);
  const plain = await train(base());
  assert.ok(!Object.keys(plain.history.epochs[0]).some((k) => k.startsWith("gradNorm")));
});

Deno.test("train() resumed from epoch 5 gives bitwise the same weights as 10 epochs straight", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const options = (): TrainOptions => ({
      model: sequential([dense({ units: 5 }), sigmoid(), randomSign(), dense({ units: 1 }), sigmoid()]),
      loss: "mse",
      optimizer: { name: "sgd", learningRate: 0.3, momentum: 0.9 },
      data: twoGaussians({ samples: 30, seed: 4 }),
      validation: 0.2,
      batchSize: 7,
      metrics: ["accuracy"],
      recordSteps: true,
      seed: 11,
    });
    const straight = await train({ ...options(), epochs: 10 });
    await train({ ...options(), epochs: 5, callbacks: [checkpoints({ dir })] });
    const resumed = await train({ ...options(), epochs: 10, resume: dir });
    assert.ok(sameBits(resumed.params, straight.params));
    const buffer = (r: typeof straight) => (r.optimizerState as { buffer: Tree }).buffer;
    assert.ok(sameBits(buffer(resumed), buffer(straight)));
    assert.equal(resumed.steps, straight.steps);
    // The resumed call's history holds its own epochs (6 to 10): the checkpoint does not keep the earlier ones.
    const after5 = <T extends { epoch: number }>(records: T[]) => records.filter((r) => r.epoch > 5).map((r) => r);
    assert.deepEqual(resumed.history.epochs.map((e) => e.epoch), [6, 7, 8, 9, 10]);
    assert.deepEqual(resumed.history.epochs.map((e) => e.loss), after5(straight.history.epochs).map((e) => e.loss));
    assert.deepEqual(resumed.history.steps.map((e) => e.loss), after5(straight.history.steps).map((e) => e.loss));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train() resumed with minibatch-fixed batches and early stopping state matches the straight run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const options = (): TrainOptions => ({
      ...base(),
      optimizer: { name: "sgd", learningRate: 0.3, momentum: 0.5 },
      batching: "minibatch-fixed",
      validation: 0.25,
      earlyStopping: { patience: 100 },
      seed: 5,
    });
    const straight = await train({ ...options(), epochs: 6 });
    await train({ ...options(), epochs: 3, callbacks: [checkpoints({ dir })] });
    const resumed = await train({ ...options(), epochs: 6, resume: dir });
    assert.ok(sameBits(resumed.params, straight.params));
    assert.equal(resumed.bestEpoch, straight.bestEpoch);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train() refuses to resume with a different batch size, naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await train({ ...base(), epochs: 1, callbacks: [checkpoints({ dir })] });
    await assert.rejects(train({ ...base(), batchSize: 5, resume: dir }), /same batchSize as the checkpoint.*6.*5/);
    await train({ ...base(), epochs: 3, resume: dir, callbacks: [checkpoints({ dir })] });
    await assert.rejects(
      train({ ...base(), epochs: 2, resume: dir }),
      /epochs must be at least the checkpoint's epoch when resuming .*: the checkpoint is at epoch 3, epochs is 2/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train() refuses to resume with another optimizer, loss, model, regularizer or schedule, naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const spec = (): TrainOptions => ({
      ...base(),
      model: [{ name: "dense", units: 3 }, { name: "tanh" }, { name: "dense", units: 1 }],
      optimizer: { name: "adam", learningRate: 0.01 },
      regularizers: ["l2"],
      epochs: 2,
    });
    await train({ ...spec(), callbacks: [checkpoints({ dir })] });
    const refused: [Partial<TrainOptions>, RegExp][] = [
      [
        { optimizer: "sgd" },
        /same optimizer as the checkpoint: the checkpoint has \{"learningRate":0.01,"name":"adam"\}, this run \{"name":"sgd"\}/,
      ],
      [{ optimizer: "lbfgs" }, /same optimizer as the checkpoint/],
      [{ optimizer: { name: "adam", learningRate: 0.02 } }, /same optimizer as the checkpoint/],
      [
        { loss: "binary-cross-entropy-with-logits" },
        /same loss as the checkpoint: the checkpoint has \{"name":"mse"\}/,
      ],
      [
        { model: [{ name: "dense", units: 3 }, { name: "relu" }, { name: "dense", units: 1 }] },
        /same model as the checkpoint/,
      ],
      [{ regularizers: ["l1"] }, /same regularizers as the checkpoint/],
      [{ regularizers: [] }, /same regularizers as the checkpoint/],
      [{ scheduler: "cosine", optimizer: "adam" }, /same (optimizer|scheduler) as the checkpoint/],
    ];
    for (const [change, message] of refused) {
      await assert.rejects(train({ ...spec(), ...change, epochs: 3, resume: dir }), message, JSON.stringify(change));
    }
    // The same specs, written differently (key order, a bare name for { name }), resume.
    const same = await train({
      ...spec(),
      optimizer: { learningRate: 0.01, name: "adam" },
      regularizers: [{ name: "l2" }],
      loss: { name: "mse" },
      epochs: 3,
      resume: dir,
    });
    assert.equal(same.epochs, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train() rejects unknown options and bad values with their names", async () => {
  await assert.rejects(train({ ...base(), epoch: 3 } as unknown as TrainOptions), /unknown option "epoch"/);
  await assert.rejects(train({ ...base(), batching: "mini" as "full" }), /batching must be one of "full"/);
  await assert.rejects(train({ ...base(), epochs: -1 }), /epochs must be an integer ≥ 0: current value is -1/);
  await assert.rejects(train({ ...base(), metrics: ["f2"] }), /Cannot find metric "f2" \(did you mean 'f1'\?\)/);
  await assert.rejects(train({ ...base(), data: { x: tensor([[1]]), y: tensor([[1], [2]]) } }), /same number of rows/);
});

Deno.test("train() starts from initial parameters when given", async () => {
  const initial = { params: { weight: tensor([[0.5], [-0.5]]), bias: tensor([0.25]) } };
  const r = await train({ ...base(), model: dense({ units: 1 }), epochs: 0, initial });
  assert.ok(sameBits(r.params, initial.params));
  await assert.rejects(
    train({ ...base(), model: dense({ units: 1 }), initial: { params: { weight: tensor([[1]]) } } }),
    /initial.params has "weight" of shape \[1,1\]/,
  );
});

Deno.test("train() lets a callback stop the run after the current epoch", async () => {
  const r = await train({
    ...base(),
    epochs: 10,
    callbacks: [{ onEpochEnd: (_r, ctx) => void (ctx.epoch === 2 && ctx.stop("enough")) }],
  });
  assert.equal(r.epochs, 2);
  assert.equal(r.stopReason, "enough");
});

Deno.test("train() runs on the backend it is given and restores the previous one", async () => {
  const before = getBackend();
  let seen = "";
  const result = await train({
    model: [{ name: "dense", units: 1 }, { name: "sigmoid" }],
    loss: "binary-cross-entropy",
    optimizer: { name: "sgd", learningRate: 0.5 },
    data: twoGaussians({ samples: 40 }),
    epochs: 2,
    backend: "js",
    callbacks: [{ onEpochEnd: () => void (seen = getBackend().name) }],
  });
  assert.equal(seen, "js");
  assert.equal(getBackend(), before);
  assert.equal(result.history.epochs.length, 2);
  await assert.rejects(
    () => train({ model: [], loss: "mse", optimizer: "sgd", data: twoGaussians({ samples: 4 }), backend: "gpu" }),
    /Cannot find backend "gpu"/,
  );
});

Deno.test("train() with reduce-on-plateau lowers the rate after more than patience epochs without improvement", async () => {
  const result = await train({
    ...base(),
    optimizer: "sgd",
    // An improvement must halve the loss: after the first epoch none does, so the rate halves after epochs 3, 5, 7.
    scheduler: {
      name: "reduce-on-plateau",
      learningRate: 0.4,
      monitor: "loss",
      patience: 1,
      factor: 0.5,
      threshold: 0.5,
    },
    epochs: 8,
  });
  const rates = result.history.epochs.map((e) => e.learningRate);
  assert.deepEqual(rates, [0.4, 0.4, 0.4, 0.2, 0.2, 0.1, 0.1, 0.05]);
});

Deno.test("train() resumed with reduce-on-plateau reduces when the straight run does, bit for bit", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const options = (): TrainOptions => ({
      ...base(),
      optimizer: { name: "sgd", momentum: 0.5 },
      scheduler: { name: "reduce-on-plateau", learningRate: 0.4, patience: 2, factor: 0.5, threshold: 0.2 },
      validation: 0.25,
      seed: 2,
    });
    const straight = await train({ ...options(), epochs: 9 });
    // Stopped at epoch 4, mid-plateau: the checkpoint must carry the count of bad epochs and the best value.
    await train({ ...options(), epochs: 4, callbacks: [checkpoints({ dir })] });
    const resumed = await train({ ...options(), epochs: 9, resume: dir });
    const rates = (r: typeof straight) => r.history.epochs.map((e) => e.learningRate);
    assert.ok(new Set(rates(straight)).size > 2, `the run must reduce at least twice: ${rates(straight)}`);
    // The resumed call's history holds epochs 5 to 9 (a checkpoint holds no history).
    assert.deepEqual(rates(resumed), rates(straight).slice(4));
    assert.ok(sameBits(resumed.params, straight.params));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train() refuses a reduce-on-plateau monitor the run does not record", async () => {
  await assert.rejects(
    train({ ...base(), scheduler: { name: "reduce-on-plateau" } }),
    /Cannot reduce the learning rate on "valLoss" as the run records only loss \(no validation set is given/,
  );
});

Deno.test("train() records metric plugins over each epoch and the validation set, per class when asked", async () => {
  const data = twoGaussians({ samples: 40, seed: 6 }), validation = twoGaussians({ samples: 16, seed: 7 });
  const result = await train({
    ...base(),
    data,
    validation,
    metrics: ["precision", { name: "f1", average: "none" }, "roc-auc", "confusion-matrix"],
  });
  const last = result.history.epochs.at(-1)!;
  for (
    const key of [
      "precision",
      "valPrecision",
      "f1.0",
      "f1.1",
      "valF1.1",
      "rocAuc",
      "valRocAuc",
      "valConfusionMatrix.1.0",
    ]
  ) {
    assert.equal(typeof last[key], "number", key);
  }
  // The validation figures are those of the whole validation set under the final weights.
  const { predict } = await import("./predict.ts");
  const { computeMetric } = await import("./metrics.ts");
  const { rocAuc } = await import("../plugins/metrics/roc_auc.ts");
  assert.equal(last.valRocAuc, computeMetric(rocAuc(), predict(result, validation.x), validation.y));
  const counts = [0, 1].flatMap((t) => [0, 1].map((p) => last[`valConfusionMatrix.${t}.${p}`]));
  assert.equal(counts.reduce((a, b) => a + b, 0), 16);
});

Deno.test("train() stops early on valF1 in mode max without being told, as the metric is a score", async () => {
  const result = await train({
    ...base(),
    validation: 0.3,
    metrics: ["f1"],
    earlyStopping: { monitor: "valF1", patience: 50 },
    epochs: 4,
  });
  const f1s = result.history.epochs.map((e) => e.valF1);
  assert.equal(result.bestEpoch, f1s.indexOf(Math.max(...f1s)) + 1);
});

const canRun = Deno.permissions.querySync({ name: "run" }).state === "granted";
const hasScript = canRun && (() => {
  try {
    return new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
})();

/** Runs a small train() in a subprocess, its standard output piped or (through `script`) a terminal. */
async function trainOutput(progress: string, terminal: boolean): Promise<string> {
  const program = `import { train } from ${JSON.stringify(new URL("./train.ts", import.meta.url).href)};
import { xor } from ${JSON.stringify(new URL("./data/xor.ts", import.meta.url).href)};
await train({ model: [{ name: "dense", units: 1 }], loss: "mse", optimizer: "sgd", data: xor(), epochs: 2, batching: "full"${progress} });
console.error("done");`;
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, program);
    const deno = [Deno.execPath(), "run", "--quiet", "--no-lock", `--allow-read`, file];
    const { stdout, stderr } = await (terminal
      ? new Deno.Command("script", { args: ["-qec", deno.join(" "), "/dev/null"], env: { TERM: "xterm" } })
      : new Deno.Command(deno[0], { args: deno.slice(1) })).output();
    const text = new TextDecoder().decode(stdout);
    assert.match(text + new TextDecoder().decode(stderr), /done/);
    return text.replace(/\r?\n?done\r?\n?/, "");
  } finally {
    await Deno.remove(file);
  }
}

Deno.test({
  name: "train() shows progress on a terminal by default, and nothing with progress: false or when piped",
  ignore: !hasScript,
  async fn() {
    assert.match(await trainOutput("", true), /epoch 2\/2/);
    assert.equal(await trainOutput(", progress: false", true), "");
    assert.equal(await trainOutput("", false), "");
    assert.match(await trainOutput(", progress: true", false), /^epoch 1\/2 .*\nepoch 2\/2 /);
  },
});

Deno.test("train() adds no progress bar of its own when a callback already shows progress", async () => {
  let lines = "";
  const { progressBar } = await import("./callbacks/progress_bar.ts");
  await train({ ...base(), progress: true, callbacks: [progressBar({ write: (t) => (lines += t), live: false })] });
  assert.equal(lines.match(/^epoch 3\/3/gm)?.length, 1);
  await assert.rejects(train({ ...base(), progress: "yes" as never }), /progress must be true or false/);
});

Deno.test("train() reports each epoch's loss as the mean over its samples: a short last batch weighs less", async () => {
  // 20 samples in batches of 6: three of 6 and one of 2.
  const r = await train({ ...base(), recordSteps: true, metrics: ["accuracy"] });
  const sizes = [6, 6, 6, 2];
  for (const [e, record] of r.history.epochs.entries()) {
    const steps = r.history.steps.slice(4 * e, 4 * e + 4);
    const weighted = steps.reduce((s, step, i) => s + step.loss * sizes[i], 0) / 20;
    assert.ok(Math.abs(record.loss - weighted) < 1e-12, `epoch ${e + 1}: ${record.loss} against ${weighted}`);
    const unweighted = steps.reduce((s, step) => s + step.loss, 0) / 4;
    assert.ok(Math.abs(weighted - unweighted) > 1e-9, "the weights matter for this data");
  }
});
