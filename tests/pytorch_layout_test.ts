/**
 * Weights move between gradflow and PyTorch as they are: the Fashion-MNIST CNN
 * (examples/fashion_cnn.ts) saved with `saveModel` is a safetensors file whose
 * tensors are exactly the `state_dict` of the equivalent `torch.nn.Sequential`
 * (names, shapes, dtype, values), read here by an independent parser that
 * follows the format's specification rather than gradflow's reader; and a
 * PyTorch `state_dict` (tests/fixtures/torch_layers.json) loaded by name gives
 * PyTorch's output. The name mapping is documented in docs/pytorch.md.
 */

import assert from "node:assert/strict";
import { CNN } from "../examples/fashion_cnn.ts";
import { Random } from "../core/random.ts";
import { tensor } from "../core/tensor.ts";
import { flattenTree, type Tree, unflattenTree } from "../core/tree.ts";
import { createRegistry } from "../plugins/mod.ts";
import { resolveModel } from "../train/model.ts";
import { saveModel } from "../train/model_io.ts";

interface Entry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/**
 * Reads a safetensors file by the specification (github.com/huggingface/safetensors, "Format"): an
 * unsigned little-endian 64-bit header size N, N bytes of UTF-8 JSON (an object mapping tensor names to
 * `{ dtype, shape, data_offsets }`, plus an optional `__metadata__` of strings), then the byte buffer, the
 * offsets being relative to its start. It checks what the specification requires of a valid file.
 */
function readBySpec(bytes: Uint8Array): { header: Record<string, Entry>; metadata: unknown; buffer: DataView } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getBigUint64(0, true);
  assert.ok(size <= BigInt(bytes.length - 8), "the header fits in the file");
  const n = Number(size);
  const json = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  assert.equal(json[0], "{", "the header starts with '{'");
  const parsed = JSON.parse(json) as Record<string, unknown>;
  const { __metadata__: metadata, ...rest } = parsed;
  const header = rest as Record<string, Entry>;
  const buffer = new DataView(bytes.buffer, bytes.byteOffset + 8 + n, bytes.length - 8 - n);
  // The offsets cover the byte buffer without holes or overlaps, each tensor's length matching its shape.
  const spans = Object.entries(header).map(([name, e]) => {
    assert.ok(Array.isArray(e.data_offsets) && e.data_offsets.length === 2, `${name} has data_offsets`);
    const [begin, end] = e.data_offsets;
    const width = { F32: 4, F64: 8 }[e.dtype];
    assert.ok(width !== undefined, `${name} has a float dtype: ${e.dtype}`);
    assert.equal(end - begin, width * e.shape.reduce((p, s) => p * s, 1), `${name}'s byte length matches its shape`);
    return [begin, end];
  }).sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [begin, end] of spans) {
    assert.equal(begin, at, "no hole or overlap between tensors");
    at = end;
  }
  assert.equal(at, buffer.byteLength, "the tensors cover the byte buffer");
  return { header, metadata, buffer };
}

function valuesOf(e: Entry, buffer: DataView): number[] {
  const width = e.dtype === "F32" ? 4 : 8;
  const out: number[] = [];
  for (let at = e.data_offsets[0]; at < e.data_offsets[1]; at += width) {
    out.push(width === 4 ? buffer.getFloat32(at, true) : buffer.getFloat64(at, true));
  }
  return out;
}

/** The state_dict of PyTorch's nn.Sequential equivalent of examples/fashion_cnn.ts, by name. */
const TORCH_STATE_DICT: Record<string, number[]> = {
  "0.weight": [32, 1, 3, 3],
  "0.bias": [32],
  "3.weight": [64, 32, 3, 3],
  "3.bias": [64],
  "7.weight": [128, 3136],
  "7.bias": [128],
  "9.weight": [10, 128],
  "9.bias": [10],
};

Deno.test("the CNN's model.safetensors holds exactly PyTorch's state_dict: names, shapes, float32 values", async () => {
  const model = resolveModel({ name: "sequential", layers: CNN }, createRegistry());
  // As train() initializes it for float32 data: the layers take the data's dtype.
  const { params, state } = model.init([1, 28, 28], new Random(0), { dtype: "float32" });
  const path = `${await Deno.makeTempDir()}/model.safetensors`;
  try {
    await saveModel(path, { params, state, inputShape: [1, 28, 28], modelSpec: { name: "sequential", layers: CNN } });
    const { header, metadata, buffer } = readBySpec(await Deno.readFile(path));
    assert.deepEqual(Object.keys(header).sort(), Object.keys(TORCH_STATE_DICT).sort());
    const ours = new Map(flattenTree(params));
    for (const [name, shape] of Object.entries(TORCH_STATE_DICT)) {
      assert.equal(header[name].dtype, "F32", name);
      assert.deepEqual(header[name].shape, shape, name);
      assert.deepEqual(valuesOf(header[name], buffer), Array.from(ours.get(name)!.data), `${name}'s values`);
    }
    assert.equal(typeof (metadata as Record<string, unknown>).gradflow, "string");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("a PyTorch state_dict loaded by name into the same layers gives PyTorch's output", async () => {
  const fixture = JSON.parse(await Deno.readTextFile(new URL("./fixtures/torch_layers.json", import.meta.url)));
  const { state_dict: stateDict, input, output } = fixture.sequential as {
    state_dict: Record<string, { shape: number[]; values: number[] }>;
    input: { shape: number[]; values: number[] };
    output: { shape: number[]; values: number[] };
  };
  const layers = [
    { name: "conv2d", filters: 4, kernelSize: 3, padding: 1 },
    { name: "relu" },
    { name: "max-pool2d", poolSize: 2 },
    { name: "conv2d", filters: 6, kernelSize: 3, padding: 1 },
    { name: "relu" },
    { name: "max-pool2d", poolSize: 2 },
    { name: "flatten" },
    { name: "dense", units: 8, weightLayout: "out-in" },
    { name: "relu" },
    { name: "dense", units: 10, weightLayout: "out-in" },
  ];
  const model = resolveModel({ name: "sequential", layers }, createRegistry());
  const { params: fresh, state } = model.init([1, 12, 12], new Random(0));
  const names = flattenTree(fresh).map(([name]) => name);
  assert.deepEqual(names.sort(), Object.keys(stateDict).sort(), "the same parameter names as the state_dict");
  const params = unflattenTree(
    fresh,
    flattenTree(fresh).map(([name, t]) => {
      assert.deepEqual(stateDict[name].shape, [...t.shape], `${name}'s shape`);
      return tensor(stateDict[name].values, stateDict[name].shape);
    }),
  ) as Tree;
  const y = model.apply(params, state, tensor(input.values, input.shape), { training: false }).output;
  assert.deepEqual(y.shape, output.shape);
  y.data.forEach((v, i) =>
    assert.ok(Math.abs(v - output.values[i]) < 1e-12, `output ${i}: ${v} vs ${output.values[i]}`)
  );
});
