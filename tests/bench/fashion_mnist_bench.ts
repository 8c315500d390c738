/**
 * One epoch of Fashion-MNIST on every backend, against TensorFlow.js in the same
 * process (issue 7's benchmark).
 *
 * Workload: MLP 784-256-128-10 with ReLU, softmax cross-entropy on integer
 * labels, Adam (learning rate 1e-3, β = 0.9/0.999, ε = 1e-8), batch 128, float32,
 * one epoch over the 60 000 training images (469 steps, the last one of 96),
 * then accuracy on the 10 000 test images. Every run starts from the same
 * initial weights (gradflow's `xavier-uniform`, seed 0) and sees the batches in
 * the same order (a seeded permutation).
 *
 * gradflow runs the framework's ordinary path: `layers.sequential` of
 * `dense` / `relu` plugins, the `softmax-cross-entropy` loss plugin, `valueAndGrad`,
 * the `adam` optimizer plugin's fused `step` (its update and `applyUpdates` in one pass),
 * with the gradient, the optimizer state and the parameters donated (written over in
 * place), then the gradient's buffers recycled for the next step — what the trainer
 * does each step.
 * TF.js 4.22 (`@tensorflow/tfjs`, i.e. tfjs-core with its gradients and
 * `tfjs-backend-cpu`, plus `tfjs-backend-wasm`; benchmark-only dependencies) runs the same model
 * as users write it (`optimizer.minimize` over `tf.matMul`, `tf.relu`,
 * `tf.losses.softmaxCrossEntropy`), and on the wasm backend also with the
 * expert's trick: a `tf.customGrad` dense layer whose gradient transposes
 * explicitly and multiplies untransposed, avoiding TF.js's slow transposed products.
 *
 * ```sh
 * apt-get install -y dataset-fashion-mnist          # the data (and libopenblas0 for "blas")
 * deno run --allow-read --allow-ffi --allow-env --allow-sys \
 *   tests/bench/fashion_mnist_bench.ts [--quick] [--steps N] [--epochs N] [--only gradflow-wasm,tfjs-wasm]
 * ```
 *
 * Reported per run: seconds per epoch (wall time of the training loop, data
 * handling included), samples/s, peak RSS during the run (the largest
 * `Deno.memoryUsage().rss` sampled after every step; it includes the data set
 * and whatever earlier runs left in the process — `--isolate` runs each in a
 * fresh process instead), test accuracy, and for gradflow the share of the
 * time in matmul kernels, other ops (the rest of forward + backward), the
 * optimizer step (its fused step, or update + applyUpdates) and data handling
 * (batch assembly).
 * Then the ratio of each gradflow run's epoch time to each TF.js run's.
 * Last, float32 matmul GFLOP/s per backend (median of repeated calls).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { valueAndGrad } from "../../core/autodiff.ts";
import { type Backend, setBackend } from "../../core/backend.ts";
import type { Layer, Loss, Optimizer } from "../../core/interfaces.ts";
import { Random } from "../../core/random.ts";
import { allocate, recycle, Tensor } from "../../core/tensor.ts";
import { applyUpdates, flattenTree, type Tree, treeLeaves, treeMap } from "../../core/tree.ts";
import { dense, relu, sequential } from "../../plugins/layers/mod.ts";
import { softmaxCrossEntropy } from "../../plugins/losses/mod.ts";
import { adam } from "../../plugins/optimizers/mod.ts";
import { readIdx } from "../../train/data/idx.ts";
import { FASHION_MNIST_DIR } from "../../train/data/mnist.ts";
import { availableBackends, flops, MATMUL_CASES, timeMatmul } from "./_matmul_cases.ts";

const BATCH = 128;
const LEARNING_RATE = 1e-3;
const EPSILON = 1e-8;

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    steps: { type: "string" },
    epochs: { type: "string", default: "1" },
    only: { type: "string" },
    seed: { type: "string", default: "0" },
    matmul: { type: "boolean", default: true },
    "no-matmul": { type: "boolean", default: false },
  },
});
const epochs = Number(args.epochs);
const seed = Number(args.seed);
const only = args.only?.split(",").map((s) => s.trim());
const wanted = (name: string) => only === undefined || only.includes(name);

// ---------------------------------------------------------------- data

interface Data {
  trainX: Float32Array;
  trainY: Int32Array;
  testX: Float32Array;
  testY: Int32Array;
}

/**
 * Reads the four IDX files (gradflow's `readIdx`) straight into float32 pixels in [0, 1]
 * and integer labels: 188 MB of training images rather than the 376 MB of the
 * float64 tensors `loadFashionMnist` gives.
 */
async function loadData(): Promise<Data> {
  const dir = Deno.env.get("FASHION_MNIST_DIR") ?? FASHION_MNIST_DIR;
  const read = async (file: string) => {
    try {
      return (await readIdx(`${dir}/${file}.gz`)).values;
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      throw new Deno.errors.NotFound(
        `Cannot run the benchmark as ${dir}/${file}.gz is missing: install Debian's dataset-fashion-mnist ` +
          `(apt-get install -y dataset-fashion-mnist) or set FASHION_MNIST_DIR to a folder holding the four files`,
      );
    }
  };
  const pixels = (values: ArrayLike<number>) => {
    const out = new Float32Array(values.length);
    for (let i = 0; i < out.length; i++) out[i] = values[i] / 255;
    return out;
  };
  return {
    trainX: pixels(await read("train-images-idx3-ubyte")),
    trainY: Int32Array.from(await read("train-labels-idx1-ubyte")),
    testX: pixels(await read("t10k-images-idx3-ubyte")),
    testY: Int32Array.from(await read("t10k-labels-idx1-ubyte")),
  };
}

/** The batches of every epoch, in order: one seeded permutation per epoch. */
function batchOrder(samples: number, epochCount: number, stepLimit: number | undefined): Int32Array[] {
  const rng = new Random(seed + 1);
  const batches: Int32Array[] = [];
  for (let e = 0; e < epochCount; e++) {
    const order = rng.permutation(samples);
    for (let i = 0; i < samples; i += BATCH) batches.push(order.subarray(i, Math.min(samples, i + BATCH)));
  }
  return stepLimit === undefined ? batches : batches.slice(0, stepLimit);
}

/** The rows of a batch, in a buffer from gradflow's `allocate` (which the trainer's `takeRows` uses too). */
function gatherRows(x: Float32Array, width: number, rows: Int32Array): Float32Array {
  const out = allocate("float32", rows.length * width) as Float32Array;
  for (let r = 0; r < rows.length; r++) out.set(x.subarray(rows[r] * width, (rows[r] + 1) * width), r * width);
  return out;
}

// ---------------------------------------------------------------- memory

/** The largest resident set size seen by {@linkcode sampleRss} since the last reset, in bytes. */
let peakRss = 0;

function sampleRss(): void {
  const rss = Deno.memoryUsage().rss;
  if (rss > peakRss) peakRss = rss;
}

/** The process's peak resident set size so far (Linux VmHWM), in MiB, or NaN where unknown. */
function processPeakMiB(): number {
  try {
    const kb = Number(/VmHWM:\s+(\d+)/.exec(Deno.readTextFileSync("/proc/self/status"))?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : NaN;
  } catch {
    return NaN;
  }
}

// ---------------------------------------------------------------- gradflow

function model(): Layer {
  return sequential([
    dense({ units: 256, dtype: "float32" }),
    relu(),
    dense({ units: 128, dtype: "float32" }),
    relu(),
    dense({ units: 10, dtype: "float32" }),
  ]) as unknown as Layer;
}

interface Result {
  name: string;
  seconds: number;
  samples: number;
  peakMiB: number;
  accuracy: number;
  loss: number;
  shares?: { matmul: number; other: number; optimizer: number; data: number };
}

/** Wraps a backend so that its matmul kernel time is summed into `clock.matmul`. */
function timed(backend: Backend, clock: { matmul: number }): Backend {
  return {
    ...backend,
    matmul(a, b, out, m, n, k, ta, tb) {
      const t = performance.now();
      backend.matmul(a, b, out, m, n, k, ta, tb);
      clock.matmul += performance.now() - t;
    },
  };
}

function argmaxAccuracy(logits: Float32Array | Float64Array, labels: Int32Array, offset: number, rows: number): number {
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (logits[r * 10 + c] > logits[r * 10 + best]) best = c;
    if (best === labels[offset + r]) correct++;
  }
  return correct;
}

function runGradflow(
  backend: Backend,
  init: Tree,
  netState: Tree,
  data: Data,
  batches: Int32Array[],
): Result {
  const net = model();
  const forward = (p: Tree, x: Tensor) => net.apply(p, netState, x, { training: true }).output;
  const loss: Loss = softmaxCrossEntropy();
  const optimizer = adam({ learningRate: LEARNING_RATE, epsilon: EPSILON }) as unknown as Optimizer;
  const clock = { matmul: 0 };
  const previous = setBackend(timed(backend, clock));
  try {
    // A copy: the steps write over the parameters, and every run starts from the same ones.
    let params = treeMap((t) => new Tensor(t.data.slice(), t.shape), init);
    let state = optimizer.init(params);
    let last = NaN, tData = 0, tStep = 0, tOpt = 0;
    const start = performance.now();
    for (const rows of batches) {
      const t0 = performance.now();
      const x = new Tensor(gatherRows(data.trainX, 784, rows), [rows.length, 784]);
      const y = new Tensor(Float32Array.from(rows, (i) => data.trainY[i]), [rows.length]);
      const t1 = performance.now();
      const { value, grad } = valueAndGrad((p: Tree) => loss(forward(p, x), y))(params);
      const t2 = performance.now();
      // As the trainer does: nothing else holds the gradient, the state or the parameters, so they are
      // donated, and an optimizer with a fused `step` (Adam) updates the parameters in the same pass.
      if (optimizer.step !== undefined) {
        ({ params, state } = optimizer.step(grad, state, params, { donate: true }));
      } else {
        const r = optimizer.update(grad, state, params, { donate: true });
        params = applyUpdates(params, r.updates, { donate: true });
        state = r.state;
      }
      // The gradient's and the batch's buffers go back to the allocator, as the trainer gives them back (it
      // checks that nothing kept them; here Adam keeps none of the gradient, and no layer output is the input).
      recycle([...treeLeaves(grad), x]);
      const t3 = performance.now();
      tData += t1 - t0, tStep += t2 - t1, tOpt += t3 - t2;
      last = value.item();
      sampleRss();
    }
    const seconds = (performance.now() - start) / 1000;
    const matmulInStep = clock.matmul;
    const total = tData + tStep + tOpt;
    let correct = 0;
    for (let i = 0; i < data.testY.length; i += 1000) {
      const rows = Math.min(1000, data.testY.length - i);
      const x = new Tensor(data.testX.subarray(i * 784, (i + rows) * 784), [rows, 784]);
      const out = net.apply(params, netState, x, { training: false }).output;
      correct += argmaxAccuracy(out.data, data.testY, i, rows);
    }
    return {
      name: `gradflow-${backend.name}`,
      seconds,
      samples: batches.reduce((s, b) => s + b.length, 0),
      peakMiB: peakRss / 2 ** 20,
      accuracy: correct / data.testY.length,
      loss: last,
      shares: {
        matmul: matmulInStep / total,
        other: (tStep - matmulInStep) / total,
        optimizer: tOpt / total,
        data: tData / total,
      },
    };
  } finally {
    setBackend(previous);
  }
}

// ---------------------------------------------------------------- TF.js

// deno-lint-ignore no-explicit-any
type Tf = any;

async function loadTf(): Promise<Tf> {
  // tfjs-core's Node entry point registers no gradients (its ESM file that does cannot be loaded
  // by Deno: extensionless imports), so the `@tensorflow/tfjs` bundle brings core, its gradients and
  // tfjs-backend-cpu, as users install it.
  // Benchmark-only dependencies, pinned here so that gradflow itself (deno.json) has none.
  // deno-lint-ignore no-import-prefix
  const tf = await import("npm:@tensorflow/tfjs@4.22.0");
  // deno-lint-ignore no-import-prefix
  await import("npm:@tensorflow/tfjs-backend-wasm@4.22.0");
  return tf;
}

async function runTf(
  tf: Tf,
  backendName: "cpu" | "wasm",
  tuned: boolean,
  init: Float32Array[],
  data: Data,
  batches: Int32Array[],
): Promise<Result> {
  if (!(await tf.setBackend(backendName))) throw new Error(`TF.js backend ${backendName} did not start`);
  await tf.ready();
  const shapes = [[784, 256], [256], [256, 128], [128], [128, 10], [10]];
  const vars = init.map((v, i) => tf.variable(tf.tensor(v, shapes[i], "float32")));
  const optimizer = tf.train.adam(LEARNING_RATE, 0.9, 0.999, EPSILON);
  // The expert's dense layer: y = x·W + b with a gradient that transposes explicitly, so that
  // every product is an untransposed one (TF.js's Aᵀ·B and A·Bᵀ kernels are its slow path).
  const denseTuned = tf.customGrad((x: Tf, w: Tf, b: Tf, save: (t: Tf[]) => void) => {
    save([x, w]);
    return {
      value: tf.add(tf.matMul(x, w), b),
      gradFunc: (dy: Tf, [xs, ws]: Tf[]) => [
        tf.matMul(dy, tf.transpose(ws)),
        tf.matMul(tf.transpose(xs), dy),
        tf.sum(dy, 0),
      ],
    };
  });
  const layer = (x: Tf, i: number) =>
    tuned ? denseTuned(x, vars[2 * i], vars[2 * i + 1]) : tf.add(tf.matMul(x, vars[2 * i]), vars[2 * i + 1]);
  const forward = (x: Tf) => layer(tf.relu(layer(tf.relu(layer(x, 0)), 1)), 2);
  let last = NaN;
  const start = performance.now();
  for (const rows of batches) {
    const x = tf.tensor2d(gatherRows(data.trainX, 784, rows), [rows.length, 784]);
    const labels = tf.tensor1d(Int32Array.from(rows, (i) => data.trainY[i]), "int32");
    const y = tf.oneHot(labels, 10);
    const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, forward(x)), true, vars);
    last = cost.dataSync()[0];
    tf.dispose([x, labels, y, cost]);
    sampleRss();
  }
  const seconds = (performance.now() - start) / 1000;
  let correct = 0;
  for (let i = 0; i < data.testY.length; i += 1000) {
    const rows = Math.min(1000, data.testY.length - i);
    const logits = tf.tidy(() => forward(tf.tensor2d(data.testX.subarray(i * 784, (i + rows) * 784), [rows, 784])));
    correct += argmaxAccuracy(logits.dataSync(), data.testY, i, rows);
    logits.dispose();
  }
  const peakMiB = peakRss / 2 ** 20;
  optimizer.dispose();
  tf.dispose(vars);
  return {
    name: `tfjs-${backendName}${tuned ? "-tuned" : ""}`,
    seconds,
    samples: batches.reduce((s, b) => s + b.length, 0),
    peakMiB,
    accuracy: correct / data.testY.length,
    loss: last,
  };
}

// ---------------------------------------------------------------- main

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

function printResults(results: Result[], steps: number, perEpoch: number) {
  const scale = perEpoch / steps; // seconds of a full epoch, when fewer steps ran
  console.log(
    `\n| run | s/epoch | samples/s | peak RSS MiB | test acc | last loss | matmul | other ops | optimizer | data |`,
  );
  console.log(`| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  for (const r of results) {
    const s = r.shares;
    console.log(
      `| ${r.name} | ${(r.seconds * scale).toFixed(2)} | ${(r.samples / r.seconds).toFixed(0)} | ${
        r.peakMiB.toFixed(0)
      } | ${(100 * r.accuracy).toFixed(2)}% | ${r.loss.toFixed(4)} | ${
        s ? [s.matmul, s.other, s.optimizer, s.data].map(pct).join(" | ") : "— | — | — | —"
      } |`,
    );
  }
  const ours = results.filter((r) => r.name.startsWith("gradflow-"));
  const theirs = results.filter((r) => r.name.startsWith("tfjs-"));
  if (ours.length > 0 && theirs.length > 0) {
    console.log(`\nepoch time ratio gradflow / TF.js (below 1: gradflow is faster)`);
    console.log(`| gradflow \\ TF.js | ${theirs.map((t) => t.name).join(" | ")} |`);
    console.log(`| --- | ${theirs.map(() => "---:").join(" | ")} |`);
    for (const o of ours) {
      console.log(`| ${o.name} | ${theirs.map((t) => (o.seconds / t.seconds).toFixed(3)).join(" | ")} |`);
    }
  }
}

async function main() {
  const steps = args.steps !== undefined ? Number(args.steps) : args.quick ? 300 : undefined;
  let data: Data;
  try {
    data = await loadData();
  } catch (error) {
    console.error(`${(error as Error).message}`);
    Deno.exit(1);
  }
  const batches = batchOrder(data.trainY.length, epochs, steps);
  const perEpoch = Math.ceil(data.trainY.length / BATCH);
  const { params: initial, state: netState } = model().init([784], new Random(seed));
  const leaves = flattenTree(initial);
  console.log(`parameters: ${leaves.map(([path, t]) => `${path} [${t.shape}]`).join(", ")}`);
  const initialArrays = leaves.map(([, t]) => Float32Array.from(t.data));
  console.log(
    `Fashion-MNIST MLP 784-256-128-10, batch ${BATCH}, float32, Adam ${LEARNING_RATE}: ${batches.length} steps ` +
      `(${(batches.length / perEpoch).toFixed(2)} epochs; s/epoch scales to ${perEpoch} steps); ` +
      `${navigator.hardwareConcurrency} cores, load average ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`,
  );

  const results: Result[] = [];
  const { backends, missing } = availableBackends();
  for (const backend of backends) {
    const name = `gradflow-${backend.name}`;
    if (!wanted(name)) continue;
    peakRss = 0;
    console.log(`${name}: starting at RSS ${(Deno.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
    const r = runGradflow(backend, initial, netState, data, batches);
    console.log(`${name}: ${r.seconds.toFixed(2)} s, test accuracy ${(100 * r.accuracy).toFixed(2)}%`);
    results.push(r);
  }
  for (const why of missing) console.log(`not run: ${why}`);

  const tfRuns = [["cpu", false], ["wasm", false], ["wasm", true]] as const;
  if (tfRuns.some(([b, t]) => wanted(`tfjs-${b}${t ? "-tuned" : ""}`))) {
    const tf = await loadTf();
    for (const [backendName, tuned] of tfRuns) {
      const name = `tfjs-${backendName}${tuned ? "-tuned" : ""}`;
      if (!wanted(name)) continue;
      peakRss = 0;
      try {
        const r = await runTf(tf, backendName, tuned, initialArrays, data, batches);
        console.log(`${name}: ${r.seconds.toFixed(2)} s, test accuracy ${(100 * r.accuracy).toFixed(2)}%`);
        results.push(r);
      } catch (error) {
        console.log(`not run: ${name}: ${(error as Error).message}`);
      }
    }
  }
  printResults(results, batches.length, perEpoch);
  const processPeak = processPeakMiB(); // Deno reads /proc/self only with --allow-all
  if (Number.isFinite(processPeak)) {
    console.log(`\nprocess peak RSS over all runs (VmHWM): ${processPeak.toFixed(0)} MiB`);
  }

  if (args.matmul && !args["no-matmul"]) {
    console.log(`\nfloat32 matmul GFLOP/s (median of repeated calls)`);
    console.log(`| product | ${backends.map((b) => b.name).join(" | ")} |`);
    console.log(`| --- | ${backends.map(() => "---:").join(" | ")} |`);
    for (const c of MATMUL_CASES) {
      const cells = backends.map((b) => (flops(c) / timeMatmul(b, c, 5, args.quick ? 50 : 200) / 1e6).toFixed(1));
      console.log(`| ${c.label} | ${cells.join(" | ")} |`);
    }
  }
}

// `deno bench` loads every *_bench.ts file: this one runs only under `deno run` (or `deno task bench`).
if (import.meta.main) await main();
