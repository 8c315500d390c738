/**
 * The CNN workload of issue 12 on Fashion-MNIST: gradflow's `train()` on each
 * backend against TensorFlow.js (the same architecture, in Deno) and PyTorch
 * CPU (when `python3` imports `torch`), in one run.
 *
 * Workload: input [N, 1, 28, 28] in [0, 1]; conv 1→32 3×3 padding 1, ReLU,
 * max-pool 2, conv 32→64 3×3 padding 1, ReLU, max-pool 2, flatten (3136),
 * dense 128, ReLU, dense 10; softmax cross-entropy on the labels, Adam
 * (1e-3, β = 0.9/0.999, ε = 1e-8), batch 128, float32, one epoch (469 steps,
 * the last of 96), then accuracy on the 10 000 test images. Every run starts
 * from the same weights (train()'s own initialization for the seed: PyTorch's
 * default for the convolutions, Xavier-uniform for the dense layers) and sees
 * the batches in the same order (train()'s seeded permutation, reproduced
 * here and handed to the peers).
 *
 * Runs, each in a process of its own (so that each peak RSS, the kernel's
 * VmHWM, is its own):
 * - `gradflow-wasm` (the default backend, on every core), `gradflow-wasm-1` (on one
 *   thread, only with `--only`), `gradflow-blas` (OpenBLAS, 1 thread:
 *   the targets compare it with PyTorch on 1 thread), `gradflow-js` (only with
 *   `--only`): `train()` with the model as data (examples/fashion_cnn.ts's CNN);
 * - `torch-1` and `torch-all`: PyTorch's `nn.Sequential` of the same layers,
 *   loaded from the same weights by name (the same `state_dict` keys), on 1
 *   thread and on every core (tests/bench/_cnn_torch.py);
 * - `tfjs-wasm`: TF.js 4.22 as users write it (`tf.conv2d`, `tf.maxPool`,
 *   `optimizer.minimize`); its wasm backend has no Conv2DBackpropFilter
 *   kernel, so the run reports that error; `tfjs-wasm-tuned`: the same with a
 *   `tf.customGrad` convolution whose filter gradient is one matrix product
 *   of im2col(x) and ḡ (the expert's workaround, on wasm kernels); `tfjs-cpu`
 *   (only with `--only`): as users write it, on the cpu backend. TF.js runs
 *   take 50 steps by default, scaled to an epoch (`--tfjs-steps all` for an
 *   epoch).
 *   TF.js is a benchmark-only dependency, imported here by its full `npm:`
 *   specifier and locked in tests/bench/deno.lock (the benchmark's own
 *   configuration, tests/bench/deno.json; nothing in the root deno.json).
 *
 * Each Deno run reads the IDX files straight into float32 tensors (no float64
 * copy), as PyTorch's reads them into a float32 tensor.
 *
 * ```sh
 * apt-get install -y dataset-fashion-mnist libopenblas0    # the data; OpenBLAS for "blas"
 * deno task bench:cnn                                      # every run, one epoch
 * deno task bench:cnn --steps 40 --only gradflow-wasm,torch-1
 * deno task bench:cnn --tfjs-steps all                     # TF.js for a whole epoch too
 * ```
 *
 * Reported per run: seconds per epoch (the training loop's wall time, data
 * handling included; scaled to 469 steps when fewer ran), samples/s, CPU
 * seconds per epoch (the process's user + system time over the loop), peak RSS,
 * test accuracy and the last batch's loss; then each run's time relative to
 * PyTorch on 1 thread and to TF.js wasm.
 *
 * @module
 */

import { parseArgs } from "node:util";
import process from "node:process";
import { Random } from "../../core/random.ts";
import { setBackend } from "../../core/backend.ts";
import { Tensor } from "../../core/tensor.ts";
import { flattenTree, type Tree, unflattenTree } from "../../core/tree.ts";
import { blas } from "../../plugins/backends/blas.ts";
import { createRegistry } from "../../plugins/mod.ts";
import { CNN } from "../../examples/fashion_cnn.ts";
import { readIdx } from "../../train/data/idx.ts";
import { FASHION_MNIST_DIR } from "../../train/data/mnist.ts";
import { resolveModel } from "../../train/model.ts";
import { predict } from "../../train/predict.ts";
import { train } from "../../train/train.ts";

const BATCH = 128, LEARNING_RATE = 1e-3, SEED = 0;
/** Test images per forward pass, in every framework: the training batch, so evaluation reuses its buffers. */
const EVAL_BATCH = 128;
const RUNS = ["gradflow-wasm", "gradflow-blas", "torch-1", "torch-all", "tfjs-wasm", "tfjs-wasm-tuned"];
const OPTIONAL = ["gradflow-js", "gradflow-wasm-1", "tfjs-cpu"];

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    steps: { type: "string" },
    epochs: { type: "string", default: "1" },
    only: { type: "string" },
    "tfjs-steps": { type: "string", default: "50" },
    timeout: { type: "string", default: "1800" },
    python: { type: "string" },
    worker: { type: "string" },
    inputs: { type: "string" },
  },
});

/** What every run reports, on one `RESULT {json}` line of its output. */
interface Result {
  name: string;
  steps: number;
  samples: number;
  seconds: number;
  cpuSeconds: number;
  peakMiB: number;
  accuracy: number;
  loss: number;
  note?: string;
}

/** What the runs share, written by the main process into a temporary folder. */
interface Inputs {
  /** The parameters in state_dict order: names and shapes (values in params.bin, float32). */
  params: { name: string; shape: number[] }[];
  /** Training samples used (the first `samples` images), epochs, and the order of every epoch (order.bin). */
  samples: number;
  epochs: number;
}

// ---------------------------------------------------------------- data and shared inputs

interface Data {
  trainX: Float32Array;
  trainY: Float32Array;
  testX: Float32Array;
  testY: Float32Array;
}

/** The four IDX files, read into float32 pixels in [0, 1] and labels (the first `samples` training images). */
async function loadData(samples: number): Promise<Data> {
  const dir = Deno.env.get("FASHION_MNIST_DIR") ?? FASHION_MNIST_DIR;
  const read = async (file: string) => {
    for (const path of [`${dir}/${file}.gz`, `${dir}/${file}`]) {
      try {
        return (await readIdx(path)).values;
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    throw new Deno.errors.NotFound(
      `Cannot run the benchmark as ${dir}/${file}.gz is missing: install Debian's dataset-fashion-mnist ` +
        `(apt-get install -y dataset-fashion-mnist) or set FASHION_MNIST_DIR to a folder holding the four files`,
    );
  };
  const pixels = (values: ArrayLike<number>, count: number) => {
    const out = new Float32Array(count * 784);
    for (let i = 0; i < out.length; i++) out[i] = values[i] / 255;
    return out;
  };
  const trainImages = await read("train-images-idx3-ubyte"), trainLabels = await read("train-labels-idx1-ubyte");
  const testImages = await read("t10k-images-idx3-ubyte"), testLabels = await read("t10k-labels-idx1-ubyte");
  return {
    trainX: pixels(trainImages, samples),
    trainY: Float32Array.from(trainLabels.subarray(0, samples)),
    testX: pixels(testImages, testLabels.length),
    testY: Float32Array.from(testLabels),
  };
}

/**
 * The initial parameters and the batch order of train() for this seed, reproduced: train() forks its
 * seed into init, split, batch and layer streams, initializes from the first and permutes each epoch
 * with the third.
 */
function trainerInputs(samples: number, epochs: number): { params: Tree; orders: Int32Array[] } {
  const model = resolveModel({ name: "sequential", layers: CNN }, createRegistry());
  const master = new Random(SEED);
  const initRng = master.fork();
  master.fork(); // the validation split's stream
  const batchRng = master.fork();
  const { params } = model.init([1, 28, 28], initRng);
  const orders = Array.from({ length: epochs }, () => batchRng.permutation(samples));
  return { params, orders };
}

async function writeInputs(dir: string, samples: number, epochs: number): Promise<void> {
  const { params, orders } = trainerInputs(samples, epochs);
  const leaves = flattenTree(params);
  const inputs: Inputs = { params: leaves.map(([name, t]) => ({ name, shape: [...t.shape] })), samples, epochs };
  await Deno.writeTextFile(`${dir}/inputs.json`, JSON.stringify(inputs));
  const values = new Float32Array(leaves.reduce((n, [, t]) => n + t.size, 0));
  let at = 0;
  for (const [, t] of leaves) values.set(t.data, at), at += t.size;
  await Deno.writeFile(`${dir}/params.bin`, new Uint8Array(values.buffer));
  const order = new Int32Array(epochs * samples);
  orders.forEach((o, e) => order.set(o, e * samples));
  await Deno.writeFile(`${dir}/order.bin`, new Uint8Array(order.buffer));
}

async function readInputs(dir: string): Promise<Inputs & { values: Float32Array[]; orders: Int32Array[] }> {
  const inputs = JSON.parse(await Deno.readTextFile(`${dir}/inputs.json`)) as Inputs;
  const all = new Float32Array((await Deno.readFile(`${dir}/params.bin`)).buffer);
  let at = 0;
  const values = inputs.params.map(({ shape }) => {
    const size = shape.reduce((p, n) => p * n, 1);
    return all.subarray(at, at += size);
  });
  const order = new Int32Array((await Deno.readFile(`${dir}/order.bin`)).buffer);
  const orders = Array.from(
    { length: inputs.epochs },
    (_, e) => order.subarray(e * inputs.samples, (e + 1) * inputs.samples),
  );
  return { ...inputs, values, orders };
}

// ---------------------------------------------------------------- measurements

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** The process's peak resident set size (Linux VmHWM), in MiB, or NaN where unknown. */
function peakMiB(): number {
  try {
    const kb = Number(/VmHWM:\s+(\d+)/.exec(Deno.readTextFileSync("/proc/self/status"))?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function accuracyOf(logits: ArrayLike<number>, labels: ArrayLike<number>, offset: number, rows: number): number {
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (logits[r * 10 + c] > logits[r * 10 + best]) best = c;
    if (best === labels[offset + r]) correct++;
  }
  return correct;
}

function report(result: Result): void {
  console.log(`RESULT ${JSON.stringify(result)}`);
}

// ---------------------------------------------------------------- gradflow

async function runGradflow(backendName: string, dir: string): Promise<void> {
  const inputs = await readInputs(dir);
  const data = await loadData(inputs.samples);
  const registry = createRegistry();
  if (backendName === "blas") setBackend(blas({ threads: 1 }));
  else if (backendName === "js") setBackend(registry.create("backend", "js"));
  else if (backendName === "wasm-1") setBackend(registry.create("backend", "wasm", { threads: 1 }));
  else setBackend(registry.create("backend", "wasm"));
  const model = resolveModel({ name: "sequential", layers: CNN }, createRegistry());
  const fresh = model.init([1, 28, 28], new Random(1)).params;
  const params = unflattenTree(
    fresh,
    flattenTree(fresh).map(([name], i) => {
      if (name !== inputs.params[i].name) throw new Error(`parameter ${i} is ${name}, not ${inputs.params[i].name}`);
      return new Tensor(Float32Array.from(inputs.values[i]), inputs.params[i].shape);
    }),
  );
  const x = new Tensor(data.trainX, [inputs.samples, 1, 28, 28]), y = new Tensor(data.trainY, [inputs.samples]);
  // train() draws, for this seed, the order the peers were given (trainerInputs reproduces it).
  const cpu0 = cpuSeconds(), t0 = performance.now();
  const result = await train({
    model: { name: "sequential", layers: CNN },
    loss: "softmax-cross-entropy",
    optimizer: { name: "adam", learningRate: LEARNING_RATE },
    data: { x, y },
    batchSize: BATCH,
    batching: "minibatch-shuffled",
    epochs: inputs.epochs,
    seed: SEED,
    initial: { params },
  });
  const seconds = (performance.now() - t0) / 1000, cpu = cpuSeconds() - cpu0;
  let correct = 0;
  const testCount = data.testY.length;
  for (let i = 0; i < testCount; i += EVAL_BATCH) {
    const rows = Math.min(EVAL_BATCH, testCount - i);
    const chunk = new Tensor(data.testX.subarray(i * 784, (i + rows) * 784), [rows, 1, 28, 28]);
    correct += accuracyOf(predict(result, chunk).data, data.testY, i, rows);
  }
  const history = result.history.epochs;
  report({
    name: `gradflow-${backendName}`,
    steps: result.steps,
    samples: inputs.samples * inputs.epochs,
    seconds,
    cpuSeconds: cpu,
    peakMiB: peakMiB(),
    accuracy: correct / testCount,
    loss: history.at(-1)?.loss ?? NaN,
    note: "train(), epoch mean loss",
  });
}

// ---------------------------------------------------------------- TF.js

async function runTfjs(variant: "wasm" | "wasm-tuned" | "cpu", dir: string, stepLimit: number | undefined) {
  // Benchmark-only dependencies, pinned here so that gradflow itself (deno.json) has none.
  // deno-lint-ignore no-explicit-any no-import-prefix
  const tf: any = await import("npm:@tensorflow/tfjs@4.22.0");
  // deno-lint-ignore no-import-prefix
  await import("npm:@tensorflow/tfjs-backend-wasm@4.22.0");
  const inputs = await readInputs(dir);
  const data = await loadData(inputs.samples);
  const backend = variant === "cpu" ? "cpu" : "wasm";
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} did not start`);
  await tf.ready();
  // NHWC: filters [kh, kw, in, out]; the first dense weight's rows reordered from PyTorch's flatten
  // (c·49 + h·7 + w) to TF.js's NHWC one ((h·7 + w)·64 + c), so that both compute the same function.
  const byName = new Map(inputs.params.map((p, i) => [p.name, { ...p, values: inputs.values[i] }]));
  const filter = (name: string) => {
    const { shape: [o, c, kh, kw], values } = byName.get(name)!;
    const out = new Float32Array(values.length);
    for (let a = 0; a < o; a++) {
      for (let b = 0; b < c; b++) {
        for (let i = 0; i < kh; i++) {
          for (let j = 0; j < kw; j++) out[((i * kw + j) * c + b) * o + a] = values[((a * c + b) * kh + i) * kw + j];
        }
      }
    }
    return tf.variable(tf.tensor4d(out, [kh, kw, c, o]));
  };
  const denseWeight = (name: string, nhwc: boolean) => {
    const { shape: [o, n], values } = byName.get(name)!;
    const out = new Float32Array(values.length);
    for (let a = 0; a < o; a++) {
      for (let k = 0; k < n; k++) {
        const row = nhwc ? ((k % 49) * 64 + Math.floor(k / 49)) : k; // k = c·49 + (h·7 + w)
        out[row * o + a] = values[a * n + k];
      }
    }
    return tf.variable(tf.tensor2d(out, [n, o]));
  };
  const vector = (name: string) => tf.variable(tf.tensor1d(byName.get(name)!.values));
  const vars = [
    filter("0.weight"),
    vector("0.bias"),
    filter("3.weight"),
    vector("3.bias"),
    denseWeight("7.weight", true),
    vector("7.bias"),
    denseWeight("9.weight", false),
    vector("9.bias"),
  ];
  // deno-lint-ignore no-explicit-any
  type T = any;
  // The expert's convolution for the wasm backend, which lacks Conv2DBackpropFilter: the filter's gradient
  // Σ x·ḡ as one matrix product of im2col(x) (the nine shifted slices of the padded input, side by side)
  // and ḡ, both on the wasm backend's kernels (3×3 filters, stride 1, padding 1).
  const convTuned = (inputGrad: boolean) =>
    tf.customGrad((x: T, f: T, save: (t: T[]) => void) => {
      save([x, f]);
      return {
        value: tf.conv2d(x, f, 1, "same"),
        gradFunc: (dy: T, [xs, fs]: T[]) => {
          const [n, h, w, c] = xs.shape, o = dy.shape[3];
          const padded = tf.pad(xs, [[0, 0], [1, 1], [1, 1], [0, 0]]);
          const taps: T[] = [];
          for (let i = 0; i < 3; i++) {
            for (let j = 0; j < 3; j++) taps.push(tf.slice(padded, [0, i, j, 0], [n, h, w, c]));
          }
          const patches = tf.reshape(tf.concat(taps, 3), [n * h * w, 9 * c]);
          const dw = tf.reshape(tf.matMul(tf.transpose(patches), tf.reshape(dy, [n * h * w, o])), [3, 3, c, o]);
          return [inputGrad ? tf.conv2dTranspose(dy, fs, xs.shape, 1, "same") : tf.zerosLike(xs), dw];
        },
      };
    });
  const conv = variant === "wasm-tuned"
    ? [convTuned(false), convTuned(true)]
    : [(x: T, f: T) => tf.conv2d(x, f, 1, "same"), (x: T, f: T) => tf.conv2d(x, f, 1, "same")];
  const forward = (x: T) => {
    let h = tf.maxPool(tf.relu(tf.add(conv[0](x, vars[0]), vars[1])), 2, 2, "valid");
    h = tf.maxPool(tf.relu(tf.add(conv[1](h, vars[2]), vars[3])), 2, 2, "valid");
    h = tf.relu(tf.add(tf.matMul(tf.reshape(h, [-1, 3136]), vars[4]), vars[5]));
    return tf.add(tf.matMul(h, vars[6]), vars[7]);
  };
  const optimizer = tf.train.adam(LEARNING_RATE, 0.9, 0.999, 1e-8);
  const batches: Int32Array[] = [];
  for (const order of inputs.orders) {
    for (let i = 0; i < order.length; i += BATCH) batches.push(order.subarray(i, Math.min(order.length, i + BATCH)));
  }
  const run = stepLimit === undefined ? batches : batches.slice(0, stepLimit);
  let last = NaN;
  const cpu0 = cpuSeconds(), t0 = performance.now();
  for (const rows of run) {
    const xb = new Float32Array(rows.length * 784), yb = new Int32Array(rows.length);
    rows.forEach((r, k) => (xb.set(data.trainX.subarray(r * 784, (r + 1) * 784), k * 784), yb[k] = data.trainY[r]));
    const x = tf.tensor4d(xb, [rows.length, 28, 28, 1]), labels = tf.tensor1d(yb, "int32"), y = tf.oneHot(labels, 10);
    const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x)), true, vars);
    last = cost.dataSync()[0];
    tf.dispose([x, labels, y, cost]);
  }
  const seconds = (performance.now() - t0) / 1000, cpu = cpuSeconds() - cpu0;
  let correct = 0;
  for (let i = 0; i < data.testY.length; i += EVAL_BATCH) {
    const rows = Math.min(EVAL_BATCH, data.testY.length - i);
    const logits = tf.tidy(() =>
      forward(tf.tensor4d(data.testX.subarray(i * 784, (i + rows) * 784), [rows, 28, 28, 1]))
    );
    correct += accuracyOf(logits.dataSync(), data.testY, i, rows);
    logits.dispose();
  }
  report({
    name: `tfjs-${variant}`,
    steps: run.length,
    samples: run.reduce((s, b) => s + b.length, 0),
    seconds,
    cpuSeconds: cpu,
    peakMiB: peakMiB(),
    accuracy: correct / data.testY.length,
    loss: last,
    note: run.length < batches.length ? `${run.length} steps` : "last batch's loss",
  });
}

// ---------------------------------------------------------------- main

interface Outcome {
  result: Result | null;
  why: string;
}

/** Runs one benchmark process; after `--timeout` seconds it is stopped and reported as not run. */
async function spawn(command: string, commandArgs: string[], env: Record<string, string> = {}): Promise<Outcome> {
  let out: Deno.CommandOutput;
  const seconds = Number(args.timeout);
  try {
    const child = new Deno.Command(command, { args: commandArgs, stdout: "piped", stderr: "piped", env }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), seconds * 1000);
    out = await child.output();
    clearTimeout(timer);
    if (out.signal === "SIGKILL") return { result: null, why: `still running after ${seconds} s (--timeout)` };
  } catch (error) {
    return { result: null, why: (error as Error).message };
  }
  const text = new TextDecoder().decode(out.stdout), errors = new TextDecoder().decode(out.stderr);
  const line = text.split("\n").find((l) => l.startsWith("RESULT "));
  if (line !== undefined) return { result: JSON.parse(line.slice(7)) as Result, why: "" };
  const message = (errors.match(/(error|Error)[^\n]*/g) ?? [errors.trim().split("\n").at(-1) ?? ""]).slice(-1)[0];
  return { result: null, why: message.slice(0, 300) };
}

/** The first Python whose `import torch` works: --python, $PYTHON, python3, then Debian's /usr/bin/python3. */
async function findPython(): Promise<string | null> {
  const candidates = [args.python, Deno.env.get("PYTHON"), "python3", "/usr/bin/python3"].filter((c) => c);
  for (const python of candidates as string[]) {
    try {
      const { success } = await new Deno.Command(python, { args: ["-c", "import torch"], stderr: "null" }).output();
      if (success) return python;
    } catch {
      // Not installed: try the next one.
    }
  }
  return null;
}

function printTable(results: Result[], perEpochSteps: number) {
  const perEpoch = (r: Result) => r.seconds * perEpochSteps / r.steps;
  console.log(`\n| run | s/epoch | samples/s | CPU s/epoch | peak RSS MiB | test acc | loss | note |`);
  console.log(`| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |`);
  for (const r of results) {
    console.log(
      `| ${r.name} | ${perEpoch(r).toFixed(1)} | ${(r.samples / r.seconds).toFixed(0)} | ${
        (r.cpuSeconds * perEpochSteps / r.steps).toFixed(1)
      } | ${(r.peakMiB ?? NaN).toFixed(0)} | ${(100 * r.accuracy).toFixed(2)}% | ${(r.loss ?? NaN).toFixed(4)} | ${
        r.note ?? ""
      } |`,
    );
  }
  const refs = ["torch-1", "tfjs-wasm-tuned", "tfjs-wasm"].map((n) => results.find((r) => r.name === n))
    .filter((r): r is Result => r !== undefined);
  if (refs.length > 0) {
    console.log(`\nepoch time relative to (below 1: faster)`);
    console.log(`| run | ${refs.map((r) => r.name).join(" | ")} |`);
    console.log(`| --- | ${refs.map(() => "---:").join(" | ")} |`);
    for (const r of results.filter((r) => r.name.startsWith("gradflow-"))) {
      console.log(`| ${r.name} | ${refs.map((ref) => (perEpoch(r) / perEpoch(ref)).toFixed(2)).join(" | ")} |`);
    }
  }
}

async function main() {
  const epochs = Number(args.epochs);
  const stepLimit = args.steps === undefined ? undefined : Number(args.steps);
  const samples = stepLimit === undefined ? 60000 : Math.min(60000, stepLimit * BATCH);
  const only = args.only?.split(",").map((s) => s.trim());
  const wanted = only ?? RUNS;
  for (const name of wanted) {
    if (![...RUNS, ...OPTIONAL].includes(name)) {
      console.error(`unknown run ${name}: known runs are ${[...RUNS, ...OPTIONAL].join(", ")}`);
      Deno.exit(2);
    }
  }
  const dir = await Deno.makeTempDir({ prefix: "gradflow_cnn_bench_" });
  try {
    await writeInputs(dir, samples, epochs);
    const perEpochSteps = Math.ceil(samples / BATCH);
    console.log(
      `Fashion-MNIST CNN (conv 32, pool, conv 64, pool, dense 128, dense 10), batch ${BATCH}, float32, Adam ${LEARNING_RATE}: ` +
        `${samples} training images × ${epochs} epoch(s); ${navigator.hardwareConcurrency} cores, load average ${
          Deno.loadavg().map((x) => x.toFixed(2)).join(" ")
        }`,
    );
    const self = new URL(import.meta.url).pathname;
    const deno = (worker: string, extra: string[] = []) =>
      // All permissions: Deno reads /proc/self/status (the peak RSS) only with --allow-all.
      spawn(Deno.execPath(), [
        "run",
        "--config",
        new URL("./deno.json", import.meta.url).pathname,
        "--allow-all",
        self,
        "--worker",
        worker,
        "--inputs",
        dir,
        ...extra,
      ]);
    const python = wanted.some((n) => n.startsWith("torch-")) ? await findPython() : null;
    const results: Result[] = [];
    for (const name of wanted) {
      console.log(`${name}: running`);
      let outcome: Outcome;
      if (name.startsWith("gradflow-")) outcome = await deno(name);
      else if (name.startsWith("tfjs-")) {
        const limit = args["tfjs-steps"] === "all"
          ? stepLimit
          : Math.min(stepLimit ?? Infinity, Number(args["tfjs-steps"]));
        outcome = await deno(name, limit === undefined ? [] : ["--steps", String(limit)]);
      } else if (python === null) {
        outcome = { result: null, why: "no python3 that imports torch (set PYTHON or --python)" };
      } else {
        const threads = name === "torch-1" ? "1" : String(navigator.hardwareConcurrency);
        outcome = await spawn(python, [new URL("./_cnn_torch.py", import.meta.url).pathname, dir, threads], {
          OMP_NUM_THREADS: threads,
        });
      }
      if (outcome.result === null) console.log(`not run: ${name}: ${outcome.why}`);
      else {
        const r = outcome.result;
        console.log(
          `${name}: ${r.seconds.toFixed(1)} s for ${r.steps} steps, test accuracy ${(100 * r.accuracy).toFixed(2)}%`,
        );
        results.push(r);
      }
    }
    printTable(results, perEpochSteps);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  if (args.worker === undefined) await main();
  else {
    const worker = args.worker, dir = args.inputs!;
    const steps = args.steps === undefined ? undefined : Number(args.steps);
    if (worker.startsWith("gradflow-")) await runGradflow(worker.slice("gradflow-".length), dir);
    else await runTfjs(worker.slice("tfjs-".length) as "wasm" | "wasm-tuned" | "cpu", dir, steps);
  }
}
