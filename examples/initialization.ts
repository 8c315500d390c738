/**
 * Seed 000, homework 1: initialize a binary classifier with (i) all weights
 * zero, (ii) all weights one, (iii) random weights (Xavier/Glorot uniform),
 * train each the same way, and compare.
 *
 *   deno run --allow-read=runs --allow-write=runs examples/initialization.ts [--quick] [--out DIR]
 *
 * Design. The data is noisy XOR (200 training and 400 test points around the
 * corners of the unit square), which no straight line separates: the network
 * needs at least two *different* hidden units. The network is 2-8-1 with
 * sigmoid units, trained with MSE by SGD with momentum on minibatches of 20;
 * the three runs differ only in the weight initializer (biases start at zero
 * in all three), and share the seed, so they see the same batches.
 *
 * What happens (symmetry). When every hidden unit starts with the same
 * weights, every hidden unit computes the same function, receives the same
 * error signal δ and gets the same update, so they stay identical forever:
 * the 8-unit layer behaves like a single unit, whatever the training time.
 * With all zeros the first step does not even move the hidden weights (the
 * output weights v are 0, so δ·v = 0); after that they move, but in lockstep.
 * All ones is the same trap, plus saturation (σ of a large sum). A single
 * sigmoid unit can get at most three of XOR's four corners right, so (i) and
 * (ii) stall near 75% or lower, while random weights break the symmetry and
 * solve the problem. The program counts the distinct hidden units at the end.
 *
 * Writes `loss.svg` (training loss against epochs, the three runs) and
 * `accuracy.svg` (test accuracy) to `runs/initialization/`.
 *
 * @module
 */

import { layers, type Tensor, type Tree } from "../mod.ts";
import { train, xor } from "../train/mod.ts";
import { lineChart, sparkline } from "../train/plot/mod.ts";
import { exampleFlags, percent, saveChart, table } from "./_shared.ts";

const USAGE = `Zero vs constant vs random initialization (seed 000, homework 1).

Usage: deno run --allow-read=runs --allow-write=runs examples/initialization.ts [--quick] [--out DIR]
  --quick    fewer epochs (for tests)
  --out DIR  where the charts go (default runs/initialization)`;

const flags = exampleFlags("initialization", USAGE);
const epochs = flags.quick ? 30 : 100;
const data = xor({ samples: 200, noise: 0.15, seed: 1 });
const test = xor({ samples: 400, noise: 0.15, seed: 2 });

/** How many different weight columns (hidden units) a dense weight [in, units] has. */
function distinctUnits(weight: Tensor): number {
  const [inputs, units] = weight.shape;
  const columns = new Set<string>();
  for (let j = 0; j < units; j++) {
    const column: string[] = [];
    for (let i = 0; i < inputs; i++) column.push(weight.data[i * units + j].toFixed(9));
    columns.add(column.join(","));
  }
  return columns.size;
}

const runs = [
  { name: "(i) zeros", initializer: "zeros" },
  { name: "(ii) ones", initializer: { name: "constant", value: 1 } },
  { name: "(iii) random (Xavier)", initializer: "xavier-uniform" },
] as const;

const results = [];
for (const run of runs) {
  const model = layers.sequential([
    layers.dense({ units: 8, initializer: run.initializer }),
    layers.sigmoid(),
    layers.dense({ units: 1, initializer: run.initializer }),
    layers.sigmoid(),
  ]);
  const result = await train({
    model,
    loss: "mse",
    optimizer: { name: "sgd", learningRate: 0.5, momentum: 0.9 },
    data,
    validation: test,
    epochs,
    batchSize: 20,
    metrics: ["accuracy"],
    seed: 3,
  });
  const hidden = (result.params as Tree[])[0] as { weight: Tensor };
  results.push({ ...run, history: result.history.epochs, distinct: distinctUnits(hidden.weight) });
}

console.log(`\nInitialization of a 2-8-1 sigmoid network on noisy XOR, ${epochs} epochs of SGD (momentum 0.9):\n`);
console.log(table(
  ["initialization", "final loss", "train acc", "test acc", "distinct hidden units", "loss per epoch"],
  results.map((r) => {
    const last = r.history.at(-1)!;
    return [
      r.name,
      last.loss.toFixed(4),
      percent(last.accuracy),
      percent(last.valAccuracy),
      `${r.distinct} of 8`,
      sparkline(r.history.map((e) => e.loss), { width: 30 }),
    ];
  }),
));
console.log(`
Why: with equal initial weights every hidden unit computes the same output, gets the same
error signal and the same update, so the units stay copies of each other (the symmetry is
never broken) and the network acts as if it had one hidden unit, which cannot separate XOR.
Random initialization gives each unit a different start, so they learn different features.
`);

const epochAxis = (h: readonly { epoch: number }[]) => h.map((e) => e.epoch);
await saveChart(
  flags.out,
  "loss.svg",
  lineChart(results.map((r) => ({ name: r.name, x: epochAxis(r.history), y: r.history.map((e) => e.loss) })), {
    title: "Zero vs constant vs random initialization (2-8-1 sigmoid, XOR)",
    xLabel: "epoch",
    yLabel: "training loss (MSE)",
    logY: true,
  }),
);
await saveChart(
  flags.out,
  "accuracy.svg",
  lineChart(
    results.map((r) => ({ name: r.name, x: epochAxis(r.history), y: r.history.map((e) => e.valAccuracy) })),
    { title: "Test accuracy by initialization", xLabel: "epoch", yLabel: "test accuracy", yRange: [0, 1] },
  ),
);
