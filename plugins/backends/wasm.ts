/**
 * The WebAssembly SIMD backend as a plugin: a packed, register-tiled matrix
 * product compiled from `core/wasm/gemm.c` (split across Web Workers where the
 * engine shares WebAssembly memory with them), a fused Adam step from
 * `core/wasm/adam.c` and float32 elementwise kernels from
 * `core/wasm/elementwise.c`, and the TypeScript kernels for the rest. It is
 * the default backend where the engine supports WebAssembly SIMD.
 *
 * @module
 */

import { createWasmBackend, type WasmBackend } from "../../core/backend_wasm.ts";
import type { Plugin } from "../../core/interfaces.ts";
import { checkBoolean, checkKeys, checkNumber } from "../../core/options.ts";
import { defaultThreads, MAX_THREADS } from "../../core/wasm/thread_pool.ts";

/** Options for {@linkcode wasm}. */
export interface WasmOptions {
  /**
   * Use relaxed SIMD (fused multiply-add on CPUs that have it) in the matrix
   * product when the engine supports it; otherwise, or when `false`, plain
   * SIMD128 (multiply, then add). The two differ only in the product's
   * rounding; the Adam step and the elementwise kernels are the same in both. @default {true}
   */
  relaxed?: boolean;
  /**
   * Threads that share the large matrix products, the calling thread
   * included: an integer from 1 to 64. More than 1 starts `threads − 1` Web
   * Workers on the first large product; where the engine cannot share
   * WebAssembly memory with them (a browser page that is not cross-origin
   * isolated, say) the backend uses 1. Results are the same, bit for bit, on
   * any number of threads. @default {navigator.hardwareConcurrency}
   */
  threads?: number;
}

/**
 * A backend whose matrix product runs in WebAssembly SIMD: both operands are
 * packed into panels (so `A·B`, `Aᵀ·B` and `A·Bᵀ` run at the same speed) and a
 * 4×8 (float32) or 4×4 (float64) register tile accumulates in SIMD registers.
 * The float32 Adam step (`adamStep`) runs four lanes at a time with exactly
 * the rounding of the TypeScript kernel (see `AdamStepScalars` in
 * core/backend.ts); float64 steps stay in TypeScript. So do, on float32
 * arrays only and with the TypeScript kernels' results bit for bit (NaN and
 * signed zeros included): `unary` relu, step, neg, abs, square and sqrt;
 * `binary` add, sub, mul and div on equal shapes, with a scalar on either
 * side, or a row `[cols]` against `[rows, cols]`; the fused bias + activation
 * (`biasActivation`); and column sums (`reduce` sum with `inner > 1`,
 * accumulated in double in the TypeScript kernel's order). It needs no
 * permission and no native code; the other kernels, float64 and mixed-dtype
 * calls, and other broadcasts are {@linkcode jsBackend}'s. Products of at
 * most 4096 multiply-adds, Adam steps on fewer than 1024 elements and
 * elementwise calls on fewer than 512 stay in TypeScript (copying the arrays
 * into WebAssembly memory and back would cost more).
 *
 * Each call to `wasm()` owns its own WebAssembly memory, which grows to the
 * largest call seen (a product's inputs, output and packed panels, an Adam
 * step's gradient and moments, or a 64 KB chunk per array of an elementwise
 * call) and is reused; with threads, a second, shared one holds the products
 * that are split.
 *
 * With `threads` above 1 (the default: the machine's logical cores), a
 * product of at least 2¹⁹ multiply-adds is split into bands of output rows or
 * columns, one per thread, run by Web Workers on the same memory and by the
 * calling thread, which waits for the last band (`Atomics.wait`; on a
 * browser's main thread, where that is not allowed, it spins). Each element
 * is accumulated in the same order as on one thread, so results do not depend
 * on the thread count. The workers start from inline source (no worker file
 * to serve or bundle) and do not keep a Deno script from exiting. Shared
 * WebAssembly memory needs `SharedArrayBuffer`: in a browser, a page served
 * cross-origin isolated (`Cross-Origin-Opener-Policy: same-origin`,
 * `Cross-Origin-Embedder-Policy: require-corp`); elsewhere the backend runs on
 * the calling thread (its `threads` says 1).
 *
 * @param options `relaxed`, `threads`.
 * @returns The backend, named "wasm", with the `threads` it uses.
 * @throws {TypeError} For an unknown option, a non-boolean `relaxed`, a non-number `threads`, or an engine
 *   without WebAssembly SIMD.
 * @throws {RangeError} For `threads` that is not an integer from 1 to 64.
 *
 * @example Make it the active backend for a product, then restore the previous one
 * ```ts
 * import { wasm } from "./wasm.ts";
 * import { setBackend } from "../../core/backend.ts";
 * import { matmul } from "../../core/ops/mod.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const previous = setBackend(wasm());
 * try {
 *   const a = tensor(Array.from({ length: 64 }, (_, i) => [i, 1]), undefined, "float32");
 *   const c = matmul(a, a, { transposeA: true }); // [2, 64] · [64, 2]
 *   assert.deepEqual(c.toArray(), [[85344, 2016], [2016, 64]]);
 * } finally {
 *   setBackend(previous);
 * }
 * ```
 *
 * @example On one thread: the same bits as on two
 * ```ts
 * import { wasm } from "./wasm.ts";
 * import assert from "node:assert/strict";
 *
 * const one = wasm({ threads: 1 }), two = wasm({ threads: 2 });
 * assert.equal(one.threads, 1);
 * const a = Float32Array.from({ length: 256 * 300 }, (_, i) => Math.sin(i));
 * const c1 = new Float32Array(256 * 256), c2 = new Float32Array(256 * 256);
 * one.matmul(a, a, c1, 256, 256, 300, false, true);
 * two.matmul(a, a, c2, 256, 256, 300, false, true);
 * assert.deepEqual(c2, c1);
 * ```
 */
export function wasm(options: WasmOptions = {}): WasmBackend {
  const owner = 'backend "wasm"';
  checkKeys(owner, options, ["relaxed", "threads"]);
  const relaxed = checkBoolean(owner, "relaxed", options.relaxed, true);
  const threads = checkNumber(owner, "threads", options.threads, defaultThreads(), {
    min: 1,
    max: MAX_THREADS,
    integer: true,
  });
  return createWasmBackend(relaxed, threads);
}

/** Registers {@linkcode wasm} as backend "wasm". */
const plugin: Plugin<"backend", WasmOptions> = {
  apiVersion: 1,
  kind: "backend",
  name: "wasm",
  description:
    "WebAssembly SIMD matrix product (packed, register-tiled), Adam step and float32 elementwise kernels; TypeScript for the rest.",
  defaults: { relaxed: true, threads: defaultThreads() },
  create: wasm,
};
export default plugin;
