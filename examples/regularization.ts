/**
 * Seed 000, homework 3a: MSE regularized with the L2 norm of the weights,
 * J′ = J + λ‖θ‖², against plain MSE: how the weights and the accuracies change.
 *
 *   deno run --allow-read=runs --allow-write=runs examples/regularization.ts [--quick] [--out DIR]
 *
 * Backpropagation with the penalty. The gradient of J′ is the gradient of J
 * plus 2λθ, so the gradient-descent update becomes
 *   θ ← θ − η(∂J/∂θ + 2λθ) = (1 − 2ηλ)·θ − η·∂J/∂θ
 * the old update after shrinking every weight by the factor (1 − 2ηλ): weight
 * decay. The backward pass itself is unchanged; the library adds the penalty's
 * gradient through the same flow graph (regularizer "l2", biases excluded as
 * seed 002 prescribes).
 *
 * Design. A network larger than the task needs (2-16-16-1, sigmoid units)
 * sees only 40 training points from two overlapping Gaussians (σ = 1.5) and is
 * tested on 500 others. Both runs use full-batch gradient descent with
 * momentum from the same initial weights; one adds λ = 0.001. Without the
 * penalty the weights keep growing to carve the boundary around individual
 * training points: training accuracy climbs toward 100% while test accuracy
 * falls (overfitting). With it the weights stay small, the boundary stays
 * smooth, and test accuracy stays near the best possible, Φ(√2/1.5) ≈ 83%.
 *
 * Writes `accuracy.svg` (training and test accuracy against iterations, both
 * runs), `weight_norm.svg` (‖W‖₂ against iterations) and `summary.json` (the
 * numbers, and whether L2 narrowed the train–test gap) to `runs/regularization/`.
 *
 * @module
 */

import type { Tensor, Tree } from "../mod.ts";
import { layers } from "../mod.ts";
import { type Callback, train, twoGaussians } from "../train/mod.ts";
import { lineChart } from "../train/plot/mod.ts";
import { exampleFlags, percent, saveChart, saveSummary, table } from "./_shared.ts";

const USAGE = `MSE with and without L2 regularization (seed 000, homework 3a).

Usage: deno run --allow-read=runs --allow-write=runs examples/regularization.ts [--quick] [--out DIR]
  --quick    fewer iterations (for tests)
  --out DIR  where the charts go (default runs/regularization)`;

const flags = exampleFlags("regularization", USAGE);
const iterations = flags.quick ? 200 : 1500;
const lambda = 0.001;
const data = twoGaussians({ samples: 40, seed: 1, std: 1.5 });
const test = twoGaussians({ samples: 500, seed: 2, std: 1.5 });

/** ‖W‖₂ over every dense weight matrix (biases excluded). */
function weightNorm(params: Tree): number {
  let sum = 0;
  for (const layer of params as Tree[]) {
    const weight = (layer as { weight?: Tensor }).weight;
    if (weight) { for (const v of weight.data) sum += v * v; }
  }
  return Math.sqrt(sum);
}

/** Adds `weightNorm` to each epoch's record. */
const recordWeightNorm: Callback = {
  onEpochEnd(record, context) {
    record.weightNorm = weightNorm(context.params);
  },
};

const runs = [
  { name: "MSE", regularizers: [] },
  { name: `MSE + L2 (λ = ${lambda})`, regularizers: [{ name: "l2", lambda }] },
];
const results = [];
for (const run of runs) {
  const model = layers.sequential([
    layers.dense({ units: 16 }),
    layers.sigmoid(),
    layers.dense({ units: 16 }),
    layers.sigmoid(),
    layers.dense({ units: 1 }),
    layers.sigmoid(),
  ]);
  const result = await train({
    progress: false, // the example prints its own table
    model,
    loss: "mse",
    optimizer: { name: "sgd", learningRate: 1, momentum: 0.9 },
    regularizers: run.regularizers,
    data,
    validation: test,
    batching: "full",
    epochs: iterations,
    metrics: ["accuracy"],
    callbacks: [recordWeightNorm],
    seed: 3,
  });
  results.push({ name: run.name, history: result.history.epochs });
}

console.log(
  `\n2-16-16-1 sigmoid network, 40 training points, ${iterations} iterations of full-batch GD (lr 1, momentum 0.9):\n`,
);
console.log(table(
  ["run", "final MSE", "‖W‖₂ at start", "‖W‖₂ at end", "train acc", "test acc", "best test acc"],
  results.map((r) => {
    const first = r.history[0], last = r.history.at(-1)!;
    return [
      r.name,
      last.loss.toFixed(4),
      first.weightNorm.toFixed(2),
      last.weightNorm.toFixed(2),
      percent(last.accuracy),
      percent(last.valAccuracy),
      percent(Math.max(...r.history.map((e) => e.valAccuracy))),
    ];
  }),
));
// The conclusion comes from this run's numbers: it says so when an expected effect does not show.
const [plain, penalized] = results.map((r) => {
  const last = r.history.at(-1)!;
  return {
    name: r.name,
    trainAccuracy: last.accuracy,
    testAccuracy: last.valAccuracy,
    bestTestAccuracy: Math.max(...r.history.map((e) => e.valAccuracy)),
    gap: last.accuracy - last.valAccuracy,
    weightNormStart: r.history[0].weightNorm,
    weightNormEnd: last.weightNorm,
  };
});
const points = (x: number) => `${(100 * x).toFixed(1)} points`;
const effect = penalized.gap < plain.gap;
const lines = [
  effect
    ? `L2 narrowed the gap between training and test accuracy from ${points(plain.gap)} to ${points(penalized.gap)}.`
    : `The expected effect did not show in this run: L2 did not narrow the gap between training and test accuracy ` +
      `(${points(plain.gap)} without it, ${points(penalized.gap)} with it).`,
  penalized.weightNormEnd < plain.weightNormEnd
    ? `Without the penalty ‖W‖₂ grew from ${plain.weightNormStart.toFixed(2)} to ${
      plain.weightNormEnd.toFixed(2)
    }; with it, it ended at ${penalized.weightNormEnd.toFixed(2)}.`
    : `The penalty did not keep the weights smaller (‖W‖₂ ${plain.weightNormEnd.toFixed(2)} without it, ${
      penalized.weightNormEnd.toFixed(2)
    } with it).`,
  penalized.testAccuracy > plain.testAccuracy
    ? `Test accuracy rose from ${percent(plain.testAccuracy)} to ${percent(penalized.testAccuracy)}.`
    : `Test accuracy did not improve in this run (${percent(plain.testAccuracy)} without L2, ${
      percent(penalized.testAccuracy)
    } with it): the penalty traded training fit for a smaller gap.`,
];
const conclusion = lines.join("\n");
console.log(`\n${conclusion}\n`);
await saveSummary(flags.out, { iterations, lambda, runs: [plain, penalized], effect, conclusion });

const axis = (h: readonly { epoch: number }[]) => h.map((e) => e.epoch);
await saveChart(
  flags.out,
  "accuracy.svg",
  lineChart(
    results.flatMap((r, i) => [
      {
        name: `${r.name}: train`,
        x: axis(r.history),
        y: r.history.map((e) => e.accuracy),
        dash: "6 3",
        color: i ? "#d55e00" : "#0072b2",
      },
      {
        name: `${r.name}: test`,
        x: axis(r.history),
        y: r.history.map((e) => e.valAccuracy),
        color: i ? "#d55e00" : "#0072b2",
      },
    ]),
    {
      title: "Accuracy with and without L2 regularization",
      xLabel: "iteration (full batch)",
      yLabel: "accuracy",
      yRange: [0.4, 1],
    },
  ),
);
await saveChart(
  flags.out,
  "weight_norm.svg",
  lineChart(results.map((r) => ({ name: r.name, x: axis(r.history), y: r.history.map((e) => e.weightNorm) })), {
    title: "How the weights change: ‖W‖₂ with and without L2",
    xLabel: "iteration (full batch)",
    yLabel: "‖W‖₂ (biases excluded)",
  }),
);
