/**
 * Web Workers that run parts of the wasm backend's kernels on the backend's
 * shared WebAssembly memory (the scheduler is `threads.c`; this file starts the
 * workers and waits for the parts).
 *
 * The workers are created from inline source (a Blob URL), so they start the
 * same way in Deno, in a browser, from a module imported by URL (browsers
 * refuse a worker script from another origin) and from a bundle. Each receives
 * the compiled module and the shared memory, instantiates the module and
 * serves jobs. Where the runtime lets a worker stop keeping the program
 * alive (`worker.unref()`, or Deno's equivalent), it does so, and waits for
 * jobs for as long as the program runs: a script exits as soon as its own work
 * is done. Elsewhere (a browser, say) a worker closes once it has been idle for
 * a second, and the next job starts it again.
 *
 * @module
 */

/** How long an idle worker waits for a job before it closes, in milliseconds. */
const IDLE_MS = 1000;

/**
 * How many times an idle worker checks for the next job before it sleeps: about 100 µs (0.8–1.5 ns a check).
 * In a training step the split products come tens of microseconds to a millisecond apart (median 0.2 ms),
 * and waking a sleeping worker costs a system call and tens of microseconds. Spinning longer (1 ms) made
 * the calling thread itself slower on a loaded 2-core machine (a spinning core is one the others lack, and
 * WebAssembly has no `pause` to spare a hyperthread sibling), so it stays short.
 */
const WORKER_SPIN = 100000;

/** How many times the caller checks for its helpers' last parts before it sleeps: about 100 µs (5.5 ns a check). */
const CALLER_SPIN = 20000;

/** Words of threads.c's `struct job`, and the indexes that this file reads. */
const JOB_WORDS = 148, GEN = 0, DONE = 1, QUIT = 5, STATE = 20, RUNS = 84;

/**
 * A worker's state (`job.state[thread]`): gone (never started, or closed when idle), starting, serving (set
 * by threads.c), failed while serving (it may have left a part unfinished), failed to start.
 */
const GONE = 0, STARTING = 1, FAILED = 3, FAILED_TO_START = 4;

/** The most threads a pool can have (threads.c's MAX_THREADS). */
export const MAX_THREADS = 64;

/**
 * The threads a wasm backend uses unless told otherwise: the machine's
 * logical cores (`navigator.hardwareConcurrency`), at most {@linkcode MAX_THREADS}.
 *
 * @returns An integer in [1, {@linkcode MAX_THREADS}].
 *
 * @example
 * ```ts
 * import { defaultThreads } from "./thread_pool.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(defaultThreads() >= 1);
 * ```
 */
export function defaultThreads(): number {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof cores === "number" && Number.isInteger(cores) && cores >= 1 ? Math.min(cores, MAX_THREADS) : 1;
}

/** The worker: instantiates the module on the shared memory, serves jobs until idle, then closes. */
const WORKER_SOURCE = `self.onmessage = ({ data }) => {
  const { module, memory, job, thread, spin, idleMs } = data;
  const words = new Int32Array(memory.buffer, job, ${JOB_WORDS});
  let exports;
  try {
    exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  } catch (error) {
    Atomics.store(words, ${STATE} + thread, ${FAILED_TO_START});
    throw error;
  }
  try {
    exports.serve(job, thread, spin, idleMs);
  } catch (error) {
    Atomics.store(words, ${STATE} + thread, ${FAILED});
    Atomics.notify(words, ${DONE});
    throw error;
  }
  self.close();
};
`;

let workerUrl: string | undefined;

/**
 * Once a pool is unreachable (no kernel can use it any more), tells its workers to return: they close, and
 * release its memory. Without this a program that makes many backends would keep every one's workers.
 */
const retire = new FinalizationRegistry<Int32Array>((words) => {
  Atomics.store(words, QUIT, 1);
  Atomics.add(words, GEN, 1);
  Atomics.notify(words, GEN);
});

/** The exports of the module that the pool calls on the caller's thread. */
export interface ThreadExports {
  /** `work(job, thread)`: claims and runs parts of the current job until none is left. */
  work(job: number, thread: number): void;
}

/** Workers sharing a module's memory, and the calling thread. */
export interface ThreadPool {
  /** The threads a job can use, the caller's included (1 once a worker has failed). */
  readonly threads: number;
  /**
   * Runs one job: `post(job)` publishes it (a `post_*` export of threads.c, called with the job block's
   * address), then the caller and the workers run its `parts` parts, and `run` returns when all are done.
   */
  run(parts: number, post: (job: number) => void): void;
  /** How many parts each thread (0 is the caller) has run so far. */
  runs(): number[];
}

/**
 * Whether this engine can run a pool: Web Workers, Blob URLs and shared
 * WebAssembly memory (in a browser, a cross-origin isolated page).
 *
 * @returns `true` when {@linkcode createThreadPool} can be used.
 *
 * @example
 * ```ts
 * import { threadsSupported } from "./thread_pool.ts";
 *
 * console.log(threadsSupported());
 * ```
 */
export function threadsSupported(): boolean {
  try {
    return typeof Worker === "function" && typeof Blob === "function" &&
      typeof URL.createObjectURL === "function" && typeof SharedArrayBuffer === "function" &&
      new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** Whether this thread may block in `Atomics.wait` (a browser's main thread may not). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Lets `worker` not keep the program alive, where the runtime allows it:
 * `unref()` (Bun, Node-style workers); in Deno, whose web `Worker` has no
 * public `unref`, the one unnamed symbol-keyed method of its prototype, which
 * switches the worker's hold on the event loop (what `node:worker_threads`'s
 * `unref` calls).
 *
 * @returns Whether it did.
 */
function unref(worker: Worker): boolean {
  const w = worker as unknown as Record<string | symbol, unknown>;
  if (typeof w.unref === "function") {
    (w.unref as () => void).call(worker);
    return true;
  }
  if (typeof (globalThis as { Deno?: unknown }).Deno !== "object") return false;
  const proto = Object.getPrototypeOf(worker);
  const keys = Object.getOwnPropertySymbols(proto).filter((key) => key.description === undefined);
  const method = keys.length === 1 ? proto[keys[0]] : undefined;
  if (typeof method !== "function" || method.length !== 1) return false;
  method.call(worker, false);
  return true;
}

/**
 * A pool of `threads − 1` workers (started on the first job) and the calling
 * thread, running jobs of the module instance whose exports are `exports`,
 * with its job block at byte `job` of `memory`.
 *
 * @param module The compiled module (its build with a shared memory).
 * @param memory The shared memory the instance uses.
 * @param exports The caller's instance's exports.
 * @param job The byte address of the job block (`job_bytes()` bytes, 8-aligned).
 * @param threads Threads, the caller's included, from 2 to {@linkcode MAX_THREADS}.
 * @returns The pool.
 *
 * @example
 * ```ts
 * import { createThreadPool, threadsSupported } from "./thread_pool.ts";
 *
 * if (threadsSupported()) {
 *   // The wasm backend makes one per backend with more than one thread: see createWasmBackend.
 *   console.log(typeof createThreadPool);
 * }
 * ```
 */
export function createThreadPool(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  exports: ThreadExports,
  job: number,
  threads: number,
): ThreadPool {
  const words = new Int32Array(memory.buffer, job, JOB_WORDS);
  const block = canBlock();
  let failed = false;

  /** Starts a worker for every thread that has none (the first time, or after it closed when idle). */
  const wake = () => {
    for (let t = 1; t < threads && !failed; t++) {
      if (Atomics.load(words, STATE + t) !== GONE) continue;
      Atomics.store(words, STATE + t, STARTING);
      try {
        workerUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
        const worker = new Worker(workerUrl, { type: "module", name: `gradflow wasm thread ${t}` });
        worker.onerror = (event) => {
          event.preventDefault();
          console.error("worker error", event.message);
          failed = true;
        };
        // A worker that no longer keeps the program alive may wait for jobs indefinitely; any other closes
        // when idle, so that the program can end.
        const idleMs = unref(worker) ? 0 : IDLE_MS;
        worker.postMessage({ module, memory, job, thread: t, spin: WORKER_SPIN, idleMs });
      } catch {
        failed = true; // No workers here (a content security policy, say): the caller does every part.
      }
    }
  };

  const pool: ThreadPool = {
    get threads() {
      return failed ? 1 : threads;
    },
    run(parts, post) {
      wake();
      post(job);
      exports.work(job, 0);
      for (let i = 0, done; (done = Atomics.load(words, DONE)) < parts; i++) {
        if (i < CALLER_SPIN) continue;
        for (let t = 1; t < threads; t++) {
          const state = Atomics.load(words, STATE + t);
          if (state === FAILED_TO_START) failed = true;
          if (state === FAILED) {
            failed = true;
            throw new Error(`Cannot run a wasm kernel on ${threads} threads as worker ${t} failed while running it`);
          }
        }
        if (block) Atomics.wait(words, DONE, done, 100);
      }
    },
    runs() {
      return Array.from({ length: threads }, (_, t) => Atomics.load(words, RUNS + t));
    },
  };
  retire.register(pool, words);
  return pool;
}
