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

import { FASHION_MNIST_DIR, progressBar, train } from "../train/mod.ts";
import { fashionFlags, loadFashionOrExit, reportFashionRun } from "./_fashion.ts";

const USAGE = `Fashion-MNIST with an MLP 784-256-128-10 (ReLU, Adam 1e-3, batch 128, float32).

Usage: deno run --allow-read=runs,${FASHION_MNIST_DIR} --allow-write=runs examples/fashion_mnist.ts [flags]
  --quick          one epoch on 5000 training images, tested on 5000 (for tests)
  --epochs N       epochs to train (default 5)
  --backend NAME   wasm (default), js, or blas (needs --allow-ffi)
  --data DIR       the folder with the four IDX files (default ${FASHION_MNIST_DIR})
  --out DIR        where the charts go (default runs/fashion_mnist)

Get the data with: sudo apt-get install dataset-fashion-mnist`;

const flags = fashionFlags("fashion_mnist", USAGE, 5);
const dataset = await loadFashionOrExit(flags.dir, { limit: flags.quick ? 5000 : undefined });
const trainSet = dataset.train, testSet = dataset.test; // float32, the loader's default (the layers follow it)
console.log(
  `Fashion-MNIST: ${trainSet.x.shape[0]} training and ${testSet.x.shape[0]} test images; ` +
    `${flags.epochs} epoch(s), backend ${flags.backendName}\n`,
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
  epochs: flags.epochs,
  metrics: ["accuracy"],
  recordSteps: true,
  callbacks: [progressBar()],
  seed: 0,
});
await reportFashionRun(result, {
  model: "MLP 784-256-128-10",
  test: testSet,
  classes: dataset.classes,
  target: 0.86,
  targetEpochs: 1,
  epochs: flags.epochs,
  seconds: (performance.now() - started) / 1000,
  backendName: flags.backendName,
  quick: flags.quick,
  out: flags.out,
});
