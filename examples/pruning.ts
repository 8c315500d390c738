/**
 * Seed 000, homework 3b: L0 regularization as a procedure. "We decay and
 * reduce the weights systematically. Each step, we also retrain so that
 * overall performance is not compromised" (read: weight decay and pruning).
 *
 *   deno run --allow-read=runs --allow-write=runs examples/pruning.ts [--quick] [--out DIR]
 *
 * The L0 norm (the number of non-zero weights) has no useful gradient, so it is
 * minimized by a procedure instead of a penalty:
 * 1. Decay: train the dense network with decoupled weight decay,
 *    θ ← (1 − ηλ)·θ after each Adam step (regularizer "weight-decay"), so that
 *    weights the task does not need drift toward zero.
 * 2. Prune and retrain: keep training while regularizer "magnitude-pruning"
 *    zeroes the smallest |θ| on a schedule (Zhu and Gupta's gradual pruning:
 *    the sparsity target rises along a cubic ramp over the first 60% of the
 *    retraining steps; the masks only grow and pruned weights stay zero). The
 *    weights that survive keep learning, recovering what each pruning cost.
 *    Ranking is global, over all three weight matrices; biases are kept.
 * For comparison, "one-shot" prunes the trained network to the same sparsity
 * at once, with no retraining.
 *
 * The task is two spirals (300 training and 500 test points) with a 2-32-32-1
 * network (tanh, sigmoid output, binary cross-entropy, Adam). The table shows
 * the sparsity reached against test accuracy, for several targets.
 *
 * Writes `sparsity_accuracy.svg` (test accuracy against sparsity, one-shot vs
 * prune-and-retrain) and `retraining.svg` (sparsity and test accuracy during
 * the 90% run) and `summary.json` (the numbers, and whether retraining
 * recovered accuracy) to `runs/pruning/`.
 *
 * @module
 */

import { layers, regularizers, type Tensor, type Tree } from "../mod.ts";
import { accuracy, computeMetric, predict, train, twoSpirals } from "../train/mod.ts";
import { lineChart } from "../train/plot/mod.ts";
import { exampleFlags, percent, saveChart, saveSummary, table } from "./_shared.ts";

const USAGE = `L0 by weight decay, pruning and retraining (seed 000, homework 3b).

Usage: deno run --allow-read=runs --allow-write=runs examples/pruning.ts [--quick] [--out DIR]
  --quick    shorter training, two targets (for tests)
  --out DIR  where the charts go (default runs/pruning)`;

const flags = exampleFlags("pruning", USAGE);
const pretrainEpochs = flags.quick ? 250 : 400;
const retrainEpochs = flags.quick ? 20 : 60;
const targets = flags.quick ? [0.5, 0.9] : [0.5, 0.7, 0.8, 0.9, 0.95, 0.98];
const batchSize = 30;
const data = twoSpirals({ samples: 300, seed: 1 });
const test = twoSpirals({ samples: 500, seed: 2 });
const optimizer = { name: "adam", learningRate: 0.02 };
const decay = { name: "weight-decay", lambda: 0.01 };
const model = layers.sequential([
  layers.dense({ units: 32 }),
  layers.tanh(),
  layers.dense({ units: 32 }),
  layers.tanh(),
  layers.dense({ units: 1 }),
  layers.sigmoid(),
]);
const testAccuracy = (params: Tree, state: Tree) =>
  computeMetric(accuracy(), predict({ model, params, state }, test.x), test.y) as number;

/** Non-zero weights (biases excluded) and the total. */
function countWeights(params: Tree): { nonzero: number; total: number } {
  let nonzero = 0, total = 0;
  for (const layer of params as Tree[]) {
    const weight = (layer as { weight?: Tensor }).weight;
    if (!weight) continue;
    total += weight.size;
    for (const v of weight.data) if (v !== 0) nonzero++;
  }
  return { nonzero, total };
}

// 1. Decay: train the dense network with weight decay.
const dense = await train({
  progress: false, // the example prints its own table
  model,
  loss: "binary-cross-entropy",
  optimizer,
  regularizers: [decay],
  data,
  epochs: pretrainEpochs,
  batchSize,
  seed: 3,
});
const denseAccuracy = testAccuracy(dense.params, dense.state);
const { total } = countWeights(dense.params);

// 2. For each target: one-shot pruning, and gradual pruning with retraining.
const stepsPerEpoch = Math.ceil(data.x.shape[0] / batchSize);
const retrainSteps = retrainEpochs * stepsPerEpoch;
const rows = [];
let trace: { epoch: number; sparsity: number; valAccuracy: number }[] = [];
for (const target of targets) {
  const oneShot = regularizers.magnitudePruning({ targetSparsity: target, startStep: 0, endStep: 0, scope: "global" });
  const pruned = oneShot.project!(dense.params, oneShot.init!(dense.params), { step: 0 }).params;
  const retrained = await train({
    progress: false, // the example prints its own table
    model,
    loss: "binary-cross-entropy",
    optimizer,
    regularizers: [
      {
        name: "magnitude-pruning",
        targetSparsity: target,
        startStep: 0,
        endStep: Math.floor(0.6 * retrainSteps),
        frequency: stepsPerEpoch,
        scope: "global",
      },
      decay,
    ],
    data,
    validation: test,
    metrics: ["accuracy"],
    epochs: retrainEpochs,
    batchSize,
    initial: { params: dense.params, state: dense.state },
    seed: 4,
  });
  const history = retrained.history.epochs;
  if (target === 0.9) {
    trace = history.map((e) => ({
      epoch: e.epoch,
      sparsity: e["magnitude-pruning.sparsity"],
      valAccuracy: e.valAccuracy,
    }));
  }
  const counts = countWeights(retrained.params);
  rows.push({
    target,
    sparsity: 1 - counts.nonzero / counts.total,
    nonzero: counts.nonzero,
    oneShot: testAccuracy(pruned, dense.state),
    retrained: testAccuracy(retrained.params, retrained.state),
  });
}

console.log(
  `\n2-32-32-1 tanh network on two spirals: ${pretrainEpochs} epochs with weight decay, then ${retrainEpochs} epochs of pruning and retraining per target.`,
);
console.log(`Dense network: ${total} weights, test accuracy ${percent(denseAccuracy)}.\n`);
console.log(table(
  ["target sparsity", "sparsity reached", "non-zero weights", "one-shot prune: test acc", "prune + retrain: test acc"],
  rows.map((r) => [
    percent(r.target),
    percent(r.sparsity),
    `${r.nonzero} of ${total}`,
    percent(r.oneShot),
    percent(r.retrained),
  ]),
));
// The conclusion comes from this run's numbers: it says so when an expected effect does not show.
const hardest = rows.at(-1)!;
const effect = hardest.retrained > hardest.oneShot;
const lines = [
  denseAccuracy >= 0.8
    ? `The dense network learned the spirals (test accuracy ${percent(denseAccuracy)}).`
    : `The dense network learned the spirals only partly in this run (test accuracy ${percent(denseAccuracy)}).`,
  ...rows.map((r) =>
    `At ${percent(r.target)} sparsity, one-shot pruning ${r.oneShot < denseAccuracy ? "lost" : "kept"} accuracy (${
      percent(r.oneShot)
    }); pruning while retraining gave ${percent(r.retrained)}.`
  ),
  effect
    ? `Retraining after pruning recovered accuracy: ${percent(hardest.retrained)} against ${
      percent(hardest.oneShot)
    } for one-shot pruning at ${percent(hardest.target)} sparsity.`
    : `The expected effect did not show in this run: at ${percent(hardest.target)} sparsity retraining gave ${
      percent(hardest.retrained)
    }, one-shot pruning ${percent(hardest.oneShot)}.`,
];
const conclusion = lines.join("\n");
console.log(`\n${conclusion}\n`);
await saveSummary(flags.out, { pretrainEpochs, retrainEpochs, denseAccuracy, targets: rows, effect, conclusion });

await saveChart(
  flags.out,
  "sparsity_accuracy.svg",
  lineChart([
    {
      name: "prune + retrain",
      x: [0, ...rows.map((r) => r.sparsity)],
      y: [denseAccuracy, ...rows.map((r) => r.retrained)],
    },
    {
      name: "one-shot prune",
      x: [0, ...rows.map((r) => r.sparsity)],
      y: [denseAccuracy, ...rows.map((r) => r.oneShot)],
    },
    { name: "dense network", x: [0, 1], y: [denseAccuracy, denseAccuracy], dash: "4 4" },
  ], {
    title: "L0 by pruning: sparsity vs test accuracy",
    xLabel: "sparsity (fraction of weights that are zero)",
    yLabel: "test accuracy",
    xRange: [0, 1],
    yRange: [0.4, 1],
  }),
);
if (trace.length > 0) {
  await saveChart(
    flags.out,
    "retraining.svg",
    lineChart([
      { name: "sparsity", x: trace.map((t) => t.epoch), y: trace.map((t) => t.sparsity) },
      { name: "test accuracy", x: trace.map((t) => t.epoch), y: trace.map((t) => t.valAccuracy) },
    ], {
      title: "Gradual pruning to 90% while retraining",
      xLabel: "retraining epoch",
      yLabel: "fraction",
      yRange: [0, 1],
    }),
  );
}
