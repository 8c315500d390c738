/**
 * Fashion-MNIST with a multilayer perceptron: 784-256-128-10, ReLU, softmax
 * cross-entropy, Adam (η = 1e-3), minibatches of 128 reshuffled every epoch,
 * float32, 5 epochs; the test accuracy is reported after every epoch. TF.js
 * trains the same model (same Glorot-uniform initialization, zero biases, same
 * Adam defaults) to 86.8–88.2% test accuracy; the target here is ≥ 86%.
 *
 *   deno run --allow-read=runs,/usr/share/datasets/fashion-mnist --allow-write=runs examples/fashion_mnist.ts
 *   deno run --allow-read=runs,/usr/share/datasets/fashion-mnist --allow-write=runs examples/fashion_mnist.ts --quick
 *
 * The data comes from Debian's package (nothing is downloaded):
 *
 *   sudo apt-get install dataset-fashion-mnist     # puts the files in /usr/share/datasets/fashion-mnist
 *
 * or from https://github.com/zalandoresearch/fashion-mnist (data/fashion) into a
 * folder given with `--data DIR` (then allow reading DIR instead). When the
 * files are missing the program says how to get them and exits with status 1.
 *
 * Flags: `--quick` trains one epoch on the first 5000 training images and tests
 * on the first 5000 test images (well under a minute); `--epochs N`;
 * `--backend wasm|js|blas` picks the matrix-product kernels (default `wasm`,
 * WebAssembly SIMD, no permission needed; `blas` uses OpenBLAS and needs
 * `--allow-ffi`); `--out DIR` (default `runs/fashion_mnist`).
 *
 * Writes `loss.svg` (training loss per step and per epoch, test loss per epoch)
 * and `accuracy.svg` (training and test accuracy per epoch) to `runs/fashion_mnist/`.
 *
 * @module
 */

import { backends, setBackend } from "../mod.ts";
import { FASHION_MNIST_DIR, loadFashionMnist, type MnistData, predict, progressBar, train } from "../train/mod.ts";
import { lineChart } from "../train/plot/mod.ts";
import { exampleFlags, percent, saveChart, table } from "./_shared.ts";

const USAGE = `Fashion-MNIST with an MLP 784-256-128-10 (ReLU, Adam 1e-3, batch 128, float32).

Usage: deno run --allow-read=runs,${FASHION_MNIST_DIR} --allow-write=runs examples/fashion_mnist.ts [flags]
  --quick          one epoch on 5000 training images, tested on 5000 (for tests)
  --epochs N       epochs to train (default 5)
  --backend NAME   wasm (default), js, or blas (needs --allow-ffi)
  --data DIR       the folder with the four IDX files (default ${FASHION_MNIST_DIR})
  --out DIR        where the charts go (default runs/fashion_mnist)

Get the data with: sudo apt-get install dataset-fashion-mnist`;

const flags = exampleFlags("fashion_mnist", USAGE, ["epochs", "backend", "data"]);
const epochs = flags.extra.epochs !== undefined ? Number(flags.extra.epochs) : flags.quick ? 1 : 5;
if (!Number.isInteger(epochs) || epochs < 1) {
  console.error(`--epochs must be a positive integer: current value is ${flags.extra.epochs}\n\n${USAGE}`);
  Deno.exit(2);
}
const backendName = flags.extra.backend ?? "wasm";
if (!["wasm", "js", "blas"].includes(backendName)) {
  console.error(`--backend must be one of wasm, js, blas: current value is ${backendName}\n\n${USAGE}`);
  Deno.exit(2);
}
const dir = flags.extra.data ?? FASHION_MNIST_DIR;
try {
  if (backendName === "wasm") setBackend(backends.wasm());
  if (backendName === "blas") setBackend(backends.blas());
} catch (e) {
  console.error((e as Error).message);
  Deno.exit(1);
}

let dataset: MnistData;
try {
  dataset = await loadFashionMnist({ dir, limit: flags.quick ? 5000 : undefined });
} catch (e) {
  if (e instanceof Deno.errors.NotFound) {
    console.error(`${(e as Error).message}\n`);
    console.error("To get Fashion-MNIST (about 30 MB), either:");
    console.error("  sudo apt-get install dataset-fashion-mnist        # Debian/Ubuntu, installs " + FASHION_MNIST_DIR);
    console.error(
      "  or download train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and\n" +
        "  t10k-labels-idx1-ubyte.gz from https://github.com/zalandoresearch/fashion-mnist/tree/master/data/fashion\n" +
        "  into a folder and pass --data DIR (with --allow-read=runs,DIR).",
    );
    Deno.exit(1);
  }
  if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
    console.error(
      `${(e as Error).message}\nAllow reading the data: deno run --allow-read=runs,${dir} --allow-write=runs …`,
    );
    Deno.exit(1);
  }
  throw e;
}

const trainSet = dataset.train, testSet = dataset.test; // float32, the loader's default (the layers follow it)
console.log(
  `Fashion-MNIST: ${trainSet.x.shape[0]} training and ${testSet.x.shape[0]} test images; ` +
    `${epochs} epoch(s), backend ${backendName}\n`,
);

const started = performance.now();
const result = await train({
  model: {
    name: "sequential",
    layers: [
      { name: "dense", units: 256 },
      { name: "relu" },
      { name: "dense", units: 128 },
      { name: "relu" },
      { name: "dense", units: 10 },
    ],
  },
  loss: "softmax-cross-entropy",
  optimizer: { name: "adam", learningRate: 1e-3 },
  data: trainSet,
  validation: testSet,
  batching: "minibatch-shuffled",
  batchSize: 128,
  epochs,
  metrics: ["accuracy"],
  recordSteps: true,
  callbacks: [progressBar()],
  seed: 0,
});
const seconds = (performance.now() - started) / 1000;
const history = result.history.epochs;
const last = history.at(-1)!;

// Per-class test accuracy from the final weights.
const logits = predict(result, testSet.x, { batchSize: 1000 });
const k = dataset.classes.length;
const hits = new Array(k).fill(0), counts = new Array(k).fill(0);
for (let i = 0; i < testSet.x.shape[0]; i++) {
  let predicted = 0, actual = 0;
  for (let j = 1; j < k; j++) {
    if (logits.data[i * k + j] > logits.data[i * k + predicted]) predicted = j;
    if (testSet.y.data[i * k + j] > testSet.y.data[i * k + actual]) actual = j;
  }
  counts[actual]++;
  if (predicted === actual) hits[actual]++;
}

console.log();
console.log(table(
  ["epoch", "train loss", "train acc (running)", "test loss", "test acc", "time (s)"],
  history.map((e) => [
    String(e.epoch),
    e.loss.toFixed(4),
    percent(e.accuracy),
    e.valLoss.toFixed(4),
    percent(e.valAccuracy),
    e.time.toFixed(1),
  ]),
));
console.log();
console.log(table(
  ["class", "test acc"],
  dataset.classes.map((name, c) => [name, counts[c] ? percent(hits[c] / counts[c]) : "—"]),
));
const target = flags.quick ? "" : last.valAccuracy >= 0.86 ? "  (target ≥ 86%: met)" : "  (target ≥ 86%: NOT met)";
console.log(
  `\nTest accuracy ${percent(last.valAccuracy)} after ${epochs} epoch(s), ${result.steps} steps, ` +
    `${seconds.toFixed(1)} s (${(result.steps / seconds).toFixed(1)} steps/s, backend ${backendName})${target}`,
);

const steps = result.history.steps;
const epochAxis = history.map((e) => e.step);
await saveChart(
  flags.out,
  "loss.svg",
  lineChart([
    { name: "training loss per step", x: steps.map((s) => s.step), y: steps.map((s) => s.loss), color: "#9ecae1" },
    { name: "training loss per epoch", x: epochAxis, y: history.map((e) => e.loss) },
    { name: "test loss", x: epochAxis, y: history.map((e) => e.valLoss), dash: "6 3" },
  ], {
    title: "Fashion-MNIST, MLP 784-256-128-10, Adam",
    xLabel: "step (batches of 128)",
    yLabel: "softmax cross-entropy",
    logY: true,
    markers: false,
  }),
);
await saveChart(
  flags.out,
  "accuracy.svg",
  lineChart([
    { name: "training (running, in-epoch)", x: history.map((e) => e.epoch), y: history.map((e) => e.accuracy) },
    { name: "test", x: history.map((e) => e.epoch), y: history.map((e) => e.valAccuracy) },
  ], {
    title: "Fashion-MNIST accuracy per epoch",
    xLabel: "epoch",
    yLabel: "accuracy",
    markers: true,
  }),
);
