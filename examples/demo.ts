/**
 * The quick demo: a 2-32-32-1 tanh network learns two interleaved spirals
 * (generated, no download) with Adam and binary cross-entropy, shows a progress
 * bar, and writes everything a run produces to `runs/demo/`:
 *
 *   metrics.jsonl, metrics.csv    per-epoch (and per-step) loss and accuracy
 *   loss.svg, accuracy.svg, …     charts of the run (open them in a browser)
 *   checkpoint/                   the last checkpoint (resume with --resume)
 *   model.safetensors             the trained model, reloaded here for `predict`
 *
 *   deno task demo
 *   deno run --allow-read=runs --allow-write=runs --allow-env=CI examples/demo.ts [--epochs 250] [--seed 0] [--out runs/demo] [--resume]
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  accuracy,
  checkpoints,
  computeMetric,
  csvLogger,
  jsonlLogger,
  loadModel,
  predict,
  progressBar,
  saveModel,
  train,
  twoSpirals,
} from "../train/mod.ts";
import { parseMetrics, plotRun, terminalChart } from "../train/plot/mod.ts";

const USAGE = `Usage: deno task demo [--epochs N] [--seed N] [--out DIR] [--resume]

Trains a 2-32-32-1 tanh network on two spirals and writes metrics, charts,
a checkpoint and the model to DIR (default runs/demo).

  --epochs N   epochs to train (default 250)
  --seed N     seed of initialization, split and batches (default 0)
  --out DIR    output folder (default runs/demo)
  --resume     continue from DIR/checkpoint up to --epochs`;

function fail(message: string, code: number): never {
  console.error(message);
  Deno.exit(code);
}

let flags;
try {
  flags = parseArgs({
    args: Deno.args,
    options: {
      epochs: { type: "string", default: "250" },
      seed: { type: "string", default: "0" },
      out: { type: "string", default: "runs/demo" },
      resume: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  }).values;
} catch (e) {
  fail(`${(e as Error).message}\n\n${USAGE}`, 2);
}
if (flags.help) {
  console.log(USAGE);
  Deno.exit(0);
}
const epochs = Number(flags.epochs), seed = Number(flags.seed);
if (!Number.isInteger(epochs) || epochs < 1) {
  fail(`--epochs must be a positive integer: current value is ${flags.epochs}`, 2);
}
if (!Number.isSafeInteger(seed)) fail(`--seed must be an integer: current value is ${flags.seed}`, 2);
const out = flags.out.replace(/\/+$/, "");
for (const name of ["read", "write"] as const) {
  if ((await Deno.permissions.query({ name, path: out })).state !== "granted") {
    fail(
      `The demo writes its results to ${out}/: run it with "deno task demo" or\n  deno run --allow-read=${out} --allow-write=${out} --allow-env=CI examples/demo.ts`,
      1,
    );
  }
}
await Deno.mkdir(out, { recursive: true });

const data = twoSpirals({ samples: 600, noise: 0.05, seed: 0 });
console.log(`two spirals: ${data.x.shape[0]} points (20% held out for validation), ${epochs} epochs of Adam\n`);
const result = await train({
  model: {
    name: "sequential",
    layers: [
      { name: "dense", units: 32 },
      { name: "tanh" },
      { name: "dense", units: 32 },
      { name: "tanh" },
      { name: "dense", units: 1 },
      { name: "sigmoid" },
    ],
  },
  loss: "binary-cross-entropy",
  optimizer: { name: "adam", learningRate: 0.02 },
  data,
  validation: 0.2,
  batching: "minibatch-shuffled",
  batchSize: 32,
  epochs,
  metrics: ["accuracy"],
  seed,
  recordSteps: true,
  resume: flags.resume ? `${out}/checkpoint` : undefined,
  callbacks: [
    progressBar(),
    jsonlLogger({ path: `${out}/metrics.jsonl`, steps: true }),
    csvLogger({ path: `${out}/metrics.csv` }),
    checkpoints({ dir: `${out}/checkpoint`, every: 50 }),
  ],
});

// Save the model, load it back as an inference-only user would, and measure it.
await saveModel(`${out}/model.safetensors`, result);
const model = await loadModel(`${out}/model.safetensors`);
const trainAcc = computeMetric(accuracy(), predict(model, data.x), data.y) as number;
const last = result.history.epochs.at(-1)!;
const charts = await plotRun(out, { title: "Two spirals, 2-32-32-1 tanh, Adam" });

// The whole run's epochs are in its metrics log (after --resume, result.history holds only this session's).
const logged = parseMetrics(await Deno.readTextFile(`${out}/metrics.jsonl`)).filter((r) => r.kind === "epoch");
const series = [
  { name: "loss", x: logged.map((e) => Number(e.epoch)), y: logged.map((e) => Number(e.loss)) },
  { name: "valLoss", x: logged.map((e) => Number(e.epoch)), y: logged.map((e) => Number(e.valLoss)) },
];
const color = Deno.stdout.isTerminal() && !Deno.noColor;
const chart = terminalChart(series, {
  width: 60,
  height: 8,
  logY: true,
  title: "loss per epoch (log scale)",
  xLabel: "epoch",
  color,
});
console.log(`\n${chart}\n`);
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
console.log(
  `final accuracy: validation ${pct(last.valAccuracy)}, all ${data.x.shape[0]} points ${
    pct(trainAcc)
  } (model reloaded from ${out}/model.safetensors)`,
);
console.log(`wrote ${out}/metrics.jsonl, ${out}/metrics.csv, ${out}/checkpoint/, ${out}/model.safetensors`);
console.log(`charts: ${charts.join(", ")}`);
