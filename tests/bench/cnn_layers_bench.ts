/**
 * Per-layer times of the Fashion-MNIST CNN (issue 12) at batch 128, float32:
 * forward and backward (the VJP of each op given a cotangent) of every layer,
 * on each available backend, median of repeated runs. Times are the process's
 * CPU time (user + system, `process.cpuUsage`), which a loaded machine
 * inflates less than wall time; the kernels are single-threaded (run with
 * `OPENBLAS_NUM_THREADS=1` for OpenBLAS).
 *
 * ```sh
 * deno run --allow-read --allow-ffi --allow-env tests/bench/cnn_layers_bench.ts [--repeats 10] [--only wasm,blas]
 * ```
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { vjp } from "../../core/autodiff.ts";
import { type Backend, setBackend } from "../../core/backend.ts";
import { Random } from "../../core/random.ts";
import { Tensor, withScratch } from "../../core/tensor.ts";
import type { Tree } from "../../core/tree.ts";
import type { Layer } from "../../core/interfaces.ts";
import { conv2d, dense, flatten, maxPool2d, relu } from "../../plugins/layers/mod.ts";
import { availableBackends } from "./_matmul_cases.ts";

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    repeats: { type: "string", default: "10" },
    only: { type: "string" },
    batch: { type: "string", default: "128" },
  },
});
const repeats = Number(args.repeats), batch = Number(args.batch);
const only = args.only?.split(",");

function randomTensor(shape: number[], rng: Random): Tensor {
  const data = new Float32Array(shape.reduce((p, n) => p * n, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-1, 1);
  return new Tensor(data, shape);
}

const LAYERS: [string, Layer, number[]][] = [
  ["conv 1→32 3×3 pad 1", conv2d({ filters: 32, kernelSize: 3, padding: 1, dtype: "float32" }) as Layer, [1, 28, 28]],
  ["relu [32,28,28]", relu(), [32, 28, 28]],
  ["max-pool 2 [32,28,28]", maxPool2d() as Layer, [32, 28, 28]],
  ["conv 32→64 3×3 pad 1", conv2d({ filters: 64, kernelSize: 3, padding: 1, dtype: "float32" }) as Layer, [32, 14, 14]],
  ["relu [64,14,14]", relu(), [64, 14, 14]],
  ["max-pool 2 [64,14,14]", maxPool2d() as Layer, [64, 14, 14]],
  ["flatten", flatten() as Layer, [64, 7, 7]],
  ["dense 3136→128", dense({ units: 128, dtype: "float32" }) as Layer, [3136]],
  ["dense 128→10", dense({ units: 10, dtype: "float32" }) as Layer, [128]],
];

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Forward and backward milliseconds of one layer (the input's gradient too, except for the first layer). */
function time(layer: Layer, sample: number[], first: boolean): [number, number] {
  const rng = new Random(0);
  const { params, state } = layer.init(sample, rng);
  const x = randomTensor([batch, ...sample], rng);
  const forward: number[] = [], backward: number[] = [];
  let cotangent: Tensor | null = null;
  for (let r = 0; r < repeats + 2; r++) {
    // As in training, the step's buffers go back to the allocator when it ends (train's arena).
    withScratch(() => {
      const t0 = cpuMs();
      // The forward time includes recording the graph (as in training).
      const target = first ? { params } : { params, x };
      const { output, vjp: back } = vjp(
        (p: { params: Tree; x?: Tensor }) => layer.apply(p.params, state, p.x ?? x, { training: true }).output,
        target as { params: Tree; x?: Tensor },
      );
      cotangent ??= randomTensor([...output.shape], rng);
      const t1 = cpuMs();
      back(cotangent);
      const t2 = cpuMs();
      if (r >= 2) forward.push(t1 - t0), backward.push(t2 - t1);
    }, () => []);
  }
  return [median(forward), median(backward)];
}

function main() {
  const { backends } = availableBackends();
  for (const backend of backends) {
    if (only !== undefined && !only.includes(backend.name)) continue;
    const previous = setBackend(backend as Backend);
    console.log(`\n${backend.name}, batch ${batch}, float32 (median of ${repeats}, CPU ms)`);
    console.log("| layer | forward | backward |\n| --- | ---: | ---: |");
    let total = 0;
    LAYERS.forEach(([name, layer, sample], i) => {
      const [f, b] = time(layer, sample, i === 0);
      total += f + b;
      console.log(`| ${name} | ${f.toFixed(2)} | ${b.toFixed(2)} |`);
    });
    console.log(`| total | ${total.toFixed(1)} | |`);
    setBackend(previous);
  }
}

// `deno bench` loads every *_bench.ts file: this one runs only under `deno run`.
if (import.meta.main) main();
