/**
 * Runs a command and prints its peak resident set size: `getrusage(RUSAGE_CHILDREN)`'s `ru_maxrss` once
 * it has ended, the largest peak of the process and of every descendant it waited for (so `deno task …`
 * or a launcher counts the process that did the work); and the CPU seconds (user and system) they used. `fashion_mnist_bench.ts` starts every
 * configuration through it, each in a fresh process, so that peaks are honest and comparable.
 *
 * ```sh
 * deno run --allow-run --allow-ffi tests/bench/_peak_rss.ts <command> [args…]
 * ```
 *
 * The command's output passes through, then come the lines `BENCH-PEAK-RSS-KIB <n>` and `BENCH-CPU-S <s>`; the exit
 * code is the command's.
 *
 * @module
 */

/** The line that carries the peak, in KiB. */
export const PEAK_MARK = "BENCH-PEAK-RSS-KIB ";
/** The line that carries the CPU seconds. */
export const CPU_MARK = "BENCH-CPU-S ";

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
  // struct rusage: ru_utime and ru_stime (struct timeval: seconds, microseconds; 16 bytes on 64-bit systems), then
  // long ru_maxrss.
  const usage = new BigInt64Array(18);
  const RUSAGE_CHILDREN = -1;
  if (libc.symbols.getrusage(RUSAGE_CHILDREN, new Uint8Array(usage.buffer)) === 0) {
    const maxrss = Number(usage[4]); // KiB on Linux, bytes on macOS
    const seconds = (i: number) => Number(usage[i]) + Number(usage[i + 1]) / 1e6;
    console.log(`${PEAK_MARK}${darwin ? Math.round(maxrss / 1024) : maxrss}`);
    console.log(`${CPU_MARK}${(seconds(0) + seconds(2)).toFixed(3)}`);
  }
  libc.close();
  Deno.exit(code);
}
