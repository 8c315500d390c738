/**
 * TF.js 4.22 on the Fashion-MNIST benchmark, in a process of its own (started by
 * `fashion_mnist_bench.ts` with `--config tests/bench/deno.json`, whose import map and lock hold
 * the benchmark-only TF.js packages). The `@tensorflow/tfjs` bundle brings tfjs-core with its
 * gradients and `tfjs-backend-cpu`, as users install it; `@tensorflow/tfjs-backend-wasm` adds wasm.
 *
 * The same model, data, starting weights and batch order as `train()` (`--workload mlp|cnn`, see
 * `_fashion_mnist.ts`), written as users write it: `optimizer.minimize` over `tf.matMul`, `tf.conv2d`,
 * `tf.maxPool`, `tf.relu` and `tf.losses.softmaxCrossEntropy` on one-hot targets. The CNN runs in
 * TF.js's layout, NHWC (a one-channel image has the same bytes in both), with the filters moved from
 * `[out, in, kh, kw]` to `[kh, kw, in, out]` and the first dense weight's rows reordered from
 * PyTorch's flatten order (c·49 + h·7 + w) to NHWC's ((h·7 + w)·64 + c), so that it computes the same
 * function. TF.js's wasm backend has no `Conv2DBackpropFilter` kernel, so the CNN as users write it
 * stops at its first step there, with TF.js's error.
 *
 * With `--tuned`, what an expert writes: each dense layer a `tf.customGrad` whose gradient transposes
 * explicitly and multiplies untransposed (avoiding TF.js's slow transposed products), and each
 * convolution a `tf.customGrad` whose filter gradient is one matrix product of im2col(x) (the nine
 * shifted slices of the padded input, side by side) and the cotangent, on the backend's own kernels;
 * the first convolution skips its input's gradient, which nothing needs.
 *
 * `--steps N` stops training after N steps (the CNN on TF.js's slow kernels): the seconds per epoch
 * are then those steps' time scaled to a whole epoch, plus the test evaluation.
 *
 * @module
 */

import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import {
  accuracyOf,
  BATCH,
  cpuSeconds,
  EPSILON,
  EVAL_BATCH,
  LEARNING_RATE,
  loadData,
  type Parameter,
  readTrainerInputs,
  report,
  workload,
} from "./_fashion_mnist.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    workload: { type: "string", default: "mlp" },
    backend: { type: "string", default: "wasm" },
    tuned: { type: "boolean", default: false },
    epochs: { type: "string", default: "1" },
    limit: { type: "string" },
    steps: { type: "string" },
    inputs: { type: "string" },
    name: { type: "string" },
  },
});
const work = workload(args.workload!);
const limit = args.limit === undefined ? undefined : Number(args.limit);
const stepCap = args.steps === undefined ? Infinity : Number(args.steps);
const data = await loadData(work, limit);
const inputs = await readTrainerInputs(args.inputs!);
const params = new Map(inputs.params.map((p) => [p.name, p]));

if (!(await tf.setBackend(args.backend!))) {
  throw new Error(`TF.js backend ${args.backend} did not start`);
}
await tf.ready();

// deno-lint-ignore no-explicit-any
type T = any;

/** A dense weight as TF.js multiplies it, `[in, out]`; with `nhwc`, its rows in NHWC's flatten order. */
function denseWeight(p: Parameter, nhwc?: { channels: number; pixels: number }): tf.Variable {
  const [n, o] = p.layout === "in-out" ? p.shape : [p.shape[1], p.shape[0]];
  const out = new Float32Array(p.data.length);
  for (let k = 0; k < n; k++) {
    // k = c·pixels + pixel in PyTorch's (NCHW) flatten; pixel·channels + c in NHWC's.
    const row = nhwc ? (k % nhwc.pixels) * nhwc.channels + Math.floor(k / nhwc.pixels) : k;
    for (let a = 0; a < o; a++) out[row * o + a] = p.layout === "in-out" ? p.data[k * o + a] : p.data[a * n + k];
  }
  return tf.variable(tf.tensor2d(out, [n, o]));
}

/** A convolution filter `[out, in, kh, kw]` as TF.js's `[kh, kw, in, out]`. */
function filter(p: Parameter): tf.Variable {
  const [o, c, kh, kw] = p.shape;
  const out = new Float32Array(p.data.length);
  for (let a = 0; a < o; a++) {
    for (let b = 0; b < c; b++) {
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) out[((i * kw + j) * c + b) * o + a] = p.data[((a * c + b) * kh + i) * kw + j];
      }
    }
  }
  return tf.variable(tf.tensor4d(out, [kh, kw, c, o]));
}

const vector = (p: Parameter) => tf.variable(tf.tensor1d(p.data));
const get = (name: string) => {
  const p = params.get(name);
  if (p === undefined) throw new Error(`the inputs have no parameter ${name}`);
  return p;
};

/** The expert's dense layer: the gradient transposes explicitly, then multiplies untransposed. */
const denseTuned = tf.customGrad(
  ((x: T, w: T, b: T, save: T) => {
    save([x, w]);
    return {
      value: tf.add(tf.matMul(x, w), b),
      gradFunc: (dy: T, [xs, ws]: T[]) => [
        tf.matMul(dy, tf.transpose(ws)),
        tf.matMul(tf.transpose(xs), dy),
        tf.sum(dy, 0),
      ],
    };
  }) as T,
);
const dense = (x: T, w: tf.Variable, b: tf.Variable): T =>
  args.tuned ? denseTuned(x, w, b) : tf.add(tf.matMul(x, w), b);

/** The expert's 3×3, stride 1, padding 1 convolution: the filter's gradient as one product of im2col(x) and ḡ. */
const convTuned = (inputGrad: boolean) =>
  tf.customGrad(
    ((x: T, f: T, save: T) => {
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
    }) as T,
  );

/** The workload's variables, in the inputs' order, and its forward pass from a batch of images to logits. */
function network(): { vars: tf.Variable[]; forward: (x: T) => T; shape: (rows: number) => number[] } {
  if (work.name === "mlp") {
    const vars = [0, 2, 4].flatMap((i) => [denseWeight(get(`${i}.weight`)), vector(get(`${i}.bias`))]);
    return {
      vars,
      forward: (x) => dense(tf.relu(dense(tf.relu(dense(x, vars[0], vars[1])), vars[2], vars[3])), vars[4], vars[5]),
      shape: (rows) => [rows, 784],
    };
  }
  const vars = [
    filter(get("0.weight")),
    vector(get("0.bias")),
    filter(get("3.weight")),
    vector(get("3.bias")),
    denseWeight(get("7.weight"), { channels: 64, pixels: 49 }),
    vector(get("7.bias")),
    denseWeight(get("9.weight")),
    vector(get("9.bias")),
  ];
  const conv = args.tuned
    ? [convTuned(false), convTuned(true)]
    : [(x: T, f: T) => tf.conv2d(x, f, 1, "same"), (x: T, f: T) => tf.conv2d(x, f, 1, "same")];
  return {
    vars,
    forward: (x) => {
      let h: T = tf.maxPool(tf.relu(tf.add(conv[0](x, vars[0]), vars[1])) as T, 2, 2, "valid");
      h = tf.maxPool(tf.relu(tf.add(conv[1](h, vars[2]), vars[3])) as T, 2, 2, "valid");
      h = tf.relu(dense(tf.reshape(h, [-1, 3136]), vars[4], vars[5]));
      return dense(h, vars[6], vars[7]);
    },
    shape: (rows) => [rows, 28, 28, 1],
  };
}

const { vars, forward, shape } = network();
const optimizer = tf.train.adam(LEARNING_RATE, 0.9, 0.999, EPSILON);

const x = data.train.x.data as Float32Array,
  y = data.train.y.data as Float32Array,
  n = data.train.x.shape[0];
const pixels = x.length / n, index = data.train.y.shape.length === 1;
const gather = (source: Float32Array, width: number, rows: Int32Array) => {
  const out = new Float32Array(rows.length * width);
  for (let r = 0; r < rows.length; r++) {
    out.set(source.subarray(rows[r] * width, (rows[r] + 1) * width), r * width);
  }
  return out;
};
/** A batch's targets as TF.js's softmax cross-entropy takes them: one-hot rows (`tf.oneHot` of class indices). */
const targets = (rows: Int32Array) =>
  index
    ? tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(rows, (r) => y[r]), "int32"), 10))
    : tf.tensor2d(gather(y, 10, rows), [rows.length, 10]);

const perEpoch = Math.ceil(n / BATCH);
const epochs = Number.isFinite(stepCap) ? 1 : Number(args.epochs);
const steps = Math.min(stepCap, perEpoch);
let lossSum = 0, seen = 0, accuracy = NaN, trainSeconds = 0, evalSeconds = 0, trainCpu = 0, evalCpu = 0;
for (let e = 0; e < epochs; e++) {
  lossSum = 0, seen = 0;
  const order = inputs.order.subarray(e * n, (e + 1) * n);
  const started = performance.now(), cpu = cpuSeconds();
  for (let s = 0; s < steps; s++) {
    const rows = order.subarray(s * BATCH, Math.min(n, (s + 1) * BATCH));
    const xb = tf.tensor(gather(x, pixels, rows), shape(rows.length));
    const yb = targets(rows);
    const cost = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(yb, forward(xb)) as tf.Scalar,
      true,
      vars,
    )!;
    lossSum += cost.dataSync()[0] * rows.length;
    seen += rows.length;
    tf.dispose([xb, yb, cost]);
  }
  const evaluating = performance.now(), evalCpuStart = cpuSeconds();
  trainSeconds += (evaluating - started) / 1000;
  trainCpu += evalCpuStart - cpu;
  const testX = data.test.x.data as Float32Array, m = data.test.x.shape[0];
  const logits = new Float32Array(m * 10);
  for (let i = 0; i < m; i += EVAL_BATCH) {
    const rows = Math.min(EVAL_BATCH, m - i);
    const out = tf.tidy(() => forward(tf.tensor(testX.subarray(i * pixels, (i + rows) * pixels), shape(rows))));
    logits.set(out.dataSync(), i * 10);
    out.dispose();
  }
  accuracy = accuracyOf(logits, data.test.y.data, m);
  evalSeconds += (performance.now() - evaluating) / 1000;
  evalCpu += cpuSeconds() - evalCpuStart;
}
// Scaled to whole epochs when training stopped early (--steps): the steps' time for an epoch's, plus the evaluation.
const scale = perEpoch / steps;
const seconds = trainSeconds * scale + evalSeconds;
report({
  name: args.name ?? `tfjs-${args.backend}${args.tuned ? "-tuned" : ""}`,
  secondsPerEpoch: seconds / epochs,
  cpuSecondsPerEpoch: (trainCpu * scale + evalCpu) / epochs,
  samplesPerSecond: (epochs * n) / seconds,
  accuracy,
  loss: lossSum / seen,
  epochs,
  ...(steps < perEpoch ? { partial: { steps, of: perEpoch } } : {}),
});
