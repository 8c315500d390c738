/**
 * Fashion-MNIST with a small convolutional network, the one every course
 * trains after the MLP: conv 1→32 (3×3, padding 1), ReLU, max-pool 2, conv
 * 32→64 (3×3, padding 1), ReLU, max-pool 2, flatten (3136), dense 128, ReLU,
 * dense 10; softmax cross-entropy, Adam (η = 1e-3), minibatches of 128
 * reshuffled every epoch, float32, 3 epochs (the target is ≥ 90% test
 * accuracy). The same model as `examples/experiments/fashion_cnn.json`.
 *
 *   deno run --allow-read=runs,/usr/share/datasets/fashion-mnist --allow-write=runs examples/fashion_cnn.ts
 *   deno run --allow-read=runs,/usr/share/datasets/fashion-mnist --allow-write=runs examples/fashion_cnn.ts --quick
 *
 * The data comes from Debian's package (nothing is downloaded):
 *
 *   sudo apt-get install dataset-fashion-mnist     # puts the files in /usr/share/datasets/fashion-mnist
 *
 * or from https://github.com/zalandoresearch/fashion-mnist (data/fashion) into a
 * folder given with `--data DIR` (then allow reading DIR instead).
 *
 * Flags: `--quick` trains one epoch on the first 1024 training images and tests
 * on the first 1024 test images; `--epochs N`; `--backend wasm|js|blas` (`blas`
 * uses OpenBLAS and needs `--allow-ffi`); `--out DIR` (default `runs/fashion_cnn`).
 *
 * Writes `loss.svg`, `accuracy.svg` and `model.safetensors` to the output
 * folder. The model file carries PyTorch's names and layouts (the dense
 * layers store `[out, in]` weights, `weightLayout: "out-in"`), so it loads
 * into the equivalent `torch.nn.Sequential` as it is (see docs/pytorch.md):
 *
 *   from safetensors.torch import load_file
 *   model.load_state_dict(load_file("runs/fashion_cnn/model.safetensors"))
 *
 * @module
 */

import { FASHION_MNIST_DIR, progressBar, saveModel, train } from "../train/mod.ts";
import { fashionFlags, loadFashionOrExit, reportFashionRun } from "./_fashion.ts";

const USAGE =
  `Fashion-MNIST with a CNN: conv 32, pool, conv 64, pool, dense 128, dense 10 (Adam 1e-3, batch 128, float32).

Usage: deno run --allow-read=runs,${FASHION_MNIST_DIR} --allow-write=runs examples/fashion_cnn.ts [flags]
  --quick          one epoch on the first 1024 training and 1024 test images (for tests)
  --epochs N       epochs to train (default 3)
  --backend NAME   wasm (default), js, or blas (needs --allow-ffi)
  --data DIR       the folder with the four IDX files (default ${FASHION_MNIST_DIR})
  --out DIR        where the charts and the model go (default runs/fashion_cnn)

Get the data with: sudo apt-get install dataset-fashion-mnist`;

/** The network, as data: the layers of PyTorch's nn.Sequential in the same order (docs/pytorch.md). */
export const CNN = [
  { name: "conv2d", filters: 32, kernelSize: 3, padding: 1 },
  { name: "relu" },
  { name: "max-pool2d", poolSize: 2 },
  { name: "conv2d", filters: 64, kernelSize: 3, padding: 1 },
  { name: "relu" },
  { name: "max-pool2d", poolSize: 2 },
  { name: "flatten" },
  { name: "dense", units: 128, weightLayout: "out-in" },
  { name: "relu" },
  { name: "dense", units: 10, weightLayout: "out-in" },
];

if (import.meta.main) await main();

async function main() {
  const flags = fashionFlags("fashion_cnn", USAGE, 3);
  const dataset = await loadFashionOrExit(flags.dir, {
    channels: true,
    labels: "index",
    limit: flags.quick ? 1024 : undefined,
  });
  const trainSet = dataset.train, testSet = dataset.test; // float32 [n, 1, 28, 28] (the layers follow the dtype)
  console.log(
    `Fashion-MNIST: ${trainSet.x.shape[0]} training and ${testSet.x.shape[0]} test images [1, 28, 28]; ` +
      `${flags.epochs} epoch(s), backend ${flags.backendName}\n`,
  );

  const started = performance.now();
  const result = await train({
    model: { name: "sequential", layers: CNN },
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
    model: "CNN (conv 32, conv 64, dense 128)",
    test: testSet,
    classes: dataset.classes,
    target: 0.9,
    targetEpochs: 3,
    epochs: flags.epochs,
    seconds: (performance.now() - started) / 1000,
    backendName: flags.backendName,
    quick: flags.quick,
    out: flags.out,
  });
  await saveModel(`${flags.out}/model.safetensors`, result);
  console.log(
    `wrote ${flags.out}/model.safetensors (PyTorch's names and layouts: ` +
      `model.load_state_dict(safetensors.torch.load_file(...)) for the nn.Sequential of docs/pytorch.md)`,
  );
}
