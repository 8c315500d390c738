/**
 * The WebAssembly SIMD backend as a plugin: a packed, register-tiled matrix
 * product compiled from `core/wasm/gemm.c`, a fused Adam step from
 * `core/wasm/adam.c` and float32 elementwise kernels from
 * `core/wasm/elementwise.c`, and the TypeScript kernels for the rest. It is
 * the default backend where the engine supports WebAssembly SIMD.
 *
 * @module
 */

import type { Backend } from "../../core/backend.ts";
import { createWasmBackend } from "../../core/backend_wasm.ts";
import type { Plugin } from "../../core/interfaces.ts";
import { checkBoolean, checkKeys } from "../../core/options.ts";

/** Options for {@linkcode wasm}. */
export interface WasmOptions {
  /**
   * Use relaxed SIMD (fused multiply-add on CPUs that have it) in the matrix
   * product when the engine supports it; otherwise, or when `false`, plain
   * SIMD128 (multiply, then add). The two differ only in the product's
   * rounding; the Adam step and the elementwise kernels are the same in both. @default {true}
   */
  relaxed?: boolean;
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
 * call) and is reused.
 *
 * @param options `relaxed`.
 * @returns The backend, named "wasm".
 * @throws {TypeError} For an unknown option, a non-boolean `relaxed`, or an engine without WebAssembly SIMD.
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
 */
export function wasm(options: WasmOptions = {}): Backend {
  const owner = 'backend "wasm"';
  checkKeys(owner, options, ["relaxed"]);
  const relaxed = checkBoolean(owner, "relaxed", options.relaxed, true);
  return createWasmBackend(relaxed);
}

/** Registers {@linkcode wasm} as backend "wasm". */
const plugin: Plugin<"backend", WasmOptions> = {
  apiVersion: 1,
  kind: "backend",
  name: "wasm",
  description:
    "WebAssembly SIMD matrix product (packed, register-tiled), Adam step and float32 elementwise kernels; TypeScript for the rest.",
  defaults: { relaxed: true },
  create: wasm,
};
export default plugin;
