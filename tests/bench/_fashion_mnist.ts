/**
 * The Fashion-MNIST workloads that every configuration of `fashion_mnist_bench.ts` runs, and what
 * they share: the models, the data, the starting weights and the batch order that `train()` uses
 * (so that PyTorch, TF.js and the hand-written loop see exactly what `train()` sees), and how a
 * configuration reports its result to the driver.
 *
 * Both workloads: softmax cross-entropy, Adam (learning rate 1e-3, β = 0.9/0.999, ε = 1e-8),
 * batches of 128 reshuffled every epoch, float32, the 60,000 training images (469 steps, the last
 * one of 96); after every epoch, accuracy on the 10,000 test images, in batches of 128 (`train()`'s
 * `evalBatchSize`, which is its `batchSize`).
 *
 * - `mlp` (issue 11): images as rows `[n, 784]`, one-hot targets; dense 256, ReLU, dense 128, ReLU,
 *   dense 10 (weights `[in, out]`). The CLI runs `examples/experiments/fashion_mnist.json`.
 * - `cnn` (issue 12): images as `[n, 1, 28, 28]`, class-index targets; conv 1→32 3×3 padding 1, ReLU,
 *   max-pool 2, conv 32→64 3×3 padding 1, ReLU, max-pool 2, flatten (3136), dense 128, ReLU, dense 10,
 *   in PyTorch's layouts (convolution weights `[out, in, kh, kw]`, dense weights `[out, in]`): the
 *   network of `examples/fashion_cnn.ts`. The CLI runs `examples/experiments/fashion_cnn.json`.
 *
 * @module
 */

import process from "node:process";
import { Random } from "../../core/random.ts";
import { flattenTree } from "../../core/tree.ts";
import { CNN } from "../../examples/fashion_cnn.ts";
import { createRegistry } from "../../plugins/mod.ts";
import { batchPlan } from "../../train/batching.ts";
import { FASHION_MNIST_DIR, loadFashionMnist, type MnistData } from "../../train/data/mnist.ts";
import { resolveModel } from "../../train/model.ts";

/** Samples per batch. */
export const BATCH = 128;
/** Test images per forward pass in every configuration: `train()`'s default `evalBatchSize` (its `batchSize`). */
export const EVAL_BATCH = BATCH;
/** Adam's learning rate. */
export const LEARNING_RATE = 1e-3;
/** Adam's ε (PyTorch's and gradflow's default; TF.js's is 1e-7). */
export const EPSILON = 1e-8;

/** The workloads' names, as `--workload` takes them. */
export type WorkloadName = "mlp" | "cnn";

/** A workload: the network as a user writes it for `train()`, and how its data is shaped. */
export interface Workload {
  /** `mlp` or `cnn`. */
  name: WorkloadName;
  /** The network in a few words, for the benchmark's heading. */
  title: string;
  /** The model as a list of layer specs (a sequential model), as `train()` takes it. */
  model: { name: string; [option: string]: unknown }[];
  /** One sample's shape. */
  inputShape: number[];
  /** `loadFashionMnist()`'s options for this model's data. */
  data: { channels?: boolean; labels?: "one-hot" | "index" };
  /** The experiment file the CLI row trains, relative to the repository root. */
  experiment: string;
}

/** The two workloads. */
export const WORKLOADS: Record<WorkloadName, Workload> = {
  mlp: {
    name: "mlp",
    title: "MLP 784-256-128-10",
    model: [
      { name: "dense", units: 256 },
      { name: "relu" },
      { name: "dense", units: 128 },
      { name: "relu" },
      { name: "dense", units: 10 },
    ],
    inputShape: [784],
    data: {},
    experiment: "examples/experiments/fashion_mnist.json",
  },
  cnn: {
    name: "cnn",
    title: "CNN conv 32, pool, conv 64, pool, dense 128, dense 10",
    model: CNN,
    inputShape: [1, 28, 28],
    data: { channels: true, labels: "index" },
    experiment: "examples/experiments/fashion_cnn.json",
  },
};

/** The workload of a name, or a RangeError that lists them. */
export function workload(name: string): Workload {
  if (!Object.hasOwn(WORKLOADS, name)) {
    throw new RangeError(
      `Cannot choose the workload as it must be one of ${Object.keys(WORKLOADS).join(", ")}: current value is ${name}`,
    );
  }
  return WORKLOADS[name as WorkloadName];
}

/** The data set folder: `FASHION_MNIST_DIR` in the environment, or Debian's. */
export function dataDir(): string {
  return Deno.env.get("FASHION_MNIST_DIR") ?? FASHION_MNIST_DIR;
}

/**
 * Loads Fashion-MNIST as a user does (`loadFashionMnist()`: float32 pixels in [0, 1], shaped and labelled as the
 * workload's model reads them), the first `limit` images of each split when given.
 */
export async function loadData(work: Workload, limit?: number): Promise<MnistData> {
  const dir = dataDir();
  try {
    return await loadFashionMnist({
      dir,
      ...work.data,
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

/** One parameter as `train()` holds it. */
export interface Parameter {
  /** Its path in the parameter tree, which is also its key in the equivalent `nn.Sequential`'s `state_dict`. */
  name: string;
  /** Its shape in gradflow. */
  shape: number[];
  /**
   * `"in-out"` for a dense weight stored `[in, out]` (gradflow's default, TF.js's layout), which PyTorch holds
   * transposed; absent where gradflow's layout is PyTorch's (convolutions `[out, in, kh, kw]`, biases, dense
   * weights with `weightLayout: "out-in"`).
   */
  layout?: "in-out";
  /** Its values. */
  data: Float32Array;
}

/** What `train({ seed, batchSize: BATCH, … })` starts from: its initial parameters and the batches of every epoch. */
export interface TrainerInputs {
  /** The parameters, in `train()`'s order (the order of `flattenTree`). */
  params: Parameter[];
  /** The sample indices of every epoch, one permutation after the other. */
  order: Int32Array;
}

/**
 * The initial parameters and the batch order of `train()` with this seed, reproduced from its random streams
 * (a master generator forked for initialization, the validation split, batches and layers, in that order). The
 * hand-written loop checks that it ends where `train()` ends, so a change in the trainer's streams shows.
 */
export function trainerInputs(
  work: Workload,
  seed: number,
  samples: number,
  epochs: number,
): TrainerInputs {
  const master = new Random(seed);
  const initRng = master.fork();
  master.fork(); // the validation split's
  const batchRng = master.fork();
  const model = resolveModel(work.model, createRegistry());
  const { params } = model.init(work.inputShape, initRng, { dtype: "float32" });
  const plan = batchPlan("minibatch-shuffled", samples, BATCH, batchRng);
  const order = new Int32Array(samples * epochs);
  for (let e = 0; e < epochs; e++) {
    order.set(plan.epoch(batchRng).flatMap((b) => [...b]), e * samples);
  }
  return {
    params: flattenTree(params).map(([name, t]) => {
      const spec = work.model[Number(name.split(".")[0])];
      const inOut = spec?.name === "dense" && spec.weightLayout !== "out-in" && name.endsWith(".weight");
      return {
        name,
        shape: [...t.shape],
        ...(inOut ? { layout: "in-out" as const } : {}),
        data: t.data as Float32Array,
      };
    }),
    order,
  };
}

/**
 * Writes the inputs for the other processes: `params.json` (each parameter's name, shape and layout, in order),
 * the values as raw little-endian float32 files (`param0.f32` …) and the order as `order.i32`.
 */
export async function writeTrainerInputs(
  dir: string,
  inputs: TrainerInputs,
): Promise<void> {
  await Deno.writeTextFile(`${dir}/params.json`, JSON.stringify(inputs.params.map(({ data: _, ...p }) => p)));
  for (const [i, p] of inputs.params.entries()) {
    await Deno.writeFile(`${dir}/param${i}.f32`, bytes(p.data));
  }
  await Deno.writeFile(`${dir}/order.i32`, bytes(inputs.order));
}

/** Reads what {@linkcode writeTrainerInputs} wrote. */
export async function readTrainerInputs(dir: string): Promise<TrainerInputs> {
  const manifest = JSON.parse(await Deno.readTextFile(`${dir}/params.json`)) as Omit<Parameter, "data">[];
  const params: Parameter[] = [];
  for (const [i, p] of manifest.entries()) {
    params.push({ ...p, data: new Float32Array((await Deno.readFile(`${dir}/param${i}.f32`)).slice().buffer) });
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
  /**
   * Where a configuration trained for fewer steps than an epoch (`--tfjs-steps`): the steps it ran and an epoch's.
   * Its seconds per epoch are then the steps' time scaled to the epoch, plus the test evaluation; its accuracy and
   * loss are after these steps.
   */
  partial?: { steps: number; of: number };
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

/** Test accuracy of logits `[n, 10]` against class indices `[n]` or one-hot targets `[n, 10]`. */
export function accuracyOf(
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  n: number,
): number {
  const index = targets.length === n;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    if (argmax(logits, i * 10, 10) === (index ? targets[i] : argmax(targets, i * 10, 10))) correct++;
  }
  return correct / n;
}
