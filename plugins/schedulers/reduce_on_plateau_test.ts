import assert from "node:assert/strict";
import { reduceOnPlateau } from "./reduce_on_plateau.ts";

// The learning rates PyTorch 1.13's ReduceLROnPlateau gives (SGD, lr 0.1) after each of these
// monitored values (NaN included), from this script (python3-torch):
//   opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
//   s = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, mode, factor, patience, threshold,
//                                                  threshold_mode, cooldown, min_lr, eps)
//   for v in VALUES: s.step(v); print(opt.param_groups[0]["lr"])
const VALUES = [
  1.0,
  0.8,
  0.79995,
  0.81,
  0.7,
  0.7,
  0.71,
  0.72,
  0.69,
  0.5,
  0.55,
  0.56,
  0.57,
  0.58,
  0.2,
  0.2,
  0.2,
  NaN,
  0.1,
  0.3,
];
const PYTORCH = [
  {
    options: {
      "mode": "min",
      "factor": 0.1,
      "patience": 2,
      "threshold": 0.0001,
      "thresholdMode": "rel",
      "cooldown": 0,
      "minLearningRate": 0,
      "epsilon": 1e-08,
    },
    rates: [
      0.1,
      0.1,
      0.1,
      0.1,
      0.1,
      0.1,
      0.1,
      0.010000000000000002,
      0.010000000000000002,
      0.010000000000000002,
      0.010000000000000002,
      0.010000000000000002,
      0.0010000000000000002,
      0.0010000000000000002,
      0.0010000000000000002,
      0.0010000000000000002,
      0.0010000000000000002,
      0.00010000000000000003,
      0.00010000000000000003,
      0.00010000000000000003,
    ],
  },
  {
    options: {
      "mode": "min",
      "factor": 0.5,
      "patience": 1,
      "threshold": 0.05,
      "thresholdMode": "abs",
      "cooldown": 2,
      "minLearningRate": 0.02,
      "epsilon": 1e-08,
    },
    rates: [
      0.1,
      0.1,
      0.1,
      0.05,
      0.05,
      0.05,
      0.05,
      0.025,
      0.025,
      0.025,
      0.025,
      0.02,
      0.02,
      0.02,
      0.02,
      0.02,
      0.02,
      0.02,
      0.02,
      0.02,
    ],
  },
  {
    options: {
      "mode": "max",
      "factor": 0.3,
      "patience": 0,
      "threshold": 0.01,
      "thresholdMode": "rel",
      "cooldown": 1,
      "minLearningRate": 0.0,
      "epsilon": 1e-08,
    },
    rates: [
      0.1,
      0.03,
      0.03,
      0.009,
      0.009,
      0.0026999999999999997,
      0.0026999999999999997,
      0.0008099999999999998,
      0.0008099999999999998,
      0.00024299999999999994,
      0.00024299999999999994,
      7.289999999999998e-05,
      7.289999999999998e-05,
      2.1869999999999996e-05,
      2.1869999999999996e-05,
      6.560999999999999e-06,
      6.560999999999999e-06,
      1.9682999999999994e-06,
      1.9682999999999994e-06,
      5.904899999999998e-07,
    ],
  },
  {
    options: {
      "mode": "min",
      "factor": 0.2,
      "patience": 1,
      "threshold": 0,
      "thresholdMode": "rel",
      "cooldown": 0,
      "minLearningRate": 0.0,
      "epsilon": 0.05,
    },
    rates: [
      0.1,
      0.1,
      0.1,
      0.1,
      0.1,
      0.1,
      0.020000000000000004,
      0.020000000000000004,
      0.020000000000000004,
      0.020000000000000004,
      0.020000000000000004,
      0.020000000000000004,
      0.020000000000000004,
      0.020000000000000004,
      0.020000000000000004,
      0.020000000000000004,
      0.020000000000000004,
      0.020000000000000004,
      0.020000000000000004,
      0.020000000000000004,
    ],
  },
];

Deno.test("reduceOnPlateau() reduces the rate exactly when PyTorch's ReduceLROnPlateau does, to the bit", () => {
  for (const { options, rates } of PYTORCH) {
    const schedule = reduceOnPlateau({ learningRate: 0.1, monitor: "valLoss", ...options } as never);
    let state = schedule.init();
    const got = VALUES.map((v) => schedule.rate(state = schedule.observe(state, v), 0));
    assert.deepEqual(got, rates, JSON.stringify(options));
  }
});

Deno.test("reduceOnPlateau() picks the mode from the monitored key, and is ε₀ as a plain schedule", () => {
  const accuracy = reduceOnPlateau({ learningRate: 1, monitor: "valAccuracy", patience: 0 });
  let state = accuracy.observe(accuracy.init(), 0.5);
  state = accuracy.observe(state, 0.6); // higher is better: an improvement
  assert.equal(accuracy.rate(state, 0), 1);
  state = accuracy.observe(state, 0.55);
  assert.equal(accuracy.rate(state, 0), 0.1);
  assert.equal(accuracy(1000), 1);
  assert.equal(accuracy.monitor, "valAccuracy");
});

Deno.test("reduceOnPlateau() names the option it refuses", () => {
  assert.throws(
    () => reduceOnPlateau({ factor: 1 }),
    /scheduler "reduce-on-plateau" as factor must be a number in \(0, 1\)/,
  );
  assert.throws(() => reduceOnPlateau({ patience: 1.5 }), /patience must be an integer/);
  assert.throws(() => reduceOnPlateau({ monitor: "val loss" }), /monitor must be a record key/);
  assert.throws(
    () => reduceOnPlateau({ thresholdMode: "relative" as never }),
    /thresholdMode must be one of "rel", "abs"/,
  );
  const schedule = reduceOnPlateau();
  assert.throws(
    () => schedule.observe({ rate: "x" } as never, 1),
    /its state must be \{ rate, best, badEpochs, cooldown \}/,
  );
});
