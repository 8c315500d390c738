/**
 * Rebuilds `kernels_wasm.ts` from `gemm.c` (the matrix product), `adam.c`
 * (the Adam step), `elementwise.c` (float32 unary, binary, bias + ReLU,
 * ReLU-gradient, column-sum and 2×2 max-pooling kernels, and the finiteness
 * check) and `threads.c` (work sharing between threads), linked
 * into one module, with clang (wasm32 target) and wasm-ld.
 *
 * ```sh
 * apt-get install -y clang lld   # Debian 12 gives clang 14
 * deno run --allow-run --allow-read --allow-write core/wasm/regenerate.ts
 * ```
 *
 * Two modules come out of the sources: plain SIMD128 (multiply then add) and
 * relaxed SIMD (fused multiply-add where the CPU has it, in gemm.c only: adam.c
 * and elementwise.c have no relaxed operation, and `-ffp-contract=off` keeps clang from fusing any,
 * so their code is the same in both and rounds exactly as the TypeScript kernels). clang 14 and 15 emit the
 * relaxed FMA with the opcodes of the proposal before standardization
 * (`0xfd 0xaf 0x01`, `0xfd 0xcf 0x01`); this script rewrites them to the final
 * `f32x4.relaxed_madd` (`0xfd 0x85 0x02`) and `f64x2.relaxed_madd`
 * (`0xfd 0x87 0x02`), same length, checks that it rewrote exactly the 16 that
 * gemm.c's two register tiles have (a byte pattern elsewhere would be a false
 * match), and that the result validates.
 *
 * Both modules import their memory (`env.memory`), declared shared (atomics and
 * bulk memory, `--shared-memory`, at most {@linkcode MAX_PAGES} pages), so
 * that Web Workers can run the kernels on the same memory. The code uses
 * neither the stack nor thread-local data (checked here: the objects reference
 * no `__stack_pointer` and no `__tls_base`), so instances in several threads
 * need nothing of their own in it. Where shared memory is unavailable, the
 * backend clears the shared bit of the import's limits (at
 * `memoryImport.flagsOffset`, checked here to be the same in both builds) and
 * gives the module an ordinary memory: the same code, on one thread.
 *
 * @module
 */

const here = new URL(".", import.meta.url);
const sources = ["gemm.c", "adam.c", "elementwise.c", "threads.c"].map((name) => new URL(name, here).pathname);
const target = new URL("kernels_wasm.ts", here).pathname;
/** The relaxed multiply-adds in gemm.c: 8 per register tile, one tile per element type. */
const RELAXED_MADDS = 16;
/** The most 64 KiB pages the memory may grow to: 4 GiB, all that wasm32 can address. */
const MAX_PAGES = 65536;

function build(extra: string[]): Uint8Array<ArrayBuffer> {
  const out = Deno.makeTempFileSync({ suffix: ".wasm" });
  const args = [
    "--target=wasm32",
    "-O3",
    "-msimd128",
    "-mbulk-memory",
    "-matomics",
    "-ffp-contract=off",
    "-nostdlib",
    "-Wl,--no-entry",
    "-Wl,--export=__heap_base",
    "-Wl,--import-memory",
    "-Wl,--shared-memory",
    `-Wl,--max-memory=${MAX_PAGES * 65536}`,
    "-Wl,--strip-all",
    ...extra,
    "-o",
    out,
    ...sources,
  ];
  const result = new Deno.Command("clang", { args, stdout: "inherit", stderr: "inherit" }).outputSync();
  if (!result.success) throw new Error(`Cannot build ${sources.join(", ")} as clang failed: exit code ${result.code}`);
  const bytes = Deno.readFileSync(out);
  Deno.removeSync(out);
  return bytes;
}

/** Throws when an object file of the sources uses the stack or thread-local data (threads would share them). */
function checkNoStack(): void {
  for (const source of sources) {
    const object = Deno.makeTempFileSync({ suffix: ".o" });
    const args = ["--target=wasm32", "-O3", "-msimd128", "-mbulk-memory", "-matomics", "-c", "-o", object, source];
    if (!new Deno.Command("clang", { args }).outputSync().success) throw new Error(`Cannot compile ${source}`);
    const nm = new Deno.Command("llvm-nm", { args: [object] }).outputSync();
    Deno.removeSync(object);
    const symbols = new TextDecoder().decode(nm.stdout);
    if (!nm.success || /__stack_pointer|__tls_base/.test(symbols)) {
      throw new Error(
        `Cannot regenerate as ${source} uses the stack or thread-local data: current value is ${symbols}`,
      );
    }
  }
}

/** Reads an unsigned LEB128 at `at`: its value and the offset after it. */
function leb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0, shift = 0, byte;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

/**
 * The module's one import, `env.memory`: the offset of its limits' flags byte (0x03: shared, with a
 * maximum) and its initial and maximum pages.
 */
function memoryImport(bytes: Uint8Array): { flagsOffset: number; initialPages: number; maximumPages: number } {
  const text = new TextDecoder();
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = leb(bytes, at + 1);
    if (id === 2) {
      const [count, first] = leb(bytes, start);
      let p = first;
      const names: string[] = [];
      for (let i = 0; i < 2; i++) {
        const [length, q] = leb(bytes, p);
        names.push(text.decode(bytes.subarray(q, q + length)));
        p = q + length;
      }
      const kind = bytes[p], flagsOffset = p + 1, flags = bytes[flagsOffset];
      const [initialPages, q] = leb(bytes, flagsOffset + 1);
      const [maximumPages] = leb(bytes, q);
      if (count !== 1 || names.join(".") !== "env.memory" || kind !== 2 || flags !== 3) {
        throw new Error(
          `Cannot regenerate as the module must import only a shared memory: current value is ${count} imports, ` +
            `the first ${names.join(".")} (kind ${kind}, flags ${flags})`,
        );
      }
      return { flagsOffset, initialPages, maximumPages };
    }
    at = start + size;
  }
  throw new Error("Cannot regenerate as the module imports no memory: current value is no import section");
}

/** Rewrites pre-standard relaxed-FMA opcodes to the final ones; returns how many it changed. */
function patchRelaxed(bytes: Uint8Array): number {
  let count = 0;
  for (let i = 0; i + 2 < bytes.length; i++) {
    if (bytes[i] !== 0xfd || bytes[i + 2] !== 0x01) continue;
    if (bytes[i + 1] === 0xaf) [bytes[i + 1], bytes[i + 2], count] = [0x85, 0x02, count + 1];
    else if (bytes[i + 1] === 0xcf) [bytes[i + 1], bytes[i + 2], count] = [0x87, 0x02, count + 1];
  }
  return count;
}

checkNoStack();
const simd = build([]);
const relaxed = build(["-mrelaxed-simd", "-DRELAXED"]);
const patched = patchRelaxed(relaxed);
if (patched !== RELAXED_MADDS) {
  throw new Error(`Cannot regenerate as ${RELAXED_MADDS} relaxed opcodes were expected: current value is ${patched}`);
}
for (const [name, bytes] of [["simd", simd], ["relaxed", relaxed]] as const) {
  if (!WebAssembly.validate(bytes)) throw new Error(`Cannot regenerate as the ${name} module does not validate`);
}
const imports = [memoryImport(simd), memoryImport(relaxed)];
if (JSON.stringify(imports[0]) !== JSON.stringify(imports[1]) || imports[0].maximumPages !== MAX_PAGES) {
  throw new Error(
    `Cannot regenerate as both builds must import the same memory: current value is ${JSON.stringify(imports)}`,
  );
}
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/.{1,100}/g, '  "$&" +\n');
const text = `// Generated by regenerate.ts from gemm.c, adam.c, elementwise.c and threads.c: do not edit.
// deno-fmt-ignore-file

/** The SIMD128 build of gemm.c (multiply, then add), adam.c, elementwise.c and threads.c, base64. */
export const simdBase64: string =
${b64(simd)}  "";

/**
 * The relaxed-SIMD build of gemm.c (fused multiply-add), adam.c, elementwise.c and threads.c (the last three the
 * same as in the SIMD128 build), base64.
 */
export const relaxedBase64: string =
${b64(relaxed)}  "";

/**
 * The memory both builds import (\`env.memory\`): the offset of its limits' flags byte in the module (0x03, shared
 * with a maximum; 0x01 makes it an ordinary memory), and its initial and maximum size in 64 KiB pages.
 */
export const memoryImport = ${JSON.stringify(imports[0]).replace(/"/g, "").replace(/,/g, ", ").replace(/:/g, ": ")};
`;
Deno.writeTextFileSync(target, text);
console.log(`wrote ${target}: simd ${simd.length} B, relaxed ${relaxed.length} B (${patched} opcodes rewritten)`);
