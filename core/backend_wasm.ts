/**
 * The WebAssembly SIMD kernels: a packed, register-tiled matrix product
 * compiled from `wasm/gemm.c`, the fused Adam step from `wasm/adam.c` and the
 * float32 elementwise kernels from `wasm/elementwise.c` (one module; the bytes
 * are embedded, so it needs no permission and no native code). They are the
 * default backend's `matmul`, `adamStep`, float32 `unary`, `binary`,
 * `biasActivation`, `reluBackward`, column sums and 2×2 `maxPool2d`, and
 * `allFinite`, wherever
 * the engine supports WebAssembly SIMD; the other kernels, dtypes and shapes
 * are {@linkcode jsBackend}'s.
 * Where the engine shares WebAssembly memory between threads, large products
 * are split across Web Workers (`wasm/threads.c`, `wasm/thread_pool.ts`).
 *
 * @module
 */

import { type Backend, type BinaryKernel, jsBackend, type UnaryKernel, type Window2d } from "./backend.ts";
import type { TypedArray } from "./tensor.ts";
import { memoryImport, relaxedBase64, simdBase64 } from "./wasm/kernels_wasm.ts";
import {
  createThreadPool,
  defaultThreads,
  MAX_THREADS,
  type ThreadPool,
  threadsSupported,
} from "./wasm/thread_pool.ts";

/** The wasm backend: a {@linkcode Backend} that also says how many threads its kernels use. */
export interface WasmBackend extends Backend {
  /**
   * The threads its large matrix products are split across, the calling thread included: the
   * `threads` it was created with where the engine shares WebAssembly memory with Web Workers, else 1.
   */
  readonly threads: number;
}

interface KernelExports {
  __heap_base: WebAssembly.Global;
  gemm_f32: GemmFn;
  gemm_f64: GemmFn;
  workspace_f32(width: number): number;
  workspace_f64(width: number): number;
  adam_f32: AdamFn;
  /** threads.c: the size of a job block, the job posts, and a thread's share of a job. */
  job_bytes(): number;
  post_gemm(
    job: number,
    f64: number,
    ta: number,
    tb: number,
    m: number,
    n: number,
    k: number,
    a: number,
    b: number,
    c: number,
    byRows: number,
    ws: number,
    wsBytes: number,
    parts: number,
  ): void;
  work(job: number, thread: number): void;
  /** elementwise.c: `${op}_f32`, `${op}_scalar_f32`, … (see {@linkcode elementwiseKernels}). */
  [kernel: string]: unknown;
}

/**
 * `adam_f32(g, m, v, p, n, w1, β2, w2, bc, ε, −stepSize)`: in place; g becomes the update, or with a
 * parameter (p ≠ 0), p becomes the new parameter (see adam.c).
 */
type AdamFn = (
  g: number,
  m: number,
  v: number,
  p: number,
  n: number,
  w1: number,
  beta2: number,
  w2: number,
  biasCorrection2Sqrt: number,
  epsilon: number,
  negStepSize: number,
) => void;

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

/** Adam steps on fewer elements than this stay in TypeScript (the call and copies would cost more). */
const SMALL_ADAM = 1024;

/**
 * Adam steps run in chunks of this many bytes per array, so the three scratch
 * arrays stay in the L2 cache between the copy in, the kernel and the copy out.
 */
const ADAM_CHUNK_BYTES = 65536;

const modules = new Map<string, WebAssembly.Module>();

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * The bytes of a build: relaxed SIMD or plain SIMD128, its memory import
 * shared, or not (the shared bit of the import's limits cleared: the same
 * code, for an ordinary memory).
 */
function moduleBytes(relaxed: boolean, shared: boolean): Uint8Array<ArrayBuffer> {
  const bytes = decode(relaxed ? relaxedBase64 : simdBase64);
  if (!shared) bytes[memoryImport.flagsOffset] &= ~2;
  return bytes;
}

/**
 * Compiles (once per process) the build that this engine supports: relaxed
 * SIMD when asked and supported, else SIMD128; `null` when the engine cannot
 * compile the shared-memory build.
 */
function compile(relaxed: boolean, shared: boolean): WebAssembly.Module | null {
  const key = `${relaxed ? "relaxed" : "simd"} ${shared ? "shared" : "unshared"}`;
  let module = modules.get(key);
  if (module === undefined) {
    const bytes = moduleBytes(relaxed, shared);
    if (!WebAssembly.validate(bytes)) {
      if (relaxed) return compile(false, shared);
      if (shared) return null;
      throw new TypeError(
        'Cannot create backend "wasm" as this JavaScript engine lacks WebAssembly SIMD: current value is an engine without it (use backend "js")',
      );
    }
    module = new WebAssembly.Module(bytes);
    modules.set(key, module);
  }
  return module;
}

/**
 * A memory for the module: shared (for threads) at the module's maximum, else
 * at 2 GiB where the engine reserves less; `null` when the engine refuses a
 * shared one. An unshared one always succeeds.
 */
function createMemory(shared: boolean): WebAssembly.Memory | null {
  const maxima = shared ? [memoryImport.maximumPages, 32768] : [memoryImport.maximumPages];
  for (const maximum of maxima) {
    try {
      return new WebAssembly.Memory({ initial: memoryImport.initialPages, maximum, shared });
    } catch (error) {
      if (!shared) throw error;
    }
  }
  return null;
}

const align = (bytes: number) => (bytes + 63) & ~63;

/** An instance of the module on a memory of its own: its exports, memory, job block and scratch region. */
interface Instance {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  exports: KernelExports;
  /** The byte address of threads.c's job block (used on a shared memory only). */
  job: number;
  scratch: Scratch;
}

/** Instantiates the build on a fresh memory, shared or not; `null` when a shared one is unavailable. */
function instantiate(relaxed: boolean, shared: boolean): Instance | null {
  const module = compile(relaxed, shared);
  const memory = module && createMemory(shared);
  if (module === null || memory === null) return null;
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
  const job = align(exports.__heap_base.value as number);
  return { module, memory, exports, job, scratch: new Scratch(memory, job + exports.job_bytes()) };
}

/**
 * The bytes of WebAssembly memory an instance settles on once it holds
 * resident buffers (1 GiB: untouched pages cost no physical memory).
 */
const RESIDENT_CAPACITY = 1 << 30;

/**
 * The memory of one instance. From `__heap_base` up lies the scratch region,
 * shared by the kernels (each call lays out its own arrays from its start):
 * it grows to the largest call seen and is reused. From the top down lie
 * resident buffers ({@linkcode Scratch.allocate}): tensors that live in this
 * memory, so the kernels use them without copying. Growing a memory replaces
 * its buffer and empties every view of the old one, so before the first
 * resident buffer the memory grows once to {@linkcode RESIDENT_CAPACITY} and
 * never again; from then on a call whose scratch would reach the resident
 * buffers gets `false` from `reserve` (and runs in TypeScript).
 */
class Scratch {
  readonly base: number;
  f32: Float32Array;
  f64: Float64Array;
  i32: Int32Array;
  /** The lowest byte of the resident buffers (the memory's end while there are none). */
  #floor = Infinity;
  /** Freed resident regions, for reuse. */
  #free: { offset: number; bytes: number }[] = [];
  /** Frees a resident region once the engine has collected the view over it. */
  #registry = new FinalizationRegistry<{ offset: number; bytes: number }>((region) => this.#free.push(region));
  constructor(readonly memory: WebAssembly.Memory, heapBase: number) {
    this.base = align(heapBase);
    this.f32 = new Float32Array(memory.buffer);
    this.f64 = new Float64Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
  }
  /** Makes bytes `[0, end)` addressable for scratch; `false` when the memory cannot hold them. */
  reserve(end: number): boolean {
    const memory = this.memory;
    if (end > this.#floor) return false;
    if (end > memory.buffer.byteLength) {
      try {
        memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
      } catch {
        return false;
      }
    }
    if (this.f32.buffer !== memory.buffer) {
      this.f32 = new Float32Array(memory.buffer);
      this.f64 = new Float64Array(memory.buffer);
      this.i32 = new Int32Array(memory.buffer);
    }
    return true;
  }
  /** Whether `x` is a view of this memory (one of its resident buffers, or scratch). */
  holds(x: TypedArray): boolean {
    return x.buffer === this.memory.buffer;
  }
  /**
   * A zeroed float32 buffer of `size` elements in this memory, or `null` when
   * there is no room (the scratch region in use reaches it, or the capacity is spent).
   */
  allocate(size: number): Float32Array | null {
    const bytes = align(size * 4);
    if (this.#floor === Infinity) {
      const used = this.memory.buffer.byteLength;
      if (used < RESIDENT_CAPACITY) {
        try {
          this.memory.grow((RESIDENT_CAPACITY - used) / 65536);
        } catch {
          return null;
        }
      }
      this.reserve(0); // refresh the views
      this.#floor = this.memory.buffer.byteLength;
    }
    const reuse = this.#free.findIndex((region) => region.bytes >= bytes);
    let region: { offset: number; bytes: number };
    if (reuse >= 0) {
      region = this.#free.splice(reuse, 1)[0];
    } else {
      region = { offset: this.#floor - bytes, bytes };
      if (region.offset < this.base + SCRATCH_HEADROOM) return null;
      this.#floor = region.offset;
    }
    const view = new Float32Array(this.memory.buffer, region.offset, size).fill(0);
    this.#registry.register(view, region);
    return view;
  }
}

/** Scratch kept free below the resident buffers: 64 MiB, more than a chunked kernel or a 2048² product needs. */
const SCRATCH_HEADROOM = 64 << 20;

/**
 * Each thread's share of a product is at least this many multiply-adds (10–15 µs on one core): a smaller
 * product runs on fewer threads, and one below twice this on the calling thread alone.
 */
const MIN_PART_MACS = 1 << 18;

/**
 * A matmul kernel: copies in, multiplies, copies out. Products run on `own` (the instance on an ordinary
 * memory), except, with `threaded`, those large enough to split: they run on its instance (on a shared
 * memory), split into bands of output rows (when m ≥ n; 4 rows at a time) or of output columns (one register
 * tile at a time), one band per thread. Each element of C is accumulated exactly as in one call, so the result
 * is the same, bit for bit, on any number of threads.
 */
function gemmKernel(own: Instance, threaded: (Instance & { pool: ThreadPool }) | null): Backend["matmul"] {
  return (a, b, out, m, n, k, transposeA, transposeB) => {
    const single = a instanceof Float32Array;
    if (
      m * n * k <= SMALL || single !== (b instanceof Float32Array) || single !== (out instanceof Float32Array)
    ) {
      return jsBackend.matmul(a, b, out, m, n, k, transposeA, transposeB);
    }
    const bytes = single ? 4 : 8, tile = single ? 8 : 4;
    const byRows = m >= n, units = byRows ? Math.ceil(m / 4) : Math.ceil(n / tile);
    const threads = threaded?.pool.threads ?? 1;
    /** Where a product on `parts` bands lies in `instance`'s scratch: A, B, C, then a workspace per thread. */
    const plan = (instance: Instance, parts: number) => {
      const { exports, scratch } = instance;
      const pa = scratch.base, pb = align(pa + m * k * bytes), pc = align(pb + k * n * bytes);
      const pw = align(pc + m * n * bytes);
      // Any thread may claim any band: one workspace per thread, for the widest band.
      const width = byRows || parts === 1 ? n : Math.ceil(units / parts) * tile;
      const wsBytes = align((single ? exports.workspace_f32(width) : exports.workspace_f64(width)) * bytes);
      const fits = scratch.reserve(pw + (parts > 1 ? threads : 1) * wsBytes);
      return { exports, scratch, parts, pa, pb, pc, pw, wsBytes, fits };
    };
    const parts = Math.max(1, Math.min(threads, units, Math.floor((m * n * k) / MIN_PART_MACS)));
    let p = parts > 1 ? plan(threaded!, parts) : plan(own, 1);
    if (!p.fits && parts > 1) p = plan(own, 1);
    // Beyond what a 32-bit WebAssembly memory can hold: the TypeScript kernel has no such limit.
    if (!p.fits) return jsBackend.matmul(a, b, out, m, n, k, transposeA, transposeB);
    const { exports, scratch, pa, pb, pc, pw, wsBytes } = p;
    const view: TypedArray = single ? scratch.f32 : scratch.f64;
    const shift = single ? 2 : 3;
    view.set(a.length === m * k ? a : a.subarray(0, m * k), pa >> shift);
    view.set(b.length === k * n ? b : b.subarray(0, k * n), pb >> shift);
    const ta = transposeA ? 1 : 0, tb = transposeB ? 1 : 0;
    if (p.parts > 1) {
      threaded!.pool.run(
        parts,
        (job) =>
          exports.post_gemm(job, single ? 0 : 1, ta, tb, m, n, k, pa, pb, pc, byRows ? 1 : 0, pw, wsBytes, parts),
      );
    } else {
      (single ? exports.gemm_f32 : exports.gemm_f64)(ta, tb, m, n, k, pa, pb, pc, 0, m, 0, n, pw);
    }
    out.set(view.subarray(pc >> shift, (pc >> shift) + m * n));
  };
}

/**
 * An Adam kernel over one instance of the module: chunk by chunk, copies
 * float32 grad, m and v (and the parameter, when the step applies itself) in,
 * steps them in place (f32x4 lanes), copies m′, v′ and the update (or the new
 * parameter) out. A chunk's inputs are all copied before any of its
 * outputs is written, so outputs may alias inputs. Small, float64 and
 * mixed-dtype calls run {@linkcode jsBackend}'s, which rounds identically
 * (float64 because two-lane division and square root are no faster than
 * the scalar loop, and the copies then cost extra: see wasm/adam.c).
 * It runs on the calling thread only: split across two cores, the step (a
 * few arithmetic operations per element, copied in and out by the calling
 * thread) was no faster, whole or chunk by chunk (measured on 200 704 elements).
 */
function adamKernel(exports: KernelExports, scratch: Scratch): NonNullable<Backend["adamStep"]> {
  const js = jsBackend.adamStep!;
  return (grad, m, v, outM, outV, outUpdate, scalars, param) => {
    const n = grad.length;
    const f32 = Float32Array;
    if (
      n < SMALL_ADAM || !(grad instanceof f32) || !(m instanceof f32) || !(v instanceof f32) ||
      !(outM instanceof f32) || !(outV instanceof f32) || !(outUpdate instanceof f32) ||
      m.length !== n || v.length !== n || outM.length !== n || outV.length !== n || outUpdate.length !== n ||
      (param !== undefined && (!(param instanceof f32) || param.length !== n))
    ) {
      return js(grad, m, v, outM, outV, outUpdate, scalars, param);
    }
    const chunk = Math.min(n, ADAM_CHUNK_BYTES / 4);
    const pg = scratch.base, pm = align(pg + chunk * 4), pv = align(pm + chunk * 4), pp = align(pv + chunk * 4);
    if (!scratch.reserve(align(pp + chunk * 4))) return js(grad, m, v, outM, outV, outUpdate, scalars, param);
    const view = scratch.f32;
    const ig = pg >> 2, im = pm >> 2, iv = pv >> 2, ip = pp >> 2;
    // The f32 kernel's parameters are f32: the engine rounds each scalar to float32 on the call.
    const w1 = 1 - scalars.beta1, b2 = scalars.beta2, w2 = 1 - scalars.beta2;
    const bc = scalars.biasCorrection2Sqrt, eps = scalars.epsilon, negStep = -scalars.stepSize;
    // The kernel writes the update over g, or with a parameter, the new parameter over p.
    const result = param === undefined ? ig : ip;
    // Moments that live in this memory (allocated by the backend) and are stepped in place are not copied.
    const resident = outM === m && outV === v && scratch.holds(m) && scratch.holds(v);
    for (let start = 0; start < n; start += chunk) {
      const end = Math.min(n, start + chunk), len = end - start;
      view.set(grad.subarray(start, end), ig);
      if (!resident) {
        view.set(m.subarray(start, end), im);
        view.set(v.subarray(start, end), iv);
      }
      if (param !== undefined) view.set(param.subarray(start, end), ip);
      const [km, kv] = resident ? [m.byteOffset + 4 * start, v.byteOffset + 4 * start] : [pm, pv];
      exports.adam_f32(pg, km, kv, param === undefined ? 0 : pp, len, w1, b2, w2, bc, eps, negStep);
      if (!resident) {
        outM.set(view.subarray(im, im + len), start);
        outV.set(view.subarray(iv, iv + len), start);
      }
      outUpdate.set(view.subarray(result, result + len), start);
    }
  };
}

/**
 * Float32 elementwise calls on fewer elements than this stay in TypeScript (the copies and the call would cost
 * more: measured, the WebAssembly path is 1.3–1.7 times faster at 256 elements and 1.7–3 times at 512).
 */
const SMALL_ELEMENTWISE = 512;

/**
 * Elementwise calls run in chunks of this many float32 elements per array (64 KB), so a chunk stays in
 * the L2 cache from the copy in, through the kernel, to the copy out, and the scratch region stays small.
 */
const CHUNK = 16384;

/** The unary kernels of elementwise.c; the others (exp, log, tanh, …) stay in TypeScript. */
const UNARY_OPS = ["relu", "step", "neg", "abs", "square", "sqrt"] as const;

/** The binary kernels of elementwise.c; maximum, minimum, pow and the comparisons stay in TypeScript. */
const BINARY_OPS = ["add", "sub", "mul", "div"] as const;

/** `f(x, n)`: `x[i] = f(x[i])`, in place. */
type UnaryFn = (x: number, n: number) => void;
/** `f(a, b, n)`: `a[i] = a[i] op b[i]`; with a number `b` (`_scalar`), `a[i] = a[i] op b`. */
type PairFn = (a: number, b: number, n: number) => void;
/** `f(x, b, n)` (`_scalar_left`): `b[i] = x op b[i]`. */
type LeftFn = (x: number, b: number, n: number) => void;
/**
 * `f(x, out, indices, planes, height, width, outHeight, outWidth, first)`: 2×2 max pooling with stride 2 of
 * `planes` planes, the indices counted from `first` (see elementwise.c).
 */
type MaxPoolFn = (
  x: number,
  out: number,
  indices: number,
  planes: number,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
  first: number,
) => void;
/** `f(x, n)`: a test of `x[0..n)` (1 or 0) that only reads it. */
type ScanFn = (x: number, n: number) => number;
/** `f(a, b, rows, cols)`: `a[r, c] = a[r, c] op b[c]` (`_rows`), or `b[r, c] = a[c] op b[r, c]` (`_rows_left`). */
type RowsFn = (a: number, b: number, rows: number, cols: number) => void;

/**
 * Whether `x` shares memory with `out` without being exactly its elements (then the order of the TypeScript
 * loop's reads and writes decides the result, and the chunked copies would not reproduce it).
 */
function overlapsPartly(x: TypedArray, out: TypedArray): boolean {
  if (x.buffer !== out.buffer || (x.byteOffset === out.byteOffset && x.length === out.length)) return false;
  return x.byteOffset < out.byteOffset + out.byteLength && out.byteOffset < x.byteOffset + x.byteLength;
}

/**
 * Runs an in-place kernel over `out.length` float32 elements, chunk by chunk: copies the chunk of `first`
 * (and of `second`, of the same length) into scratch, calls `run(pFirst, pSecond, length)`, which leaves the
 * result where `first`'s chunk was, and copies that to `out`. A chunk is read before it is written, so
 * `out` may be `first` or `second`. `false`, having done nothing, when the scratch cannot hold a chunk.
 */
function streamed(
  scratch: Scratch,
  first: Float32Array,
  second: Float32Array | undefined,
  out: Float32Array,
  run: (p: number, q: number, n: number) => void,
): boolean {
  const n = out.length, chunk = Math.min(n, CHUNK);
  const p = scratch.base, q = align(p + chunk * 4);
  if (!scratch.reserve(second === undefined ? q : align(q + chunk * 4))) return false;
  const view = scratch.f32, ip = p >> 2, iq = q >> 2;
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk), len = end - start;
    view.set(len === n ? first : first.subarray(start, end), ip);
    if (second !== undefined) view.set(len === n ? second : second.subarray(start, end), iq);
    run(p, q, len);
    out.set(view.subarray(ip, ip + len), start);
  }
  return true;
}

/**
 * 2×2 max pooling with stride 2 (see elementwise.c), chunk by chunk of whole planes: copies the planes in
 * (or reads them where they are, when `x` lives in this memory), pools them, and copies the maxima and their
 * indices out. `false`, having done nothing, when the scratch cannot hold a chunk.
 */
function pooledByPlanes(
  scratch: Scratch,
  kernel: MaxPoolFn,
  x: Float32Array,
  out: Float32Array,
  indices: Int32Array,
  w: Window2d,
  planes: number,
  plane: number,
  positions: number,
): boolean {
  const resident = scratch.holds(x), chunk = Math.max(1, Math.min(planes, Math.floor(CHUNK / plane)));
  const px = scratch.base, po = resident ? px : align(px + chunk * plane * 4), pi = align(po + chunk * positions * 4);
  if (!scratch.reserve(align(pi + chunk * positions * 4))) return false;
  for (let p0 = 0; p0 < planes; p0 += chunk) {
    const p1 = Math.min(planes, p0 + chunk), count = p1 - p0;
    let from = x.byteOffset + p0 * plane * 4;
    if (!resident) {
      scratch.f32.set(count === planes ? x : x.subarray(p0 * plane, p1 * plane), px >> 2);
      from = px;
    }
    kernel(from, po, pi, count, w.height, w.width, w.outHeight, w.outWidth, p0 * plane);
    out.set(scratch.f32.subarray(po >> 2, (po >> 2) + count * positions), p0 * positions);
    indices.set(scratch.i32.subarray(pi >> 2, (pi >> 2) + count * positions), p0 * positions);
  }
  return true;
}

/**
 * Runs a read-only test over all of `x` (float32 or float64), chunk by chunk, stopping at the first chunk for
 * which `test(pointer, length)` gives 0: `true` when every chunk passes. An array that lives in this memory
 * (a resident buffer) is read where it is, without copying. `null`, having done nothing, when the scratch
 * cannot hold a chunk.
 */
function scanned(scratch: Scratch, x: Float32Array | Float64Array, test: ScanFn): boolean | null {
  const n = x.length;
  if (scratch.holds(x)) return test(x.byteOffset, n) !== 0;
  const bytes = x.BYTES_PER_ELEMENT, chunk = Math.min(n, (CHUNK * 4) / bytes), p = scratch.base;
  if (!scratch.reserve(p + chunk * bytes)) return null;
  const view = bytes === 4 ? scratch.f32 : scratch.f64, at = p / bytes;
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    view.set(end - start === n ? x : x.subarray(start, end), at);
    if (test(p, end - start) === 0) return false;
  }
  return true;
}

/**
 * Runs an in-place row kernel over a `rows×cols` float32 matrix: copies `row` (its first `cols` elements)
 * into scratch once, then whole rows of `matrix` chunk by chunk, calls `run(pMatrix, pRow, rowsInChunk)`,
 * which leaves the result where the matrix chunk was, and copies that to `out`. `out` may be `matrix`.
 */
function byRows(
  scratch: Scratch,
  matrix: Float32Array,
  row: Float32Array,
  out: Float32Array,
  rows: number,
  cols: number,
  run: (pMatrix: number, pRow: number, rows: number) => void,
): boolean {
  const chunkRows = Math.max(1, Math.min(rows, Math.floor(CHUNK / cols)));
  const pr = scratch.base, pm = align(pr + cols * 4);
  if (!scratch.reserve(align(pm + chunkRows * cols * 4))) return false;
  const view = scratch.f32, ir = pr >> 2, im = pm >> 2;
  view.set(row.length === cols ? row : row.subarray(0, cols), ir);
  for (let r0 = 0; r0 < rows; r0 += chunkRows) {
    const r1 = Math.min(rows, r0 + chunkRows), len = (r1 - r0) * cols;
    view.set(len === matrix.length ? matrix : matrix.subarray(r0 * cols, r1 * cols), im);
    run(pm, pr, r1 - r0);
    out.set(view.subarray(im, im + len), r0 * cols);
  }
  return true;
}

/**
 * Column sums of `x` viewed as `[outer, n, inner]`, as jsBackend's: for each outer block, a double
 * accumulator per column (in scratch) receives the rows in order, chunk by chunk of whole rows, and is
 * rounded to float32 once (`out.set` of the float64 accumulators, as the TypeScript kernel does).
 */
function sumColumns(
  scratch: Scratch,
  kernel: RowsFn,
  x: Float32Array,
  outer: number,
  n: number,
  inner: number,
  out: Float32Array,
): boolean {
  const chunkRows = Math.max(1, Math.min(n, Math.floor(CHUNK / inner)));
  const pa = scratch.base, px = align(pa + inner * 8);
  if (!scratch.reserve(align(px + chunkRows * inner * 4))) return false;
  const f64 = scratch.f64, f32 = scratch.f32, ia = pa >> 3, ix = px >> 2;
  for (let o = 0; o < outer; o++) {
    f64.fill(0, ia, ia + inner);
    for (let k0 = 0; k0 < n; k0 += chunkRows) {
      const k1 = Math.min(n, k0 + chunkRows);
      f32.set(x.subarray((o * n + k0) * inner, (o * n + k1) * inner), ix);
      kernel(px, pa, k1 - k0, inner);
    }
    out.set(f64.subarray(ia, ia + inner), o * inner);
  }
  return true;
}

/**
 * The float32 elementwise kernels of elementwise.c over one instance of the module: unary relu, step,
 * neg, abs, square and sqrt; binary add, sub, mul and div on equal lengths, a scalar on either side, or
 * a row broadcast (`[rows, cols] op [cols]` and `[cols] op [rows, cols]`); the fused bias + activation;
 * ReLU's VJP; column sums (`inner > 1`); 2×2 max pooling with stride 2 and no padding (whole planes at a
 * time); and the finiteness check `allFinite` (float32 and float64). Each copies its inputs into scratch
 * chunk by chunk, runs in place and copies the result out, giving jsBackend's bits (see elementwise.c);
 * the finiteness check and the pooling read an array that lives in this memory where it is. Calls on
 * fewer than {@linkcode SMALL_ELEMENTWISE} elements, with an array that is not a Float32Array, with an
 * output that overlaps an input other than exactly, and every other kernel and shape run
 * {@linkcode jsBackend}'s.
 */
function elementwiseKernels(
  exports: KernelExports,
  scratch: Scratch,
): Pick<Backend, "unary" | "binary" | "reduce" | "biasActivation" | "reluBackward" | "allFinite" | "maxPool2d"> {
  const fn = <F>(name: string) => exports[name] as F;
  const unaryFns = new Map<UnaryKernel, UnaryFn>(UNARY_OPS.map((op) => [op, fn(`${op}_f32`)]));
  const binaryFns = new Map<
    BinaryKernel,
    { same: PairFn; right: PairFn; left: LeftFn; rows: RowsFn; rowsLeft: RowsFn }
  >(
    BINARY_OPS.map((op) => [op, {
      same: fn(`${op}_f32`),
      right: fn(`${op}_scalar_f32`),
      left: fn(`${op}_scalar_left_f32`),
      rows: fn(`${op}_rows_f32`),
      rowsLeft: fn(`${op}_rows_left_f32`),
    }]),
  );
  const biasNone = binaryFns.get("add")!.rows, biasRelu = fn<RowsFn>("add_relu_rows_f32");
  const columns = fn<RowsFn>("sum_columns_f32"), reluGrad = fn<PairFn>("relu_backward_f32");
  const finiteF32 = fn<ScanFn>("all_finite_f32"), finiteF64 = fn<ScanFn>("all_finite_f64");
  const maxPool = fn<MaxPoolFn>("max_pool_2x2_f32");
  const f32 = Float32Array;
  return {
    unary(op, x, out) {
      const kernel = unaryFns.get(op);
      if (
        kernel !== undefined && out.length >= SMALL_ELEMENTWISE && x instanceof f32 && out instanceof f32 &&
        x.length === out.length && !overlapsPartly(x, out) &&
        streamed(scratch, x, undefined, out, (p, _, n) => kernel(p, n))
      ) return;
      jsBackend.unary(op, x, out);
    },
    binary(op, a, aShape, b, bShape, out, outShape) {
      const k = binaryFns.get(op), size = out.length;
      if (
        k !== undefined && size >= SMALL_ELEMENTWISE && a instanceof f32 && b instanceof f32 && out instanceof f32 &&
        !overlapsPartly(a, out) && !overlapsPartly(b, out)
      ) {
        // The three contiguous cases of jsBackend.binary, in its order, then the row broadcasts.
        const cols = outShape[outShape.length - 1], rows = size / cols;
        if (a.length === size && b.length === size) {
          if (streamed(scratch, a, b, out, k.same)) return;
        } else if (b.length === 1 && a.length === size) {
          const y = b[0];
          if (streamed(scratch, a, undefined, out, (p, _, n) => k.right(p, y, n))) return;
        } else if (a.length === 1 && b.length === size) {
          const x = a[0];
          if (streamed(scratch, b, undefined, out, (p, _, n) => k.left(x, p, n))) return;
        } else if (a.length === size && b.length === cols && bShape[bShape.length - 1] === cols) {
          if (byRows(scratch, a, b, out, rows, cols, (pm, pr, r) => k.rows(pm, pr, r, cols))) return;
        } else if (b.length === size && a.length === cols && aShape[aShape.length - 1] === cols) {
          if (byRows(scratch, b, a, out, rows, cols, (pm, pr, r) => k.rowsLeft(pr, pm, r, cols))) return;
        }
      }
      jsBackend.binary(op, a, aShape, b, bShape, out, outShape);
    },
    reduce(op, x, outer, n, inner, out) {
      if (
        op === "sum" && inner > 1 && n * inner >= SMALL_ELEMENTWISE && x instanceof f32 && out instanceof f32 &&
        x.length === outer * n * inner && out.length === outer * inner && !overlapsPartly(x, out) &&
        sumColumns(scratch, columns, x, outer, n, inner, out)
      ) return;
      jsBackend.reduce(op, x, outer, n, inner, out);
    },
    biasActivation(x, bias, out, rows, cols, activation) {
      const size = rows * cols, kernel = activation === "relu" ? biasRelu : biasNone;
      if (
        size >= SMALL_ELEMENTWISE && x instanceof f32 && bias instanceof f32 && out instanceof f32 &&
        x.length === size && out.length === size && bias.length === cols && !overlapsPartly(x, out) &&
        !overlapsPartly(bias, out) && byRows(scratch, x, bias, out, rows, cols, (pm, pr, r) => kernel(pm, pr, r, cols))
      ) return;
      jsBackend.biasActivation!(x, bias, out, rows, cols, activation);
    },
    reluBackward(grad, x, out) {
      if (
        out.length >= SMALL_ELEMENTWISE && grad instanceof f32 && x instanceof f32 && out instanceof f32 &&
        grad.length === out.length && x.length === out.length && !overlapsPartly(grad, out) &&
        !overlapsPartly(x, out) && streamed(scratch, grad, x, out, reluGrad)
      ) return;
      jsBackend.reluBackward!(grad, x, out);
    },
    allFinite(x) {
      if (x.length >= SMALL_ELEMENTWISE && (x instanceof f32 || x instanceof Float64Array)) {
        const finite = scanned(scratch, x, x instanceof f32 ? finiteF32 : finiteF64);
        if (finite !== null) return finite;
      }
      return jsBackend.allFinite!(x);
    },
    maxPool2d(x, out, indices, w) {
      const planes = w.batch * w.channels, plane = w.height * w.width, positions = w.outHeight * w.outWidth;
      if (
        w.kernelHeight === 2 && w.kernelWidth === 2 && w.strideHeight === 2 && w.strideWidth === 2 &&
        w.dilationHeight === 1 && w.dilationWidth === 1 && w.padTop === 0 && w.padLeft === 0 &&
        2 * w.outHeight <= w.height && 2 * w.outWidth <= w.width && planes * positions >= SMALL_ELEMENTWISE &&
        x instanceof f32 && out instanceof f32 && x.length === planes * plane && out.length === planes * positions &&
        indices.length === out.length && !overlapsPartly(x, out) &&
        pooledByPlanes(scratch, maxPool, x, out, indices, w, planes, plane, positions)
      ) return;
      jsBackend.maxPool2d!(x, out, indices, w);
    },
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
  return WebAssembly.validate(moduleBytes(false, false));
}

/**
 * A backend whose matrix product, Adam step and common float32 elementwise
 * kernels run in WebAssembly SIMD. The product packs both operands into
 * panels (so `A·B`, `Aᵀ·B` and `A·Bᵀ` run at the same speed) and accumulates
 * a 4×8 (float32) or 4×4 (float64) register tile in SIMD registers; products
 * of at most 4096 multiply-adds stay in TypeScript. The float32 Adam step runs
 * four lanes at a time, rounding exactly as {@linkcode jsBackend}'s (see
 * `AdamStepScalars`); float64 steps, steps on fewer than 1024 elements and
 * mixed dtypes stay in TypeScript. When every array of a call is a
 * Float32Array and it has at least 512 elements, `unary` relu, step, neg,
 * abs, square and sqrt, `binary` add, sub, mul and div (equal shapes, a
 * scalar on either side, or a row `[cols]` against `[rows, cols]`),
 * `biasActivation`, `reluBackward` and `reduce` sum over columns (`inner > 1`, in double, in
 * the TypeScript kernel's order) run four lanes at a time with the TypeScript
 * kernels' results bit for bit, as do `maxPool2d` with a 2×2 window, stride 2
 * and no padding (maxima and their indices), and `allFinite` on float32 and float64
 * arrays; everything else is {@linkcode jsBackend}'s.
 * Each call copies its arrays into the backend's WebAssembly memory and the
 * result out, chunk by chunk; the memory grows to the largest call seen and is
 * reused by all the kernels. `allocate` gives float32 buffers of at least 1024
 * elements that live in that memory (Adam's moments): the Adam step updates
 * them in place without copying them.
 *
 * With `threads` above 1, where the engine can share WebAssembly memory with
 * Web Workers (Deno; a cross-origin isolated browser page), a second instance
 * of the module, on a shared memory, runs each product of at least 2¹⁹
 * multiply-adds split into bands of output rows (m ≥ n) or columns, one per
 * thread (fewer for smaller products), on `threads − 1` workers started on the
 * first such product and on the calling thread. Each element is accumulated in
 * the same order as in one call, so the result is the same, bit for bit, on
 * any number of threads. The other kernels and `allocate` stay on the ordinary
 * memory (copying in and out of a shared one costs more). Elsewhere the
 * backend runs on the calling thread, and its `threads` says 1.
 *
 * @param relaxed Use relaxed SIMD (fused multiply-add in the matrix product)
 *   when the engine has it; the builds differ only in the product's rounding,
 *   never in the other kernels'. @default {true}
 * @param threads Threads for large products, the caller's included: an integer
 *   from 1 to 64. @default {the machine's logical cores (`navigator.hardwareConcurrency`), at most 64}
 * @returns The backend, named "wasm", with the threads it uses.
 * @throws {TypeError} On an engine without WebAssembly SIMD.
 * @throws {RangeError} For `threads` that is not an integer from 1 to 64.
 *
 * @example
 * ```ts
 * import { createWasmBackend } from "./backend_wasm.ts";
 * import { jsBackend } from "./backend.ts";
 * import assert from "node:assert/strict";
 *
 * const backend = createWasmBackend();
 * const a = new Float32Array(64 * 64).fill(1);
 * const out = new Float32Array(64 * 64);
 * backend.matmul(a, a, out, 64, 64, 64, false, true);
 * assert.equal(out[0], 64);
 *
 * // The Adam step gives the TypeScript kernel's bits.
 * const g = a.map((_, i) => Math.sin(i)), m = new Float32Array(g.length), v = new Float32Array(g.length);
 * const scalars = { beta1: 0.9, beta2: 0.999, stepSize: 0.01, biasCorrection2Sqrt: 0.0316, epsilon: 1e-8 };
 * const got = [new Float32Array(g.length), new Float32Array(g.length), new Float32Array(g.length)];
 * const want = [new Float32Array(g.length), new Float32Array(g.length), new Float32Array(g.length)];
 * backend.adamStep!(g, m, v, got[0], got[1], got[2], scalars);
 * jsBackend.adamStep!(g, m, v, want[0], want[1], want[2], scalars);
 * assert.deepEqual(got, want);
 *
 * // So does a float32 ReLU (NaN stays NaN, −0 becomes +0).
 * const x = g.map((v, i) => (i === 0 ? Number.NaN : i === 1 ? -0 : v));
 * const relu = new Float32Array(x.length), reluJs = new Float32Array(x.length);
 * backend.unary("relu", x, relu);
 * jsBackend.unary("relu", x, reluJs);
 * assert.ok(relu.every((v, i) => Object.is(v, reluJs[i])));
 * assert.ok(Number.isNaN(relu[0]) && Object.is(relu[1], 0));
 * ```
 *
 * @example Two threads give one thread's bits
 * ```ts
 * import { createWasmBackend } from "./backend_wasm.ts";
 * import assert from "node:assert/strict";
 *
 * const one = createWasmBackend(true, 1), two = createWasmBackend(true, 2);
 * const a = Float32Array.from({ length: 300 * 500 }, (_, i) => Math.cos(i));
 * const c1 = new Float32Array(300 * 300), c2 = new Float32Array(300 * 300);
 * one.matmul(a, a, c1, 300, 300, 500, false, true);
 * two.matmul(a, a, c2, 300, 300, 500, false, true);
 * assert.deepEqual(c2, c1);
 * ```
 */
export function createWasmBackend(relaxed = true, threads: number = defaultThreads()): WasmBackend {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new RangeError(
      `Cannot create backend "wasm" as threads must be an integer in [1, ${MAX_THREADS}]: current value is ${threads}`,
    );
  }
  // Everything runs on an ordinary memory (copying in and out of a shared one costs 50–70% more on an
  // elementwise call); a second instance on a shared memory runs the products split across threads.
  const own = instantiate(relaxed, false)!;
  const shared = threads > 1 && threadsSupported() ? instantiate(relaxed, true) : null;
  const pool = shared && createThreadPool(shared.module, shared.memory, shared.exports, shared.job, threads);
  const { exports, scratch } = own;
  return {
    ...jsBackend,
    name: "wasm",
    get threads() {
      return pool?.threads ?? 1;
    },
    ...elementwiseKernels(exports, scratch),
    matmul: gemmKernel(own, shared && pool && { ...shared, pool }),
    adamStep: adamKernel(exports, scratch),
    allocate: (dtype, size) => (dtype === "float32" && size >= SMALL_ADAM ? scratch.allocate(size) : null),
  };
}
