/**
 * The matrix products the benchmarks time, shared by `matmul_bench.ts` and
 * `fashion_mnist_bench.ts`: the first dense layer of the Fashion-MNIST MLP
 * (batch 128, 784 → 256) in the three orientations its forward and backward
 * passes use, then 256³ and 1024³.
 *
 * @module
 */

import type { Backend } from "../../core/backend.ts";
import { defaultThreads } from "../../core/wasm/thread_pool.ts";
import { createRegistry } from "../../plugins/mod.ts";

/** One timed product: `op(A)·op(B)` with `op(A)` m×k and `op(B)` k×n. */
export interface MatmulCase {
  /** What the product is, e.g. "128×784·784×256 A·B". */
  label: string;
  m: number;
  n: number;
  k: number;
  transposeA: boolean;
  transposeB: boolean;
}

function orientations(name: string, rows: number, inner: number, cols: number): MatmulCase[] {
  // The forward product Y = X·W (X rows×inner, W inner×cols) and the two products of its backward pass:
  // ∂W = Xᵀ·G (inner×rows · rows×cols) and ∂X = G·Wᵀ (rows×cols · cols×inner).
  return [
    { label: `${name} A·B`, m: rows, n: cols, k: inner, transposeA: false, transposeB: false },
    { label: `${name} Aᵀ·B`, m: inner, n: cols, k: rows, transposeA: true, transposeB: false },
    { label: `${name} A·Bᵀ`, m: rows, n: inner, k: cols, transposeA: false, transposeB: true },
  ];
}

/** The products every backend is timed on. */
export const MATMUL_CASES: readonly MatmulCase[] = [
  ...orientations("128×784·784×256", 128, 784, 256),
  ...orientations("256³", 256, 256, 256),
  ...orientations("1024³", 1024, 1024, 1024),
];

/** Floating-point operations of one product (a multiply and an add per term). */
export function flops(c: MatmulCase): number {
  return 2 * c.m * c.n * c.k;
}

/** Deterministic values in [-0.5, 0.5) (a Lehmer generator; benchmarks need no quality). */
export function filled(length: number, seed: number): Float32Array {
  const out = new Float32Array(length);
  let s = seed % 2147483647 || 1;
  for (let i = 0; i < length; i++) {
    s = (s * 48271) % 2147483647;
    out[i] = s / 2147483647 - 0.5;
  }
  return out;
}

/**
 * The thread counts the wasm backend is measured with: 1, 2, 4, … below the
 * machine's logical cores, and all of them.
 */
export function wasmThreadCounts(cores: number = defaultThreads()): number[] {
  const counts: number[] = [];
  for (let t = 1; t < cores; t *= 2) counts.push(t);
  return [...counts, cores];
}

/**
 * Every built-in backend that can be created here, and why the others cannot.
 * The wasm backend comes once per {@linkcode wasmThreadCounts} count: named
 * "wasm" on all the machine's cores (its default), "wasm-t1", "wasm-t2", … on fewer.
 */
export function availableBackends(only?: readonly string[]): { backends: Backend[]; missing: string[] } {
  const registry = createRegistry();
  const backends: Backend[] = [];
  const missing: string[] = [];
  for (const { name } of registry.list("backend")) {
    if (only !== undefined && !only.includes(name)) continue;
    try {
      if (name !== "wasm") {
        backends.push(registry.create("backend", name) as Backend);
        continue;
      }
      const counts = wasmThreadCounts();
      for (const threads of counts) {
        const backend = registry.create("backend", name, { threads }) as Backend;
        backends.push(threads === counts.at(-1) ? backend : { ...backend, name: `wasm-t${threads}` });
      }
    } catch (error) {
      missing.push(`${name}: ${(error as Error).message}`);
    }
  }
  return { backends, missing };
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Times the backend's float32 kernel on one case: a warm-up call, then `reps`
 * calls (at least `minMs` in all); returns the median milliseconds per call.
 */
export function timeMatmul(backend: Backend, c: MatmulCase, reps = 9, minMs = 200): number {
  const a = filled(c.m * c.k, 1), b = filled(c.k * c.n, 2), out = new Float32Array(c.m * c.n);
  backend.matmul(a, b, out, c.m, c.n, c.k, c.transposeA, c.transposeB);
  const times: number[] = [];
  const start = performance.now();
  while (times.length < reps || (performance.now() - start < minMs && times.length < 1000)) {
    const t = performance.now();
    backend.matmul(a, b, out, c.m, c.n, c.k, c.transposeA, c.transposeB);
    times.push(performance.now() - t);
  }
  return median(times);
}
