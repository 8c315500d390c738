/**
 * The WebAssembly SIMD backend: a packed, register-tiled matrix product
 * compiled from `wasm/gemm.c`, and the default TypeScript kernels for the rest.
 *
 * @module
 */

import { type Backend, jsBackend } from "../../core/backend.ts";
import type { Plugin } from "../../core/interfaces.ts";
import { checkBoolean, checkKeys } from "../../core/options.ts";
import type { TypedArray } from "../../core/tensor.ts";
import { relaxedBase64, simdBase64 } from "./wasm/gemm_wasm.ts";

/** Options for {@linkcode wasm}. */
export interface WasmOptions {
  /**
   * Use relaxed SIMD (fused multiply-add on CPUs that have it) when the engine
   * supports it; otherwise, or when `false`, plain SIMD128 (multiply, then add).
   * The two differ only in rounding. @default {true}
   */
  relaxed?: boolean;
}

interface GemmExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  gemm_f32: GemmFn;
  gemm_f64: GemmFn;
  workspace_f32(width: number): number;
  workspace_f64(width: number): number;
}

type GemmFn = (
  ta: number,
  tb: number,
  m: number,
  n: number,
  k: number,
  a: number,
  b: number,
  c: number,
  i0: number,
  i1: number,
  j0: number,
  j1: number,
  ws: number,
) => void;

/** Products with at most this many multiply-adds stay in TypeScript (the copies would cost more). */
const SMALL = 4096;

const modules = new Map<string, WebAssembly.Module>();

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Compiles (once per process) the build that this engine supports. */
function compile(relaxed: boolean): WebAssembly.Module {
  const key = relaxed ? "relaxed" : "simd";
  let module = modules.get(key);
  if (module === undefined) {
    const bytes = decode(relaxed ? relaxedBase64 : simdBase64);
    if (!WebAssembly.validate(bytes)) {
      if (relaxed) return compile(false);
      throw new TypeError(
        'Cannot create backend "wasm" as this JavaScript engine lacks WebAssembly SIMD: current value is an engine without it (use backend "js")',
      );
    }
    module = new WebAssembly.Module(bytes);
    modules.set(key, module);
  }
  return module;
}

const align = (bytes: number) => (bytes + 63) & ~63;

/** A matmul kernel over one instance of the module: copies in, multiplies, copies out. */
function gemmKernel(exports: GemmExports): Backend["matmul"] {
  const base = align(exports.__heap_base.value as number);
  let f32 = new Float32Array(exports.memory.buffer);
  let f64 = new Float64Array(exports.memory.buffer);
  return (a, b, out, m, n, k, transposeA, transposeB) => {
    const single = a instanceof Float32Array;
    if (
      m * n * k <= SMALL || single !== (b instanceof Float32Array) || single !== (out instanceof Float32Array)
    ) {
      return jsBackend.matmul(a, b, out, m, n, k, transposeA, transposeB);
    }
    const bytes = single ? 4 : 8;
    const pa = base, pb = align(pa + m * k * bytes), pc = align(pb + k * n * bytes), pw = align(pc + m * n * bytes);
    const end = pw + (single ? exports.workspace_f32(n) : exports.workspace_f64(n)) * bytes;
    const memory = exports.memory;
    if (end > memory.buffer.byteLength) {
      try {
        memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
      } catch {
        // Beyond what a 32-bit WebAssembly memory can hold: the TypeScript kernel has no such limit.
        return jsBackend.matmul(a, b, out, m, n, k, transposeA, transposeB);
      }
    }
    if (f32.buffer !== memory.buffer) {
      f32 = new Float32Array(memory.buffer);
      f64 = new Float64Array(memory.buffer);
    }
    const view: TypedArray = single ? f32 : f64;
    const shift = single ? 2 : 3;
    view.set(a.length === m * k ? a : a.subarray(0, m * k), pa >> shift);
    view.set(b.length === k * n ? b : b.subarray(0, k * n), pb >> shift);
    (single ? exports.gemm_f32 : exports.gemm_f64)(
      transposeA ? 1 : 0,
      transposeB ? 1 : 0,
      m,
      n,
      k,
      pa,
      pb,
      pc,
      0,
      m,
      0,
      n,
      pw,
    );
    out.set(view.subarray(pc >> shift, (pc >> shift) + m * n));
  };
}

/**
 * A backend whose matrix product runs in WebAssembly SIMD: both operands are
 * packed into panels (so `A·B`, `Aᵀ·B` and `A·Bᵀ` run at the same speed) and a
 * 4×8 (float32) or 4×4 (float64) register tile accumulates in SIMD registers.
 * It needs no permission and no native code; the other kernels are
 * {@linkcode jsBackend}'s. Products of at most 4096 multiply-adds stay in
 * TypeScript.
 *
 * Each call to `wasm()` owns its own WebAssembly memory, which grows to the
 * largest product seen (inputs, output and packed panels) and is reused.
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
  const instance = new WebAssembly.Instance(compile(relaxed), {});
  return { ...jsBackend, name: "wasm", matmul: gemmKernel(instance.exports as unknown as GemmExports) };
}

/** Registers {@linkcode wasm} as backend "wasm". */
const plugin: Plugin<"backend", WasmOptions> = {
  apiVersion: 1,
  kind: "backend",
  name: "wasm",
  description: "WebAssembly SIMD matrix product (packed, register-tiled); TypeScript for the rest.",
  defaults: { relaxed: true },
  create: wasm,
};
export default plugin;
