/**
 * Runs a command and prints its peak resident set size: `getrusage(RUSAGE_CHILDREN)`'s `ru_maxrss` once
 * it has ended, the largest peak of the process and of every descendant it waited for (so `deno task …`
 * or a launcher counts the process that did the work). `fashion_mnist_bench.ts` starts every
 * configuration through it, each in a fresh process, so that peaks are honest and comparable.
 *
 * ```sh
 * deno run --allow-run --allow-ffi tests/bench/_peak_rss.ts <command> [args…]
 * ```
 *
 * The command's output passes through; the last line is `BENCH-PEAK-RSS-KIB <n>`; the exit code is the
 * command's.
 *
 * @module
 */

/** The line that carries the peak, in KiB. */
export const PEAK_MARK = "BENCH-PEAK-RSS-KIB ";

if (import.meta.main) {
  const [command, ...args] = Deno.args;
  const { code } = await new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  })
    .spawn().status;
  const darwin = Deno.build.os === "darwin";
  const libc = Deno.dlopen(darwin ? "libSystem.B.dylib" : "libc.so.6", {
    getrusage: { parameters: ["i32", "buffer"], result: "i32" },
  });
  // struct rusage: two struct timeval (16 bytes each on 64-bit systems), then long ru_maxrss.
  const usage = new BigInt64Array(18);
  const RUSAGE_CHILDREN = -1;
  if (
    libc.symbols.getrusage(RUSAGE_CHILDREN, new Uint8Array(usage.buffer)) === 0
  ) {
    const maxrss = Number(usage[4]); // KiB on Linux, bytes on macOS
    console.log(`${PEAK_MARK}${darwin ? Math.round(maxrss / 1024) : maxrss}`);
  }
  libc.close();
  Deno.exit(code);
}
