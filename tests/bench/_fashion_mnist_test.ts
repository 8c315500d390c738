import assert from "node:assert/strict";
import type { Layer } from "../../core/interfaces.ts";
import { Tensor, zeros } from "../../core/tensor.ts";
import { flattenTree } from "../../core/tree.ts";
import { dense } from "../../plugins/layers/dense.ts";
import { sequential } from "../../plugins/layers/sequential.ts";
import { train } from "../../train/train.ts";
import { BATCH, trainerInputs, WORKLOADS } from "./_fashion_mnist.ts";

for (const work of Object.values(WORKLOADS)) {
  Deno.test(`the benchmark's peers start from train()'s initial parameters (${work.name})`, async () => {
    const samples = 4;
    const x = zeros([samples, ...work.inputShape], "float32");
    const y = work.data.labels === "index" ? zeros([samples], "float32") : zeros([samples, 10], "float32");
    const result = await train({
      model: work.model,
      loss: "softmax-cross-entropy",
      optimizer: "adam",
      data: { x, y },
      epochs: 0,
      seed: 3,
    });
    const inputs = trainerInputs(work, 3, samples, 1);
    const trained = flattenTree(result.params);
    assert.deepEqual(inputs.params.map((p) => [p.name, p.shape]), trained.map(([name, t]) => [name, t.shape]));
    assert.deepEqual(inputs.params.map((p) => [...p.data]), trained.map(([, t]) => [...t.data]));
  });

  Deno.test(`the benchmark's ${work.name} is the model of the CLI row's experiment file`, async () => {
    const file = JSON.parse(await Deno.readTextFile(new URL(`../../${work.experiment}`, import.meta.url)));
    assert.deepEqual(file.model, work.model);
    assert.deepEqual({ ...file.data, name: undefined }, { ...work.data, name: undefined });
  });
}

Deno.test("the benchmark marks gradflow's [in, out] dense weights, which PyTorch holds transposed", () => {
  const layouts = (name: "mlp" | "cnn") =>
    trainerInputs(WORKLOADS[name], 0, 1, 1).params.filter((p) => p.layout === "in-out").map((p) => p.name);
  assert.deepEqual(layouts("mlp"), ["0.weight", "2.weight", "4.weight"]);
  // The CNN is in PyTorch's layouts throughout: convolutions [out, in, kh, kw], dense weights "out-in".
  assert.deepEqual(layouts("cnn"), []);
  assert.deepEqual(
    trainerInputs(WORKLOADS.cnn, 0, 1, 1).params.map((p) => [p.name, p.shape]),
    [
      ["0.weight", [32, 1, 3, 3]],
      ["0.bias", [32]],
      ["3.weight", [64, 32, 3, 3]],
      ["3.bias", [64]],
      ["7.weight", [128, 3136]],
      ["7.bias", [128]],
      ["9.weight", [10, 128]],
      ["9.bias", [10]],
    ],
  );
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
  assert.deepEqual(seen, [...trainerInputs(WORKLOADS.mlp, 5, samples, 2).order]);
});
