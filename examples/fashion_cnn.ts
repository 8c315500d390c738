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
 * on the first 500 test images; `--epochs N`; `--backend wasm|js|blas` (`blas`
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

import { astype, backends, setBackend, type Tensor } from "../mod.ts";
import {
  FASHION_MNIST_DIR,
  loadFashionMnist,
  type MnistData,
  predict,
  progressBar,
  saveModel,
  train,
} from "../train/mod.ts";
import { lineChart } from "../train/plot/mod.ts";
import { exampleFlags, percent, saveChart, table } from "./_shared.ts";

const USAGE =
  `Fashion-MNIST with a CNN: conv 32, pool, conv 64, pool, dense 128, dense 10 (Adam 1e-3, batch 128, float32).

Usage: deno run --allow-read=runs,${FASHION_MNIST_DIR} --allow-write=runs examples/fashion_cnn.ts [flags]
  --quick          one epoch on 1024 training images, tested on 500 (for tests)
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
  const flags = exampleFlags("fashion_cnn", USAGE, ["epochs", "backend", "data"]);
  const epochs = flags.extra.epochs !== undefined ? Number(flags.extra.epochs) : flags.quick ? 1 : 3;
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
    dataset = await loadFashionMnist({ dir, channels: true, labels: "index", limit: flags.quick ? 1024 : undefined });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      console.error(`${(e as Error).message}\n`);
      console.error("To get Fashion-MNIST (about 30 MB), either:");
      console.error(
        "  sudo apt-get install dataset-fashion-mnist        # Debian/Ubuntu, installs " + FASHION_MNIST_DIR,
      );
      console.error(
        "  or download the four .gz files from https://github.com/zalandoresearch/fashion-mnist/tree/master/data/fashion\n" +
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

  const f32 = (t: Tensor) => astype(t, "float32");
  const testCount = flags.quick ? 500 : dataset.test.x.shape[0];
  const trainSet = { x: f32(dataset.train.x), y: f32(dataset.train.y) };
  const testX = f32(dataset.test.x), testY = f32(dataset.test.y);
  const testSet = {
    x: new (testX.constructor as typeof Tensor)(testX.data.subarray(0, testCount * 784), [testCount, 1, 28, 28]),
    y: new (testY.constructor as typeof Tensor)(testY.data.subarray(0, testCount), [testCount]),
  };
  console.log(
    `Fashion-MNIST: ${trainSet.x.shape[0]} training and ${testCount} test images [1, 28, 28]; ` +
      `${epochs} epoch(s), backend ${backendName}\n`,
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
  const logits = predict(result, testSet.x, { batchSize: 500 });
  const k = dataset.classes.length;
  const hits = new Array(k).fill(0), counts = new Array(k).fill(0);
  for (let i = 0; i < testCount; i++) {
    let predicted = 0;
    for (let j = 1; j < k; j++) if (logits.data[i * k + j] > logits.data[i * k + predicted]) predicted = j;
    const actual = testSet.y.data[i];
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
  const target = flags.quick || epochs < 3
    ? ""
    : last.valAccuracy >= 0.9
    ? "  (target ≥ 90%: met)"
    : "  (target ≥ 90%: NOT met)";
  console.log(
    `\nTest accuracy ${percent(last.valAccuracy)} after ${epochs} epoch(s), ${result.steps} steps, ` +
      `${seconds.toFixed(1)} s (${(result.steps / seconds).toFixed(2)} steps/s, backend ${backendName})${target}`,
  );

  await Deno.mkdir(flags.out, { recursive: true });
  await saveModel(`${flags.out}/model.safetensors`, result);
  console.log(
    `wrote ${flags.out}/model.safetensors (PyTorch's names and layouts: ` +
      `model.load_state_dict(safetensors.torch.load_file(...)) for the nn.Sequential of docs/pytorch.md)`,
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
      title: "Fashion-MNIST, CNN (conv 32, conv 64, dense 128), Adam",
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
      title: "Fashion-MNIST CNN accuracy per epoch",
      xLabel: "epoch",
      yLabel: "accuracy",
      markers: true,
    }),
  );
}
