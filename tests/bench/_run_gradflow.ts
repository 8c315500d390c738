/**
 * One gradflow configuration of the Fashion-MNIST benchmark, in a process of its own (started by
 * `fashion_mnist_bench.ts`), on one workload (`--workload mlp|cnn`, see `_fashion_mnist.ts`):
 *
 * - `--mode train`: what users run, `train()` with an ordinary options object (the model as a list of
 *   layer specs, the loss and optimizer by name, the test split as validation, accuracy as a metric),
 *   on the data `loadFashionMnist()` gives. Seconds per epoch come from the trainer's own clock
 *   (`history.epochs[i].time`: every step, the metrics and the validation pass).
 * - `--mode floor`: the kernel floor, a hand-written loop of plugin calls on the same data, starting
 *   weights and batch order: `valueAndGrad` of the `sequential` model and the loss in a `withScratch`
 *   arena, the `adam` plugin's fused `step` with everything donated, the batch and gradient buffers
 *   recycled, and the test evaluated after every epoch. It also times where a step's time goes. The
 *   driver checks that it ends with `train()`'s epoch loss bit for bit, so the two rows time the same
 *   work.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { valueAndGrad } from "../../core/autodiff.ts";
import { type Backend, getBackend, setBackend } from "../../core/backend.ts";
import type { Loss, Optimizer } from "../../core/interfaces.ts";
import { Random } from "../../core/random.ts";
import { allocate, recycle, Tensor, withScratch } from "../../core/tensor.ts";
import { flattenTree, type Tree, treeLeaves, unflattenTree } from "../../core/tree.ts";
import { createRegistry } from "../../plugins/mod.ts";
import { resolveModel } from "../../train/model.ts";
import { predict } from "../../train/predict.ts";
import { train } from "../../train/train.ts";
import {
  accuracyOf,
  BATCH,
  cpuSeconds,
  EPSILON,
  EVAL_BATCH,
  LEARNING_RATE,
  loadData,
  readTrainerInputs,
  report,
  type RunResult,
  workload,
} from "./_fashion_mnist.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    mode: { type: "string" },
    workload: { type: "string", default: "mlp" },
    backend: { type: "string", default: "default" },
    threads: { type: "string" },
    epochs: { type: "string", default: "1" },
    limit: { type: "string" },
    seed: { type: "string", default: "0" },
    inputs: { type: "string" },
    name: { type: "string" },
  },
});
const epochs = Number(args.epochs), seed = Number(args.seed);
const limit = args.limit === undefined ? undefined : Number(args.limit);
// The backend as a user names it: omitted (the default), a name, or { name, threads } for a thread count.
const threads = args.threads === undefined ? undefined : Number(args.threads);
const backendName = args.backend === "default" ? undefined : args.backend!;
const backendSpec = threads === undefined ? backendName : { name: backendName ?? "wasm", threads };
const name = args.name ?? `${args.mode}-${args.backend}${threads === undefined ? "" : `-${threads}`}`;

const work = workload(args.workload!);
const data = await loadData(work, limit);

if (args.mode === "train") {
  const cpu = cpuSeconds();
  const result = await train({
    model: work.model,
    loss: "softmax-cross-entropy",
    optimizer: { name: "adam", learningRate: LEARNING_RATE },
    data: data.train,
    validation: data.test,
    epochs,
    batchSize: BATCH,
    metrics: ["accuracy"],
    seed,
    ...(backendSpec === undefined ? {} : { backend: backendSpec }),
  });
  const last = result.history.epochs.at(-1)!;
  report({
    name,
    secondsPerEpoch: last.time / epochs,
    cpuSecondsPerEpoch: (cpuSeconds() - cpu) / epochs,
    samplesPerSecond: (epochs * data.train.x.shape[0]) / last.time,
    accuracy: last.valAccuracy,
    loss: last.loss,
    epochs,
    note: `backend ${
      backendSpec === undefined
        ? describe(getBackend())
        : typeof backendSpec === "string"
        ? backendSpec
        : `${backendSpec.name}, ${backendSpec.threads} thread(s)`
    }`,
  });
} else if (args.mode === "floor") {
  if (args.inputs === undefined) {
    throw new Error(
      "--mode floor needs --inputs DIR (the starting weights and order)",
    );
  }
  const backend = backendSpec === undefined
    ? getBackend()
    : typeof backendSpec === "string"
    ? createRegistry().create("backend", backendSpec) as Backend
    : createRegistry().create("backend", backendSpec.name, { threads: backendSpec.threads }) as Backend;
  report(await floor(backend, name));
} else {
  throw new Error(
    `--mode must be train or floor: current value is ${args.mode}`,
  );
}

/** A backend's name, with its thread count where it has one. */
function describe(backend: Backend): string {
  const threads = (backend as { threads?: number }).threads;
  return threads === undefined ? backend.name : `${backend.name}, ${threads} thread(s)`;
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

async function floor(backend: Backend, name: string): Promise<RunResult> {
  const inputs = await readTrainerInputs(args.inputs!);
  const registry = createRegistry();
  const net = resolveModel(work.model, registry);
  const initial = net.init(work.inputShape, new Random(0), { dtype: "float32" });
  const netState = initial.state;
  const loss = registry.create("loss", "softmax-cross-entropy") as Loss;
  const optimizer = registry.create("optimizer", "adam", {
    learningRate: LEARNING_RATE,
    epsilon: EPSILON,
  }) as Optimizer;
  const clock = { matmul: 0 };
  const previous = setBackend(timed(backend, clock));
  try {
    // The sequential model's parameter tree (one { weight, bias } per layer with weights, {} for the others),
    // holding train()'s initial values.
    let params: Tree = unflattenTree(
      initial.params,
      flattenTree(initial.params).map(([name], i) => {
        const p = inputs.params[i];
        if (p?.name !== name) throw new Error(`parameter ${i} is ${name}, not ${p?.name}: the inputs are stale`);
        return new Tensor(p.data, p.shape);
      }),
    );
    let state = optimizer.init(params);
    const x = data.train.x.data,
      y = data.train.y.data,
      n = data.train.x.shape[0];
    const [xShape, yShape] = [data.train.x.shape.slice(1), data.train.y.shape.slice(1)];
    const [xWidth, yWidth] = [xShape, yShape].map((s) => s.reduce((p, d) => p * d, 1));
    let tData = 0, tStep = 0, tOpt = 0, lossSum = 0, accuracy = NaN, inStep = 0;
    const start = performance.now(), cpu = cpuSeconds();
    for (let e = 0; e < epochs; e++) {
      lossSum = 0;
      const order = inputs.order.subarray(e * n, (e + 1) * n);
      for (let i = 0; i < n; i += BATCH) {
        const t0 = performance.now();
        const rows = order.subarray(i, Math.min(n, i + BATCH));
        const xb = new Tensor(gather(x, xWidth, rows), [rows.length, ...xShape]);
        const yb = new Tensor(gather(y, yWidth, rows), [rows.length, ...yShape]);
        const t1 = performance.now();
        // In an arena, as the trainer's step: the activations and cotangents go back to the allocator.
        const { value, grad } = withScratch(
          () => valueAndGrad((q: Tree) => loss(net.apply(q, netState, xb, { training: true }).output, yb))(params),
          (r) => [r.value, ...treeLeaves(r.grad)],
        );
        const t2 = performance.now();
        ({ params, state } = optimizer.step!(grad, state, params, {
          donate: true,
        }));
        recycle([...treeLeaves(grad), xb]);
        const t3 = performance.now();
        tData += t1 - t0, tStep += t2 - t1, tOpt += t3 - t2;
        inStep = clock.matmul;
        lossSum += value.data[0] * rows.length;
      }
      const logits = predict(
        { model: net, params, state: netState },
        data.test.x,
        { batchSize: EVAL_BATCH },
      );
      accuracy = accuracyOf(
        logits.data,
        data.test.y.data,
        data.test.x.shape[0],
      );
      clock.matmul = inStep; // the shares are of the steps' time: the evaluation's products are left out
    }
    const seconds = (performance.now() - start) / 1000,
      cpuPerEpoch = (cpuSeconds() - cpu) / epochs;
    const total = tData + tStep + tOpt;
    return {
      name,
      secondsPerEpoch: seconds / epochs,
      cpuSecondsPerEpoch: cpuPerEpoch,
      samplesPerSecond: (epochs * n) / seconds,
      accuracy,
      loss: lossSum / n,
      epochs,
      shares: {
        matmul: clock.matmul / total,
        other: (tStep - clock.matmul) / total,
        optimizer: tOpt / total,
        data: tData / total,
      },
      note: `backend ${describe(backend)}`,
    };
  } finally {
    setBackend(previous);
  }
}

/** The rows of a batch, in a buffer from gradflow's `allocate` (as the trainer's `takeRows`). */
function gather(
  source: Float32Array | Float64Array,
  width: number,
  rows: Int32Array,
): Float32Array {
  const out = allocate("float32", rows.length * width) as Float32Array;
  for (let r = 0; r < rows.length; r++) {
    out.set(source.subarray(rows[r] * width, (rows[r] + 1) * width), r * width);
  }
  return out;
}
