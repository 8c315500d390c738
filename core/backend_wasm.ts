/**
 * The WebAssembly SIMD matrix product: a packed, register-tiled kernel
 * compiled from `wasm/gemm.c` (the bytes are embedded, so it needs no
 * permission and no native code). It is the default backend's `matmul`
 * wherever the engine supports WebAssembly SIMD; the other kernels are
 * {@linkcode jsBackend}'s.
 *
 * @module
 */

import { type Backend, jsBackend } from "./backend.ts";
import type { TypedArray } from "./tensor.ts";
import { relaxedBase64, simdBase64 } from "./wasm/gemm_wasm.ts";

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
 * Whether this engine runs the WebAssembly SIMD kernel.
 *
 * @returns `true` when the SIMD build validates.
 *
 * @example
 * ```ts
 * import { wasmSimdSupported } from "./backend_wasm.ts";
 *
 * console.log(wasmSimdSupported());
 * ```
 */
export function wasmSimdSupported(): boolean {
  return WebAssembly.validate(decode(simdBase64));
}

/**
 * A backend whose matrix product runs in WebAssembly SIMD: both operands are
 * packed into panels (so `A·B`, `Aᵀ·B` and `A·Bᵀ` run at the same speed) and a
 * 4×8 (float32) or 4×4 (float64) register tile accumulates in SIMD registers.
 * Products of at most 4096 multiply-adds stay in TypeScript. Each backend owns
 * its WebAssembly memory, which grows to the largest product seen and is reused.
 *
 * @param relaxed Use relaxed SIMD (fused multiply-add) when the engine has it;
 *   the builds differ only in rounding. @default {true}
 * @returns The backend, named "wasm".
 * @throws {TypeError} On an engine without WebAssembly SIMD.
 *
 * @example
 * ```ts
 * import { createWasmBackend } from "./backend_wasm.ts";
 * import assert from "node:assert/strict";
 *
 * const backend = createWasmBackend();
 * const a = new Float32Array(64 * 64).fill(1);
 * const out = new Float32Array(64 * 64);
 * backend.matmul(a, a, out, 64, 64, 64, false, true);
 * assert.equal(out[0], 64);
 * ```
 */
export function createWasmBackend(relaxed = true): Backend {
  const instance = new WebAssembly.Instance(compile(relaxed), {});
  return { ...jsBackend, name: "wasm", matmul: gemmKernel(instance.exports as unknown as GemmExports) };
}
