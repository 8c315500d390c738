/**
 * The native BLAS backend: OpenBLAS's `cblas_sgemm` / `cblas_dgemm` through
 * `Deno.dlopen`, and the default backend's kernels for the rest.
 *
 * @module
 */

import { type Backend, defaultBackend, jsBackend } from "../../core/backend.ts";
import type { Plugin } from "../../core/interfaces.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";

/** Options for {@linkcode blas}. */
export interface BlasOptions {
  /**
   * The shared library to load: a path or a name the dynamic loader finds.
   * By default the usual OpenBLAS names for the platform are tried in turn
   * (`libopenblas.so.0`, `libopenblas.so`, Debian's and Homebrew's paths).
   */
  library?: string;
  /** Threads OpenBLAS may use (its `openblas_set_num_threads`); 0 keeps its own choice. @default {0} */
  threads?: number;
}

/** `cblas_?gemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)` with the scalar type T. */
function gemmSymbol<T extends "f32" | "f64">(scalar: T) {
  return {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      scalar,
      "buffer",
      "i32",
      "buffer",
      "i32",
      scalar,
      "buffer",
      "i32",
    ],
    result: "void",
  } as const;
}

const SYMBOLS = { cblas_sgemm: gemmSymbol("f32"), cblas_dgemm: gemmSymbol("f64") } as const;

const OPTIONAL_SYMBOLS = {
  openblas_set_num_threads: { parameters: ["i32"], result: "void", optional: true },
} as const;

/**
 * Where OpenBLAS is looked for, in order, by operating system (`Deno.build.os`):
 * the loader's search by name first, then the usual install paths. A run that
 * grants `--allow-ffi` for the absolute paths only (as `deno task gradflow`
 * does) loads the first of those that exists.
 *
 * @example
 * ```ts
 * import { OPENBLAS_CANDIDATES } from "./blas.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(OPENBLAS_CANDIDATES.linux.includes("/usr/lib/x86_64-linux-gnu/libopenblas.so.0"));
 * ```
 */
export const OPENBLAS_CANDIDATES: Readonly<Record<string, readonly string[]>> = {
  linux: [
    "libopenblas.so.0",
    "libopenblas.so",
    "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
    "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
    "/usr/lib64/libopenblas.so.0",
  ],
  darwin: [
    "libopenblas.dylib",
    "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
    "/usr/local/opt/openblas/lib/libopenblas.dylib",
  ],
  windows: ["libopenblas.dll", "openblas.dll"],
};

const INSTALL = "install OpenBLAS (Debian/Ubuntu: apt-get install -y libopenblas0; macOS: brew install openblas) " +
  'or pass { library: "/path/to/libopenblas" }';

type Library = Deno.DynamicLibrary<typeof SYMBOLS & typeof OPTIONAL_SYMBOLS>;

const loaded = new Map<string, Library>();

function open(owner: string, library: string | undefined): Library {
  const names = library === undefined ? OPENBLAS_CANDIDATES[Deno.build.os] ?? OPENBLAS_CANDIDATES.linux : [library];
  const failures: string[] = [], refused: string[] = [];
  for (const name of names) {
    const cached = loaded.get(name);
    if (cached !== undefined) return cached;
    try {
      const lib = Deno.dlopen(name, { ...SYMBOLS, ...OPTIONAL_SYMBOLS }) as Library;
      loaded.set(name, lib);
      return lib;
    } catch (error) {
      // --allow-ffi may name the library's path only (as `deno task gradflow` does): a refused candidate
      // (a bare name, another path) is skipped for the next one.
      if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) refused.push(name);
      else failures.push(`${name}: ${(error as Error).message}`);
    }
  }
  if (refused.length > 0) {
    throw new TypeError(
      `Cannot create ${owner} as loading a native library needs the --allow-ffi permission (add --allow-ffi to the deno command that runs the program: deno run --allow-ffi …): current value is ${
        JSON.stringify(refused[0])
      } without it`,
    );
  }
  throw new TypeError(
    `Cannot create ${owner} as OpenBLAS could not be loaded (${INSTALL}; the default backend "js" needs nothing): current value is ${
      failures.join("; ")
    }`,
  );
}

const ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

/**
 * A backend whose matrix product is OpenBLAS's `cblas_sgemm` (float32) or
 * `cblas_dgemm` (float64), called through Deno's foreign function interface on
 * the tensors' own buffers (no copy). The other kernels are those of
 * {@linkcode defaultBackend}: where the engine has WebAssembly SIMD, the wasm
 * backend's Adam step, float32 elementwise kernels and resident buffers
 * (`allocate`), with TypeScript for the rest; TypeScript for everything on an
 * engine without it. OpenBLAS runs its own threads (all
 * cores unless `threads` or `OPENBLAS_NUM_THREADS` says otherwise).
 *
 * Needs the `--allow-ffi` permission and the library (Debian:
 * `apt-get install -y libopenblas0`). When it cannot be loaded the factory
 * throws, saying how to install it; nothing else changes, and the default
 * backend keeps working.
 *
 * @param options `library`, `threads`.
 * @returns The backend, named "blas".
 * @throws {TypeError} When the library cannot be loaded, the permission is missing, or an option is unknown.
 * @throws {RangeError} When `threads` is not a non-negative integer.
 *
 * @example Use OpenBLAS when it is installed (needs --allow-ffi)
 * ```ts ignore
 * import { blas } from "./blas.ts";
 * import { setBackend } from "../../core/backend.ts";
 *
 * setBackend(blas());
 * ```
 *
 * @example A missing library gives an error that says how to install it
 * ```ts
 * import { blas } from "./blas.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => blas({ library: "/nonexistent/libopenblas.so" }), /OpenBLAS could not be loaded|--allow-ffi/);
 * ```
 */
export function blas(options: BlasOptions = {}): Backend {
  const owner = 'backend "blas"';
  checkKeys(owner, options, ["library", "threads"]);
  if (options.library !== undefined && typeof options.library !== "string") {
    throw new TypeError(
      `Cannot create ${owner} as library must be a string (a path or library name): current value is ${typeof options
        .library}`,
    );
  }
  const threads = checkNumber(owner, "threads", options.threads, 0, { min: 0, integer: true });
  const lib = open(owner, options.library);
  if (threads > 0) lib.symbols.openblas_set_num_threads?.(threads);
  const { cblas_sgemm, cblas_dgemm } = lib.symbols;
  return {
    ...defaultBackend(),
    name: "blas",
    matmul(a, b, out, m, n, k, transposeA, transposeB) {
      if (m === 0 || n === 0) return;
      if (k === 0) {
        out.fill(0);
        return;
      }
      const single = a instanceof Float32Array;
      if (single !== (b instanceof Float32Array) || single !== (out instanceof Float32Array)) {
        return jsBackend.matmul(a, b, out, m, n, k, transposeA, transposeB);
      }
      (single ? cblas_sgemm : cblas_dgemm)(
        ROW_MAJOR,
        transposeA ? TRANS : NO_TRANS,
        transposeB ? TRANS : NO_TRANS,
        m,
        n,
        k,
        1,
        a,
        transposeA ? m : k,
        b,
        transposeB ? k : n,
        0,
        out,
        n,
      );
    },
  };
}

/** Registers {@linkcode blas} as backend "blas". */
const plugin: Plugin<"backend", BlasOptions> = {
  apiVersion: 1,
  kind: "backend",
  name: "blas",
  description:
    "OpenBLAS sgemm/dgemm through Deno.dlopen (needs --allow-ffi and libopenblas0); the wasm backend's kernels for the rest.",
  defaults: { threads: 0 },
  create: blas,
};
export default plugin;
