/**
 * Seed 003, the universal approximation theorem: one hidden layer of sigmoid
 * units, G(x) = Σₘ vₘ σ(wₘx + bₘ) + v₀, approximates a continuous function g
 * on an interval as closely as we like given enough units M. Here we watch the
 * error fall as M grows.
 *
 *   deno run --allow-read=runs --allow-write=runs examples/universal_approximation.ts [--quick] [--out DIR]
 *
 * Design. g(x) = sin(2πx)·e^{−x²} on [−1, 1] (the theorem holds on any closed
 * interval; this one keeps the inputs centred), sampled at 50 evenly spaced
 * points. Networks 1-M-1 (sigmoid hidden layer, linear output) are trained on
 * MSE with Adam, full batch. The error reported is measured on 1001 points, so
 * it covers the gaps between the training samples too.
 *
 * Two practical choices, both standard:
 * - The hidden weights start from N(0, 8²) and the biases from U(−8, 8), so
 *   the sigmoids' steps (at x = −b/w) are spread over the interval with
 *   various slopes. With Xavier's small weights every unit starts almost linear
 *   on [−1, 1] and Adam spends most of the run growing them.
 * - The objective is not convex, so each M is trained from two random starts
 *   and the better fit is kept, as seed 003 recommends ("run this algorithm for
 *   many different initial values … and choose the lowest local minimum").
 *
 * Writes `fit.svg` (g and the fits) and `loss.svg` (training loss against
 * epochs, one line per M, log scale) to `runs/universal_approximation/`.
 *
 * @module
 */

import { layers, type Tensor } from "../mod.ts";
import { function1d, predict, train } from "../train/mod.ts";
import { lineChart, sparkline } from "../train/plot/mod.ts";
import { exampleFlags, saveChart, table } from "./_shared.ts";

const USAGE = `Universal approximation of a 1-D function with one hidden layer (seed 003).

Usage: deno run --allow-read=runs --allow-write=runs examples/universal_approximation.ts [--quick] [--out DIR]
  --quick    three sizes, shorter training, one start each (for tests)
  --out DIR  where the charts go (default runs/universal_approximation)`;

const flags = exampleFlags("universal_approximation", USAGE);
const sizes = flags.quick ? [1, 4, 16] : [1, 2, 4, 8, 16, 32];
const epochs = flags.quick ? 300 : 1500;
const starts = flags.quick ? [1] : [1, 2];

const g = (x: number) => Math.sin(2 * Math.PI * x) * Math.exp(-x * x);
const data = function1d({ fn: g, range: [-1, 1], samples: 50, spacing: "grid" });
const fine = function1d({ fn: g, range: [-1, 1], samples: 1001, spacing: "grid" });

function errors(prediction: Tensor): { max: number; rms: number } {
  let max = 0, squares = 0;
  prediction.data.forEach((v, i) => {
    const e = Math.abs(v - fine.y.data[i]);
    max = Math.max(max, e);
    squares += e * e;
  });
  return { max, rms: Math.sqrt(squares / prediction.size) };
}

const results = [];
for (const units of sizes) {
  let best: { max: number; rms: number; fit: number[]; losses: number[]; seed: number } | null = null;
  for (const seed of starts) {
    const model = layers.sequential([
      layers.dense({
        units,
        initializer: { name: "normal", std: 8 },
        biasInitializer: { name: "uniform", low: -8, high: 8 },
      }),
      layers.sigmoid(),
      layers.dense({ units: 1 }),
    ]);
    const result = await train({
      progress: false, // the example prints its own table
      model,
      loss: "mse",
      optimizer: { name: "adam", learningRate: 0.05 },
      data,
      batching: "full",
      epochs,
      seed,
    });
    const prediction = predict(result, fine.x);
    const e = errors(prediction);
    if (best === null || e.max < best.max) {
      best = { ...e, fit: [...prediction.data], losses: result.history.epochs.map((r) => r.loss), seed };
    }
  }
  results.push({ units, ...best! });
}

console.log(
  `\nOne hidden layer (sigmoid) fitting g(x) = sin(2πx)·exp(−x²) on [−1, 1]: ${epochs} epochs of Adam, best of ${starts.length} start(s)\n`,
);
console.log(table(
  ["hidden units M", "parameters", "training MSE", "max |G − g|", "RMS error", "loss per epoch"],
  results.map((r) => [
    String(r.units),
    String(3 * r.units + 1),
    r.losses.at(-1)!.toExponential(2),
    r.max.toFixed(3),
    r.rms.toFixed(4),
    sparkline(r.losses, { width: 24, logY: true }),
  ]),
));
// The conclusion comes from this run's numbers: it says so when the error does not fall with M.
const rmsErrors: number[] = results.map((r) => r.rms);
const falling = rmsErrors.every((rms, i) => i === 0 || rms < rmsErrors[i - 1]);
console.log(`
${
  falling
    ? `More hidden units, lower error (RMS ${results.map((r) => r.rms.toFixed(4)).join(" → ")})`
    : `In this run the error did not fall with every added unit (RMS ${
      results.map((r) => r.rms.toFixed(4)).join(", ")
    })`
}: each unit adds one sigmoid step, and a sum of enough steps
follows any continuous curve. Errors are measured on 1001 points, between the 50 samples too.
`);

const xs = [...fine.x.data];
const shown = results.filter((r) => r.units !== 16 || results.length <= 3);
await saveChart(
  flags.out,
  "fit.svg",
  lineChart([
    { name: "g(x)", x: xs, y: [...fine.y.data], color: "#000000", dash: "6 3" },
    ...shown.map((r) => ({ name: `M = ${r.units}`, x: xs, y: r.fit })),
  ], {
    title: "One hidden layer approximating g(x) = sin(2πx)·exp(−x²)",
    xLabel: "x",
    yLabel: "G(x)",
    markers: false,
  }),
);
await saveChart(
  flags.out,
  "loss.svg",
  lineChart(results.map((r) => ({ name: `M = ${r.units}`, y: r.losses, x: r.losses.map((_, i) => i + 1) })), {
    title: "Training loss by number of hidden units",
    xLabel: "epoch (full batch)",
    yLabel: "MSE",
    logY: true,
  }),
);
