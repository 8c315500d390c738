import assert from "node:assert/strict";
import { parseExperiment } from "../../cli/experiment.ts";
import {
  CLASSIFY_OPTIMIZERS,
  defaultClassify,
  defaultState,
  experimentOf,
  fromQuery,
  INITIALIZERS,
  pluginInfo,
  presetChoice,
  REGULARIZERS,
  SCHEDULERS,
  toQuery,
} from "./config.ts";

Deno.test("toQuery() and fromQuery() round-trip the page's state", () => {
  const state = defaultState();
  assert.deepEqual(fromQuery(toQuery(state)), { state, warnings: [] });
  state.tab = "race";
  state.a = {
    ...state.a,
    data: "circle",
    noise: 0.12,
    hidden: [],
    activation: "sigmoid",
    initializer: presetChoice("initializer", "uniform"),
    loss: "hinge",
    optimizer: { name: "momentum", learningRate: 0.05, momentum: 0.5, nesterov: true },
    scheduler: { name: "step", stepSize: 10, gamma: 0.5 },
    regularizer: { name: "magnitude-pruning", targetSparsity: 0.8, scope: "global" },
    batching: "full",
    batchSize: 7,
    seed: -3,
    validation: 0,
  };
  // Run B differs from A in its initializer, an optimizer option, a default written out, and no schedule.
  state.b = {
    ...structuredClone(state.a),
    initializer: { name: "zeros" },
    optimizer: { name: "momentum", learningRate: 0.05, momentum: 0.9, nesterov: true },
    scheduler: null,
  };
  state.race.fn = "saddle";
  state.race.steps = 77;
  state.race.racers = [
    { optimizer: { name: "sgd", learningRate: 0.01 }, schedule: { name: "inverse-time", tau: 20 } },
    { optimizer: { name: "newton" }, schedule: null },
    { optimizer: { name: "lion", learningRate: 0.02, beta1: 0.5 }, schedule: null },
  ];
  state.plugins = ["http://127.0.0.1:8001/lion.js#sha256=" + "a".repeat(64)];
  const query = toQuery(state);
  assert.deepEqual(fromQuery(query), { state, warnings: [] });
  assert.doesNotMatch(query, /b\.data=/, "run B lists only what differs from A");
  assert.match(query, /b\.opt\.momentum=0\.9/);
  assert.match(query, /b\.sched=none/);
});

Deno.test("toQuery() writes the options a choice sets, and nothing for the others", () => {
  const state = defaultState();
  state.a.optimizer = { name: "adam", beta1: 0.8 };
  const query = toQuery(state);
  assert.match(query, /opt=adam&opt\.beta1=0\.8&/);
  assert.doesNotMatch(query, /opt\.learningRate/);
});

Deno.test("fromQuery() keeps the default for each unusable value and says why", () => {
  const { state, warnings } = fromQuery(
    "?data=moons&samples=3&hidden=4,x&act=swish&opt.learningRate=fast&sched=warp&fn=himmelblau&steps=0&racer=Bad%20Name",
  );
  const fresh = defaultState();
  assert.deepEqual(state.a, fresh.a);
  assert.deepEqual(state.race.racers, []);
  assert.equal(state.race.fn, "rosenbrock");
  assert.deepEqual(warnings, [
    "Cannot use data=moons as it must be one of two-spirals, two-gaussians, xor, circle: kept the default",
    "Cannot use samples=3 as it must be an integer in [4, 2000]: kept the default",
    "Cannot use act=swish as it must be one of tanh, relu, sigmoid: kept the default",
    "Cannot use hidden=4,x as it must list up to 8 layers of 1 to 64 units: kept the default",
    "Cannot use opt.learningRate=fast as learningRate must be a number: kept the default",
    "Cannot use sched=warp as it is not a known scheduler: kept none",
    "Cannot use fn=himmelblau as it must be one of rosenbrock, beale, saddle, ill-conditioned: kept the default",
    "Cannot use steps=0 as it must be an integer in [1, 5000]: kept the default",
    'Cannot use the optimizer "Bad Name" as its name is not a plugin name: left it out',
  ]);
});

Deno.test("fromQuery() gives a changed data set its own noise unless the query sets one", () => {
  assert.equal(fromQuery("?data=two-gaussians").state.a.noise, 0.7);
  assert.equal(fromQuery("?data=two-gaussians&noise=1.5").state.a.noise, 1.5);
});

Deno.test("experimentOf() gives an experiment that gradflow train accepts, for every menu choice", () => {
  const registry = new Set(["optimizer", "initializer", "scheduler", "regularizer"]);
  for (const kind of registry) {
    const names =
      { optimizer: CLASSIFY_OPTIMIZERS, initializer: INITIALIZERS, scheduler: SCHEDULERS, regularizer: REGULARIZERS }[
        kind as "optimizer"
      ];
    for (const name of names) {
      const config = defaultClassify();
      const choice = presetChoice(kind as "optimizer", name, "classify");
      if (kind === "optimizer") config.optimizer = choice;
      if (kind === "initializer") config.initializer = choice;
      if (kind === "scheduler") config.scheduler = choice;
      if (kind === "regularizer") config.regularizer = choice;
      assert.ok(pluginInfo(kind as "optimizer", name), `${kind} ${name} is a built-in`);
      const experiment = parseExperiment(experimentOf(config, { epochs: 3 }), "playground.json");
      assert.equal(experiment.epochs, 3);
    }
  }
});

Deno.test("experimentOf() moves the learning rate to the schedule, and gives hinge ±1 labels and a linear output", () => {
  const config = defaultClassify();
  config.loss = "hinge";
  config.scheduler = { name: "exponential", gamma: 0.99 };
  config.validation = 0;
  const e = experimentOf(config, { epochs: 5, backend: "wasm", plugins: ["https://example.org/lion.js"] });
  assert.deepEqual(e.optimizer, { name: "adam" });
  assert.deepEqual(e.scheduler, { name: "exponential", gamma: 0.99, learningRate: 0.03 });
  assert.equal((e.data as Record<string, unknown>).labels, "sign");
  assert.deepEqual((e.model as { name: string }[]).at(-1), { name: "dense", units: 1, initializer: "xavier-uniform" });
  assert.equal("validation" in e, false);
  assert.equal(e.backend, "wasm");
  assert.deepEqual(e.plugins, ["https://example.org/lion.js"]);
  const parsed = parseExperiment(e, "playground.json");
  assert.equal(parsed.scheduler?.learningRate, 0.03);
  assert.deepEqual(parsed.backend, { name: "wasm" });
});
