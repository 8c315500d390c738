/**
 * TF.js 4.22 on the Fashion-MNIST benchmark, in a process of its own (started by
 * `fashion_mnist_bench.ts` with `--config tests/bench/deno.json`, whose import map and lock hold
 * the benchmark-only TF.js packages). The `@tensorflow/tfjs` bundle brings tfjs-core with its
 * gradients and `tfjs-backend-cpu`, as users install it; `@tensorflow/tfjs-backend-wasm` adds wasm.
 *
 * The same model, data, starting weights and batch order as `train()`: `optimizer.minimize` over
 * `tf.matMul`, `tf.relu` and `tf.losses.softmaxCrossEntropy`, as users write it; with `--tuned`, the
 * expert's dense layer (a `tf.customGrad` whose gradient transposes explicitly and multiplies
 * untransposed, avoiding TF.js's slow transposed products).
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
  LEARNING_RATE,
  loadData,
  PARAM_SHAPES,
  readTrainerInputs,
  report,
} from "./_fashion_mnist.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    backend: { type: "string", default: "wasm" },
    tuned: { type: "boolean", default: false },
    epochs: { type: "string", default: "1" },
    limit: { type: "string" },
    inputs: { type: "string" },
    name: { type: "string" },
  },
});
const epochs = Number(args.epochs);
const limit = args.limit === undefined ? undefined : Number(args.limit);
const data = await loadData(limit);
const inputs = await readTrainerInputs(args.inputs!);

if (!(await tf.setBackend(args.backend!))) {
  throw new Error(`TF.js backend ${args.backend} did not start`);
}
await tf.ready();
const vars = inputs.params.map((v, i) => tf.variable(tf.tensor(v, PARAM_SHAPES[i], "float32")));
const optimizer = tf.train.adam(LEARNING_RATE, 0.9, 0.999, EPSILON);
const denseTuned = tf.customGrad(
  // deno-lint-ignore no-explicit-any
  ((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: any) => {
    save([x, w]);
    return {
      value: tf.add(tf.matMul(x, w), b),
      gradFunc: (dy: tf.Tensor2D, [xs, ws]: tf.Tensor2D[]) => [
        tf.matMul(dy, tf.transpose(ws)),
        tf.matMul(tf.transpose(xs), dy),
        tf.sum(dy, 0),
      ],
    };
    // deno-lint-ignore no-explicit-any
  }) as any,
);
const layer = (x: tf.Tensor2D, i: number): tf.Tensor2D =>
  args.tuned
    ? denseTuned(x, vars[2 * i], vars[2 * i + 1]) as tf.Tensor2D
    : tf.add(tf.matMul(x, vars[2 * i] as tf.Tensor2D), vars[2 * i + 1]);
const forward = (x: tf.Tensor2D) => layer(tf.relu(layer(tf.relu(layer(x, 0)), 1)), 2);

const x = data.train.x.data as Float32Array,
  y = data.train.y.data as Float32Array,
  n = data.train.x.shape[0];
const gather = (source: Float32Array, width: number, rows: Int32Array) => {
  const out = new Float32Array(rows.length * width);
  for (let r = 0; r < rows.length; r++) {
    out.set(source.subarray(rows[r] * width, (rows[r] + 1) * width), r * width);
  }
  return out;
};
let lossSum = 0, accuracy = NaN;
const start = performance.now(), cpu = cpuSeconds();
for (let e = 0; e < epochs; e++) {
  lossSum = 0;
  const order = inputs.order.subarray(e * n, (e + 1) * n);
  for (let i = 0; i < n; i += BATCH) {
    const rows = order.subarray(i, Math.min(n, i + BATCH));
    const xb = tf.tensor2d(gather(x, 784, rows), [rows.length, 784]);
    const yb = tf.tensor2d(gather(y, 10, rows), [rows.length, 10]);
    const cost = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(yb, forward(xb)) as tf.Scalar,
      true,
      vars,
    )!;
    lossSum += cost.dataSync()[0] * rows.length;
    tf.dispose([xb, yb, cost]);
  }
  const testX = data.test.x.data as Float32Array, m = data.test.x.shape[0];
  const logits = new Float32Array(m * 10);
  for (let i = 0; i < m; i += 1000) {
    const rows = Math.min(1000, m - i);
    const out = tf.tidy(() =>
      forward(
        tf.tensor2d(testX.subarray(i * 784, (i + rows) * 784), [rows, 784]),
      )
    );
    logits.set(out.dataSync(), i * 10);
    out.dispose();
  }
  accuracy = accuracyOf(logits, data.test.y.data, m);
}
const seconds = (performance.now() - start) / 1000;
report({
  name: args.name ?? `tfjs-${args.backend}${args.tuned ? "-tuned" : ""}`,
  secondsPerEpoch: seconds / epochs,
  cpuSecondsPerEpoch: (cpuSeconds() - cpu) / epochs,
  samplesPerSecond: (epochs * n) / seconds,
  accuracy,
  loss: lossSum / n,
  epochs,
});
