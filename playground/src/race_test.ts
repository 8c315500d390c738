import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { Random } from "../../core/random.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { createRegistry } from "../../plugins/mod.ts";
import { RACE_FUNCTIONS } from "./config.ts";
import { RACE, raceLearningRate, racerLabel, runRacer } from "./race.ts";

Deno.test("each race function's plain twin (for the contour plot) equals its op form", () => {
  const rng = new Random(1);
  for (const name of RACE_FUNCTIONS) {
    const fn = RACE[name];
    for (let k = 0; k < 50; k++) {
      const x = fn.x[0] + (fn.x[1] - fn.x[0]) * rng.uniform(), y = fn.y[0] + (fn.y[1] - fn.y[0]) * rng.uniform();
      const a = fn.f(tensor([x, y])).item(), b = fn.plain(x, y);
      assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${name} at (${x}, ${y}): ${a} vs ${b}`);
    }
  }
});

Deno.test("each race function has zero gradient and its least value at the marked optimum, and starts inside its plot", () => {
  for (const name of RACE_FUNCTIONS) {
    const fn = RACE[name];
    const g = grad(fn.f)(tensor(fn.optimum)) as Tensor;
    assert.ok(g.data.every((v) => Math.abs(v) < 1e-12), `${name}: gradient ${g.data} at the optimum`);
    assert.ok(fn.plain(...fn.optimum) <= fn.plain(fn.optimum[0] + 0.01, fn.optimum[1] - 0.01), name);
    assert.ok(fn.start[0] > fn.x[0] && fn.start[0] < fn.x[1] && fn.start[1] > fn.y[0] && fn.start[1] < fn.y[1], name);
  }
});

Deno.test("runRacer() records the path, the loss and the gradient evaluations at every point", () => {
  const registry = createRegistry();
  const r = runRacer("rosenbrock", { optimizer: { name: "lbfgs" }, schedule: null }, 60, registry);
  assert.equal(r.error, null);
  assert.equal(r.path.length, r.losses.length);
  assert.equal(r.path.length, r.gradients.length);
  assert.deepEqual(r.path[0], [-1.5, 2]);
  assert.ok(r.losses.at(-1)! < 1e-6, "L-BFGS reaches the valley's end");
  assert.ok(r.gradients.at(-1)! > r.path.length / 2, "line searches evaluate more than once per step at times");
  assert.ok(r.gradients.every((g, i) => i === 0 || g >= r.gradients[i - 1]));
});

Deno.test("runRacer() applies a schedule starting at the optimizer's learning rate", () => {
  const registry = createRegistry();
  const plain = runRacer(
    "ill-conditioned",
    { optimizer: { name: "sgd", learningRate: 0.07 }, schedule: null },
    30,
    registry,
  );
  const decayed = runRacer(
    "ill-conditioned",
    {
      optimizer: { name: "sgd", learningRate: 0.07 },
      schedule: { name: "exponential", gamma: 0.5 },
    },
    30,
    registry,
  );
  assert.deepEqual(decayed.path[1], plain.path[1], "the first step uses the starting rate");
  assert.ok(decayed.losses.at(-1)! > plain.losses.at(-1)!, "a rate that halves every step stalls");
});

Deno.test("runRacer() keeps the finite part of a diverging run and says why it stopped", () => {
  const r = runRacer(
    "rosenbrock",
    { optimizer: { name: "sgd", learningRate: 0.1 }, schedule: null },
    100,
    createRegistry(),
  );
  assert.match(r.error!, /Cannot minimize as the loss became/);
  assert.ok(r.path.length >= 2 && r.path.every((p) => p.every(Number.isFinite)));
  assert.equal(r.losses.length, r.path.length);
});

Deno.test("raceLearningRate() and racerLabel() describe racers", () => {
  assert.equal(raceLearningRate("rosenbrock", "sgd"), 0.001);
  assert.equal(raceLearningRate("rosenbrock", "newton"), undefined);
  assert.equal(racerLabel({ optimizer: { name: "newton" }, schedule: null }), "newton");
});
