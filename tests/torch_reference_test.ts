/**
 * The new layers and ops against PyTorch 1.13 itself: values, and gradients of
 * Σ y·ḡ for a fixed random ḡ, in float64, from tests/fixtures/torch_layers.json
 * (written by tests/fixtures/torch_layers.py). Each case names the gradflow op
 * or layer and the options it takes.
 */

import assert from "node:assert/strict";
import { grad } from "../core/autodiff.ts";
import * as op from "../core/ops/mod.ts";
import { Random } from "../core/random.ts";
import { type Tensor, tensor } from "../core/tensor.ts";
import { conv1d, embedding, layerNorm } from "../plugins/layers/mod.ts";

interface Case {
  kind: string;
  options: Record<string, unknown>;
  inputs: Record<string, { shape: number[]; values: number[] }>;
  output: { shape: number[]; values: number[] };
  cotangent: number[];
  grads: Record<string, number[]>;
}

const fixture: { torch: string; cases: Case[] } = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/torch_layers.json", import.meta.url)),
);

type Inputs = Record<string, Tensor>;

/** What each case computes, from its named inputs and options. */
const RUN: Record<string, (x: Inputs, options: Record<string, unknown>) => Tensor> = {
  conv2d: (x, o) => op.conv2d(x.x, x.weight, x.bias, o),
  conv1d: (x, o) => {
    const [filters, , k] = x.weight.shape;
    const layer = conv1d({ filters, kernelSize: k, ...o } as never);
    return layer.apply({ weight: x.weight, bias: x.bias }, {}, x.x, { training: true }).output;
  },
  maxPool2d: (x, { poolSize, ...o }) => op.maxPool2d(x.x, poolSize as number, o),
  avgPool2d: (x, { poolSize, ...o }) => op.avgPool2d(x.x, poolSize as number, o),
  layerNorm: (x, o) => layerNorm(o).apply({ weight: x.weight, bias: x.bias }, {}, x.x, { training: true }).output,
  embedding: (x) => {
    const [count, dim] = x.weight.shape;
    return embedding({ count, dim }).apply({ weight: x.weight }, {}, x.indices, { training: true }).output;
  },
  leakyRelu: (x, o) => op.leakyRelu(x.x, o.negativeSlope as number | undefined),
  elu: (x, o) => op.elu(x.x, o.alpha as number | undefined),
  gelu: (x, o) => op.gelu(x.x, o),
  softplus: (x, o) => op.softplus(x.x, o),
  silu: (x) => op.silu(x.x),
  erf: (x) => op.erf(x.x),
  logSoftmax: (x, o) => op.logSoftmax(x.x, o.axis as number),
};

function close(actual: ArrayLike<number>, expected: number[], what: string, tol = 1e-12): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i] - expected[i]);
    assert.ok(error <= tol * (1 + Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs PyTorch ${expected[i]}`);
  }
}

Deno.test(`the fixture covers every kind it names (PyTorch ${fixture.torch})`, () => {
  const kinds = new Set(fixture.cases.map((c) => c.kind));
  assert.deepEqual([...kinds].filter((k) => !(k in RUN)), []);
  assert.ok(fixture.cases.length >= 30);
});

for (const [index, c] of fixture.cases.entries()) {
  Deno.test(`${c.kind} ${JSON.stringify(c.options)} matches PyTorch's values and gradients (case ${index})`, () => {
    const inputs: Inputs = {};
    for (const [name, { shape, values }] of Object.entries(c.inputs)) inputs[name] = tensor(values, shape);
    const run = RUN[c.kind];
    const y = run(inputs, c.options);
    assert.deepEqual(y.shape, c.output.shape);
    close(y.data, c.output.values, "output");
    const differentiable = Object.keys(c.grads);
    const cotangent = tensor(c.cotangent, c.output.shape);
    const g = grad((p: Inputs) => op.sum(op.mul(run({ ...inputs, ...p }, c.options), cotangent)))(
      Object.fromEntries(differentiable.map((k) => [k, inputs[k]])),
    );
    for (const name of differentiable) close(g[name].data, c.grads[name], `∂/∂${name}`);
  });
}

Deno.test("conv2d in float32 agrees with float64 to float32 precision", () => {
  const rng = new Random(3);
  const random = (shape: number[]) =>
    tensor(Array.from({ length: shape.reduce((p, n) => p * n, 1) }, () => rng.normal()), shape);
  const x = random([4, 3, 9, 8]), w = random([5, 3, 3, 3]), b = random([5]);
  const f64 = op.conv2d(x, w, b, { padding: 1, stride: [2, 1] });
  const cast = (t: Tensor) => tensor(Float32Array.from(t.data), t.shape);
  const f32 = op.conv2d(cast(x), cast(w), cast(b), { padding: 1, stride: [2, 1] });
  assert.equal(f32.dtype, "float32");
  close(f32.data, Array.from(f64.data), "float32 output", 1e-5);
});
