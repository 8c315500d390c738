import assert from "node:assert/strict";
import type { Layer } from "../../core/interfaces.ts";
import { Tensor, zeros } from "../../core/tensor.ts";
import { flattenTree } from "../../core/tree.ts";
import { dense } from "../../plugins/layers/dense.ts";
import { sequential } from "../../plugins/layers/sequential.ts";
import { train } from "../../train/train.ts";
import { BATCH, MODEL, trainerInputs } from "./_fashion_mnist.ts";

Deno.test("the benchmark's peers start from train()'s initial parameters", async () => {
  const data = { x: zeros([4, 784], "float32"), y: zeros([4, 10], "float32") };
  const result = await train({
    model: MODEL,
    loss: "softmax-cross-entropy",
    optimizer: "adam",
    data,
    epochs: 0,
    seed: 3,
  });
  const inputs = trainerInputs(3, 4, 1);
  assert.deepEqual(flattenTree(result.params).map(([, t]) => [...t.data]), inputs.params.map((p) => [...p]));
});

Deno.test("the benchmark's peers see train()'s batches in train()'s order", async () => {
  // Each sample's input is its index; a layer that records its training inputs reveals the order train() used.
  const samples = 300, seen: number[] = [];
  const recorder: Layer = {
    init: (shape) => ({ params: {}, state: {}, outputShape: [...shape] }),
    apply(_params, state, input, context) {
      if (context.training) seen.push(...input.data);
      return { output: input, state };
    },
  };
  const x = new Tensor(Float32Array.from({ length: samples }, (_, i) => i), [samples, 1]);
  await train({
    model: sequential([recorder, dense({ units: 1 })]),
    loss: "mse",
    optimizer: "sgd",
    data: { x, y: zeros([samples, 1], "float32") },
    batchSize: BATCH,
    epochs: 2,
    seed: 5,
  });
  assert.deepEqual(seen, [...trainerInputs(5, samples, 2).order]);
});
