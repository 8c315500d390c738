import assert from "node:assert/strict";
import type { Layer } from "../core/interfaces.ts";
import { add } from "../core/ops/mod.ts";
import { type Tensor, tensor } from "../core/tensor.ts";
import type { Tree } from "../core/tree.ts";
import { dense } from "../plugins/layers/dense.ts";
import { sequential } from "../plugins/layers/sequential.ts";
import { checkpoints } from "./callbacks/checkpoints.ts";
import { twoGaussians } from "./data/two_gaussians.ts";
import { xor } from "./data/xor.ts";
import { readSafetensors } from "./io/safetensors.ts";
import { loadModel, saveModel } from "./model_io.ts";
import { predict } from "./predict.ts";
import { train } from "./train.ts";

/** Adds a stored offset (layer state, not trained) to its input. */
function shift(): Layer<Record<string, never>, { offset: Tensor }> {
  return {
    init: (s) => ({ params: {}, state: { offset: tensor([0]) }, outputShape: [...s] }),
    apply: (_p, state, input) => ({ output: add(input, state.offset), state }),
  };
}

Deno.test("saveModel() and loadModel() give a model that predicts exactly as the trained one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = twoGaussians({ samples: 20 });
    const result = await train({
      model: {
        name: "sequential",
        layers: [{ name: "dense", units: 3 }, { name: "sigmoid" }, { name: "dense", units: 1 }],
      },
      loss: "mse",
      optimizer: { name: "sgd", learningRate: 0.1 },
      data,
      epochs: 2,
    });
    await saveModel(`${dir}/model.safetensors`, result);
    const loaded = await loadModel(`${dir}/model.safetensors`);
    assert.deepEqual(loaded.inputShape, [2]);
    assert.deepEqual(predict(loaded, data.x).data, predict(result, data.x).data);
    const file = await readSafetensors(`${dir}/model.safetensors`);
    assert.deepEqual([...file.tensors.keys()].sort(), ["0.bias", "0.weight", "2.bias", "2.weight"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saveModel() keeps layer state, and loadModel() needs the layer when the model was an instance", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const model = sequential([dense({ units: 1 }), shift() as unknown as Layer]);
    const params: Tree[] = [{ weight: tensor([[2]]), bias: tensor([0]) }, {}];
    const state: Tree[] = [{}, { offset: tensor([10]) }];
    await saveModel(`${dir}/m.safetensors`, { params, state, inputShape: [1] });
    await assert.rejects(loadModel(`${dir}/m.safetensors`), /saved without a JSON spec .* pass options.model/);
    const loaded = await loadModel(`${dir}/m.safetensors`, { model });
    assert.deepEqual(predict(loaded, tensor([[1], [2]])).toArray(), [[12], [14]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadModel() rejects weights that do not fit the model, naming the parameter", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await saveModel(`${dir}/m.safetensors`, {
      params: { weight: tensor([[1, 2]]), bias: tensor([0, 0]) },
      state: {},
      inputShape: [1],
      modelSpec: { name: "dense", units: 2 },
    });
    await assert.rejects(
      loadModel(`${dir}/m.safetensors`, { model: { name: "dense", units: 3 } }),
      /parameter "weight" has shape \[1,2\] but the model expects \[1,3\]/,
    );
    await Deno.writeFile(
      `${dir}/plain.safetensors`,
      await Deno.readFile(`${dir}/m.safetensors`).then((b) => b.subarray(0, 8)),
    );
    await assert.rejects(loadModel(`${dir}/plain.safetensors`), /truncated/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadModel() loads a run folder, a checkpoint folder and a checkpoint's weights file in one call", async () => {
  const run = await Deno.makeTempDir();
  try {
    const result = await train({
      model: [{ name: "dense", units: 3 }, { name: "tanh" }, { name: "dense", units: 1 }],
      loss: "mse",
      optimizer: "sgd",
      data: xor(),
      epochs: 2,
      batching: "full",
      callbacks: [checkpoints({ dir: `${run}/checkpoint` })],
    });
    const x = xor().x, expected = predict(result, x).toArray();
    // A run folder without model.safetensors: its checkpoint.
    assert.deepEqual(predict(await loadModel(run), x).toArray(), expected);
    assert.deepEqual(predict(await loadModel(`${run}/checkpoint/`), x).toArray(), expected);
    const weights = [...Deno.readDirSync(`${run}/checkpoint`)].find((e) => e.name.startsWith("weights-"))!.name;
    assert.deepEqual(predict(await loadModel(`${run}/checkpoint/${weights}`), x).toArray(), expected);
    // With model.safetensors (what gradflow train writes), that file.
    await saveModel(`${run}/model.safetensors`, { ...result, params: result.params });
    const loaded = await loadModel(run);
    assert.deepEqual(loaded.inputShape, [2]);
    assert.deepEqual(predict(loaded, x).toArray(), expected);
    await assert.rejects(loadModel(`${run}/checkpoint/..//checkpoint/missing`), Deno.errors.NotFound);
    const empty = await Deno.makeTempDir();
    await assert.rejects(loadModel(empty), /holds no model\.safetensors, no checkpoint\/checkpoint\.json/);
    await Deno.remove(empty);
  } finally {
    await Deno.remove(run, { recursive: true });
  }
});
