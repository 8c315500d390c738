/**
 * The Fashion-MNIST workload that every configuration of `fashion_mnist_bench.ts` runs, and what
 * they share: the model, the data, the starting weights and the batch order that `train()` uses
 * (so that PyTorch, TF.js and the hand-written loop see exactly what `train()` sees), and how a
 * configuration reports its result to the driver.
 *
 * Workload: MLP 784-256-128-10 with ReLU, softmax cross-entropy, Adam (learning rate 1e-3,
 * β = 0.9/0.999, ε = 1e-8), batches of 128 reshuffled every epoch, float32, the 60,000 training
 * images (469 steps, the last one of 96); after every epoch, accuracy on the 10,000 test images.
 *
 * @module
 */

import process from "node:process";
import { Random } from "../../core/random.ts";
import { flattenTree } from "../../core/tree.ts";
import { createRegistry } from "../../plugins/mod.ts";
import { batchPlan } from "../../train/batching.ts";
import { FASHION_MNIST_DIR, loadFashionMnist, type MnistData } from "../../train/data/mnist.ts";
import { resolveModel } from "../../train/model.ts";

/** Samples per batch. */
export const BATCH = 128;
/** Adam's learning rate. */
export const LEARNING_RATE = 1e-3;
/** Adam's ε (PyTorch's and gradflow's default; TF.js's is 1e-7). */
export const EPSILON = 1e-8;

/** The model as a user writes it for `train()`: a list of layer specs (a sequential model). */
export const MODEL = [
  { name: "dense", units: 256 },
  { name: "relu" },
  { name: "dense", units: 128 },
  { name: "relu" },
  { name: "dense", units: 10 },
];

/** The shapes of the parameters, in `train()`'s order: weight [in, out], then bias, per dense layer. */
export const PARAM_SHAPES = [[784, 256], [256], [256, 128], [128], [128, 10], [
  10,
]];

/** The data set folder: `FASHION_MNIST_DIR` in the environment, or Debian's. */
export function dataDir(): string {
  return Deno.env.get("FASHION_MNIST_DIR") ?? FASHION_MNIST_DIR;
}

/**
 * Loads Fashion-MNIST as a user does (`loadFashionMnist()`: float32 pixels in [0, 1], one-hot targets),
 * the first `limit` images of each split when given.
 */
export async function loadData(limit?: number): Promise<MnistData> {
  const dir = dataDir();
  try {
    return await loadFashionMnist({
      dir,
      ...(limit === undefined ? {} : { limit }),
    });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Deno.errors.NotFound(
      `Cannot run the benchmark as Fashion-MNIST is missing from ${dir}: install Debian's dataset-fashion-mnist ` +
        `(apt-get install -y dataset-fashion-mnist) or set FASHION_MNIST_DIR to a folder holding the four files`,
    );
  }
}

/** What `train({ seed, batchSize: BATCH, … })` starts from: its initial parameters and the batches of every epoch. */
export interface TrainerInputs {
  /** The parameters, as float32 arrays in {@linkcode PARAM_SHAPES}' order. */
  params: Float32Array[];
  /** The sample indices of every epoch, one permutation after the other. */
  order: Int32Array;
}

/**
 * The initial parameters and the batch order of `train()` with this seed, reproduced from its random streams
 * (a master generator forked for initialization, the validation split, batches and layers, in that order). The
 * hand-written loop checks that it ends where `train()` ends, so a change in the trainer's streams shows.
 */
export function trainerInputs(
  seed: number,
  samples: number,
  epochs: number,
): TrainerInputs {
  const master = new Random(seed);
  const initRng = master.fork();
  master.fork(); // the validation split's
  const batchRng = master.fork();
  const model = resolveModel(MODEL, createRegistry());
  const { params } = model.init([784], initRng, { dtype: "float32" });
  const plan = batchPlan("minibatch-shuffled", samples, BATCH, batchRng);
  const order = new Int32Array(samples * epochs);
  for (let e = 0; e < epochs; e++) {
    order.set(plan.epoch(batchRng).flatMap((b) => [...b]), e * samples);
  }
  return {
    params: flattenTree(params).map(([, t]) => t.data as Float32Array),
    order,
  };
}

/** Writes the inputs as raw little-endian files (`param0.f32` …, `order.i32`) for the other processes. */
export async function writeTrainerInputs(
  dir: string,
  inputs: TrainerInputs,
): Promise<void> {
  for (const [i, p] of inputs.params.entries()) {
    await Deno.writeFile(`${dir}/param${i}.f32`, bytes(p));
  }
  await Deno.writeFile(`${dir}/order.i32`, bytes(inputs.order));
}

/** Reads what {@linkcode writeTrainerInputs} wrote. */
export async function readTrainerInputs(dir: string): Promise<TrainerInputs> {
  const params: Float32Array[] = [];
  for (let i = 0; i < PARAM_SHAPES.length; i++) {
    params.push(
      new Float32Array(
        (await Deno.readFile(`${dir}/param${i}.f32`)).slice().buffer,
      ),
    );
  }
  return {
    params,
    order: new Int32Array(
      (await Deno.readFile(`${dir}/order.i32`)).slice().buffer,
    ),
  };
}

function bytes(a: Float32Array | Int32Array): Uint8Array {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error("the benchmark's files are little-endian");
  }
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** What one configuration reports. */
export interface RunResult {
  /** The configuration's name. */
  name: string;
  /** Seconds per epoch: training and the test evaluation, by the configuration's own clock. */
  secondsPerEpoch: number;
  /**
   * CPU seconds (user and system, every thread) per epoch over the same span, where the configuration measures
   * them: unlike wall time, barely changed by other jobs on a shared machine.
   */
  cpuSecondsPerEpoch?: number;
  /** Training samples per second. */
  samplesPerSecond: number;
  /** Test accuracy after the last epoch. */
  accuracy: number;
  /** The last epoch's mean training loss. */
  loss: number;
  /** Epochs run. */
  epochs: number;
  /** For the hand-written loop: the share of the step time in matmul, other ops, the optimizer and batch assembly. */
  shares?: { matmul: number; other: number; optimizer: number; data: number };
  /** Anything the reader should know (threads, a fallback). */
  note?: string;
}

/** CPU seconds (user and system) this process has used so far. */
export function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** The line a configuration's process prints for the driver. */
export const RESULT_MARK = "BENCH-RESULT ";

/** Prints a result for the driver. */
export function report(result: RunResult): void {
  console.log(RESULT_MARK + JSON.stringify(result));
}

/** The index of the largest of `k` values at `offset`. */
export function argmax(
  values: ArrayLike<number>,
  offset: number,
  k: number,
): number {
  let best = 0;
  for (let j = 1; j < k; j++) {
    if (values[offset + j] > values[offset + best]) best = j;
  }
  return best;
}

/** Test accuracy of logits `[n, 10]` against one-hot targets `[n, 10]`. */
export function accuracyOf(
  logits: ArrayLike<number>,
  oneHot: ArrayLike<number>,
  n: number,
): number {
  let correct = 0;
  for (let i = 0; i < n; i++) {
    if (argmax(logits, i * 10, 10) === argmax(oneHot, i * 10, 10)) correct++;
  }
  return correct / n;
}
