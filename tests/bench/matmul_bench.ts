/**
 * Float32 `matmul` throughput of every backend that can be created here, in the
 * three orientations a dense layer's forward and backward passes use
 * (A·B, Aᵀ·B, A·Bᵀ) for 128×784·784×256, 256³ and 1024³.
 *
 * ```sh
 * deno bench --allow-read --allow-ffi tests/bench/matmul_bench.ts   # --allow-ffi lets "blas" load
 * ```
 *
 * `deno bench` prints time per call; when it ends, this file prints GFLOP/s
 * (2·m·n·k / time) per backend and case from the wall-clock median, the best
 * call and the median CPU time of the measured calls. Issue 2
 * asks ≥ 3 GFLOP/s for the default backend in all three orientations of the
 * first shape. The wasm backend is measured on all the machine's cores (its
 * default, "wasm") and on 1, 2, 4, … threads ("wasm-t1", …): its products give
 * the same bits on any number of threads, so only the time differs.
 *
 * @module
 */

import process from "node:process";
import { type Backend, setBackend } from "../../core/backend.ts";
import { matmul } from "../../core/ops/matmul.ts";
import { Tensor } from "../../core/tensor.ts";
import { availableBackends, filled, flops, MATMUL_CASES, median } from "./_matmul_cases.ts";

const { backends, missing } = availableBackends();
const samples = new Map<string, number[]>();
const cpuSamples = new Map<string, number[]>();

for (const c of MATMUL_CASES) {
  const a = new Tensor(filled(c.m * c.k, 1), c.transposeA ? [c.k, c.m] : [c.m, c.k]);
  const b = new Tensor(filled(c.k * c.n, 2), c.transposeB ? [c.n, c.k] : [c.k, c.n]);
  const options = { transposeA: c.transposeA, transposeB: c.transposeB };
  for (const backend of backends) {
    const key = `${backend.name}\t${c.label}`;
    const times: number[] = [], cpu: number[] = [];
    samples.set(key, times);
    cpuSamples.set(key, cpu);
    Deno.bench({
      name: `${backend.name} ${c.label}`,
      group: c.label,
      baseline: backend.name === "js",
      // 1024³ on the TypeScript kernels takes ~0.5 s a call: a few calls suffice.
      n: c.m * c.n * c.k > 1e8 ? 5 : undefined,
      fn() {
        const previous: Backend = setBackend(backend);
        const c = process.cpuUsage();
        const t = performance.now();
        matmul(a, b, options);
        times.push(performance.now() - t);
        const used = process.cpuUsage(c);
        cpu.push((used.user + used.system) / 1000);
        setBackend(previous);
      },
    });
  }
}

globalThis.addEventListener("unload", () => {
  const names = backends.map((b) => b.name);
  const rows = MATMUL_CASES.map((c) => {
    const cells = names.map((name) => {
      const times = samples.get(`${name}\t${c.label}`) ?? [];
      const cpu = cpuSamples.get(`${name}\t${c.label}`) ?? [];
      // The first tenth of the calls are deno bench's warm-up (JIT tiers, memory growth): left out.
      const skip = Math.floor(times.length / 10);
      const measured = times.slice(skip), measuredCpu = cpu.slice(skip);
      if (measured.length === 0) return "—";
      const gflops = (ms: number) => (flops(c) / ms / 1e6).toFixed(1);
      return `${gflops(median(measured))} / ${gflops(Math.min(...measured))} / ${gflops(median(measuredCpu))}`;
    });
    return `| ${c.label.padEnd(22)} | ${cells.map((x) => x.padStart(20)).join(" | ")} |`;
  });
  console.log(
    `\nfloat32 matmul GFLOP/s: wall-clock median / best call / per CPU-second (median; for a multi-threaded backend the CPU time of all its threads). The best call and the CPU-time figure are the least disturbed by other processes. ${navigator.hardwareConcurrency} cores`,
  );
  console.log(`| ${"product".padEnd(22)} | ${names.map((x) => x.padStart(20)).join(" | ")} |`);
  console.log(`| ${"-".repeat(22)} | ${names.map(() => "-------------------:").join(" | ")} |`);
  for (const row of rows) console.log(row);
  for (const why of missing) console.log(`not measured: ${why}`);
});
