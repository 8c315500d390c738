import assert from "node:assert/strict";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { magnitudePruning } from "./magnitude_pruning.ts";

type Params = { weight: Tensor; bias: Tensor };

/** Runs project at steps 1…n with fixed weights; returns the pruned count after each step. */
function prunedCounts(options: Parameters<typeof magnitudePruning>[0], weights: number[], n: number): number[] {
  const reg = magnitudePruning(options);
  const params = { weight: tensor(weights), bias: tensor([0]) };
  let state = reg.init!(params);
  const counts: number[] = [];
  for (let step = 1; step <= n; step++) {
    ({ state } = reg.project!(params, state, { step }));
    counts.push(reg.report!(params, state).pruned);
  }
  return counts;
}

const ten = [0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8, 0.9, -1];

Deno.test("magnitudePruning() follows Zhu and Gupta's cubic schedule at t₀, t₀ + Δt, … and at the end", () => {
  const sf = 0.8, t0 = 0, tEnd = 10;
  const s = (t: number) => sf + (0 - sf) * (1 - (t - t0) / (tEnd - t0)) ** 3;
  const counts = prunedCounts({ targetSparsity: sf, startStep: t0, endStep: tEnd, frequency: 2 }, ten, 12);
  // Due at the first call (step 1), then every 2 steps, then at endStep; never after.
  const n = (t: number) => Math.round(s(t) * 10);
  assert.deepEqual(counts, [n(1), n(1), n(3), n(3), n(5), n(5), n(7), n(7), n(9), n(10), n(10), n(10)]);
  assert.equal(counts.at(-1), 8);
});

Deno.test("magnitudePruning() ramps linearly with ramp linear and starts from initialSparsity", () => {
  const counts = prunedCounts(
    { targetSparsity: 0.6, initialSparsity: 0.2, startStep: 2, endStep: 6, frequency: 2, ramp: "linear" },
    ten,
    7,
  );
  const n = (t: number) => Math.round((0.2 + 0.4 * (t - 2) / 4) * 10);
  assert.deepEqual(counts, [0, n(2), n(2), n(4), n(4), n(6), n(6)]);
});

Deno.test("magnitudePruning() prunes the smallest magnitudes and keeps them zero through later updates", () => {
  const reg = magnitudePruning({ targetSparsity: 0.5, startStep: 1, endStep: 1 });
  const params = { weight: tensor([[0.3, -5], [-0.1, 2]]), bias: tensor([0.01, 0.02]) };
  const first = reg.project!(params, reg.init!(params), { step: 1 });
  let out = first.params as Params;
  assert.deepEqual(out.weight.toArray(), [[0, -5], [0, 2]]);
  assert.equal(out.bias, params.bias, "biases are not pruned by default");
  // An update moves the pruned weights and shrinks a kept one below them: the mask holds.
  const updated = { weight: tensor([[1, -0.01], [3, 2]]), bias: params.bias };
  const second = reg.project!(updated, first.state, { step: 2 });
  out = second.params as Params;
  assert.deepEqual(out.weight.toArray(), [[0, -0.01], [0, 2]]);
  assert.deepEqual(reg.report!(out, second.state), { sparsity: 0.5, pruned: 2, prunable: 4 });
});

Deno.test("magnitudePruning() ranks across every tensor with scope global, per tensor by default", () => {
  const params = { a: tensor([1, 2, 3, 4]), b: tensor([10, 20, 30, 40]) };
  for (const [scope, a, b] of [["layer", [0, 0, 3, 4], [0, 0, 30, 40]], ["global", [0, 0, 0, 0], [10, 20, 30, 40]]]) {
    const reg = magnitudePruning({ targetSparsity: 0.5, startStep: 1, endStep: 1, scope: scope as "layer" });
    const { params: out } = reg.project!(params, reg.init!(params), { step: 1 });
    assert.deepEqual((out as typeof params).a.toArray(), a, `${scope} a`);
    assert.deepEqual((out as typeof params).b.toArray(), b, `${scope} b`);
  }
});

Deno.test("magnitudePruning() prunes biases with includeBiases", () => {
  const reg = magnitudePruning({ targetSparsity: 1, startStep: 1, endStep: 1, includeBiases: true });
  const params = { weight: tensor([1]), bias: tensor([2]) };
  const { params: out } = reg.project!(params, reg.init!(params), { step: 1 });
  assert.deepEqual([(out as Params).weight.item(), (out as Params).bias.item()], [0, 0]);
});

Deno.test("magnitudePruning() does nothing before startStep and reports sparsity 0", () => {
  const reg = magnitudePruning({ startStep: 5 });
  const params = { weight: tensor([1, 2]) };
  const { params: out, state } = reg.project!(params, reg.init!(params), { step: 4 });
  assert.equal((out as { weight: Tensor }).weight, params.weight);
  assert.equal(state.lastPruneStep, null);
  assert.equal(reg.report!(out, state).sparsity, 0);
});

Deno.test("magnitudePruning() keeps float32 parameters and masks in float32", () => {
  const reg = magnitudePruning({ startStep: 1, endStep: 1 });
  const params = { weight: tensor([1, 2], [2], "float32") };
  const { params: out, state } = reg.project!(params, reg.init!(params), { step: 1 });
  assert.equal((out as { weight: Tensor }).weight.dtype, "float32");
  assert.equal(state.masks.weight.dtype, "float32");
});

Deno.test("magnitudePruning() throws RangeError for options out of range", () => {
  assert.throws(() => magnitudePruning({ targetSparsity: 1.5 }), {
    name: "RangeError",
    message:
      'Cannot create regularizer "magnitude-pruning" as targetSparsity must be a number in [0, 1]: current value is 1.5',
  });
  assert.throws(
    () => magnitudePruning({ targetSparsity: 0.3, initialSparsity: 0.5 }),
    /initialSparsity must be a number in \[0, 0.3\]/,
  );
  assert.throws(
    () => magnitudePruning({ startStep: 10, endStep: 5 }),
    /endStep must be an integer in \[10, ∞\): current value is 5/,
  );
  assert.throws(() => magnitudePruning({ frequency: 0 }), /frequency must be an integer in \[1, ∞\)/);
  assert.throws(() => magnitudePruning({ ramp: "quadratic" as never }), /ramp must be one of "cubic", "linear"/);
});

Deno.test("magnitudePruning() throws clear errors for a state that does not fit the parameters", () => {
  const reg = magnitudePruning();
  assert.throws(() => reg.project!({ weight: tensor([1]) }, null as never, { step: 1 }), TypeError);
  const state = reg.init!({ w: tensor([1]) });
  assert.throws(() => reg.project!({ v: tensor([1]) }, state, { step: 1 }), {
    name: "RangeError",
    message:
      'Cannot project with regularizer "magnitude-pruning" as its state has no mask for parameter "v" (call init with these parameters): current masks are for "w"',
  });
  assert.throws(
    () => reg.project!({ w: tensor([1, 2]) }, state, { step: 1 }),
    /parameter "w" of shape \[2\] and its mask of shape \[1\]/,
  );
  assert.throws(
    () => reg.project!({ w: tensor([1]) }, state, { step: -1 }),
    /step must be an integer ≥ 0: current value is -1/,
  );
});
