/*
 * gradflow's work sharing for the WebAssembly kernels (linked into the same module as gemm.c, adam.c and
 * elementwise.c), for the build whose memory is shared between threads (Web Workers).
 *
 * One kernel call becomes a job of `parts` independent pieces. The calling thread publishes it (post_*),
 * then every thread, the caller included, claims parts one at a time until none is left (work), and the
 * caller waits until every part is done. Which thread runs a part does not matter: a part computes
 * exactly the elements the kernel would have computed for them in a single call, in the same order, so
 * the results do not depend on the number of threads, and a thread that never arrives (a worker still
 * starting, or one that stopped) only means the others claim more parts.
 *
 * A matrix product is split into bands of output rows (4 at a time) or of output columns (one register
 * tile wide): every element of C still accumulates its own k-blocks in the same order. (The other kernels
 * are a few operations per element on arrays that the caller copies in and out: split across cores, they
 * were no faster.)
 *
 * The job block (struct job) lives in the shared memory at an address the caller chooses. Between jobs,
 * workers check `gen` for a while, then sleep on it (memory.atomic.wait32), so an idle program keeps no
 * core busy. The code uses no stack and no thread-local data, so instances in several threads can share
 * one memory.
 */

typedef int i32;
typedef unsigned int u32;
typedef long long i64;
typedef unsigned long long u64;

#define EXPORT(name) __attribute__((export_name(name)))
#define SEQ __ATOMIC_SEQ_CST

/* The most threads a job can use (the caller is thread 0, workers are 1 … MAX_THREADS − 1). */
#define MAX_THREADS 64

enum { JOB_GEMM_F32 = 1, JOB_GEMM_F64 = 2 };

/* A worker's state (job.state[thread]), read by the caller to know which workers it must start again. */
enum { WORKER_GONE = 0, WORKER_STARTING = 1, WORKER_SERVING = 2 };

/* The job block; thread_pool.ts also uses `gen` (word 0), `done` (1), `quit` (5), `state` (20 …) and `runs` (84 …). */
struct job {
  i32 gen;                /* byte 0: bumped once per job; idle workers wait on it */
  i32 done;               /* byte 4: parts finished in the current job; the caller waits on it */
  u64 claim;              /* byte 8: gen << 32 | parts << 16 | next part (a stale claim never matches a new job) */
  i32 kind;               /* byte 16: JOB_* */
  i32 quit;               /* byte 20: set (and gen bumped) when the caller's pool is gone: workers return */
  i32 sleepers;           /* byte 24: workers asleep on gen (a job wakes them only if there are any) */
  i32 arg[13];            /* byte 28: arguments */
  i32 state[MAX_THREADS]; /* byte 80: WORKER_* per thread */
  i32 runs[MAX_THREADS];  /* byte 336: parts each thread has run, for tests and benchmarks */
};

_Static_assert(sizeof(struct job) == 592 && __builtin_offsetof(struct job, state) == 80 &&
                   __builtin_offsetof(struct job, runs) == 336,
               "job layout");

EXPORT("job_bytes") i32 job_bytes(void) { return sizeof(struct job); }

/* Publishes a job whose arguments are already written: resets the counters, then wakes idle workers. */
static void publish(struct job *j, i32 kind, i32 parts) {
  j->kind = kind;
  __atomic_store_n(&j->done, 0, SEQ);
  u32 gen = (u32)__atomic_load_n(&j->gen, SEQ) + 1;
  __atomic_store_n(&j->claim, (u64)gen << 32 | (u64)(u32)parts << 16, SEQ);
  __atomic_store_n(&j->gen, (i32)gen, SEQ);
  /* A sleeper counts itself before it sleeps, and sleeps only while gen is unchanged (both sequentially
     consistent): either this load sees it, or its wait sees the new gen and returns at once. */
  if (__atomic_load_n(&j->sleepers, SEQ) > 0) __builtin_wasm_memory_atomic_notify(&j->gen, (u32)-1);
}

/* [start, end) of part p of n units split into `parts` near-equal runs, in units of `unit` (clamped to total). */
static inline i32 band_start(i32 p, i32 parts, i32 units, i32 unit, i32 total) {
  i64 s = (i64)p * units / parts * unit;
  return s < total ? (i32)s : total;
}

void gemm_f32(i32 ta, i32 tb, i32 m, i32 n, i32 k, const float *a, const float *b, float *c, i32 i0, i32 i1,
              i32 j0, i32 j1, float *ws);
void gemm_f64(i32 ta, i32 tb, i32 m, i32 n, i32 k, const double *a, const double *b, double *c, i32 i0, i32 i1,
              i32 j0, i32 j1, double *ws);

/*
 * post_gemm(j, f64, ta, tb, m, n, k, a, b, c, by_rows, ws, ws_bytes, parts): the product of gemm_f32 (or
 * gemm_f64) over all of C, in `parts` bands of rows (by_rows) or columns. Thread t uses the workspace at
 * ws + t·ws_bytes, which must hold the workspace of the widest band.
 */
EXPORT("post_gemm")
void post_gemm(struct job *j, i32 f64, i32 ta, i32 tb, i32 m, i32 n, i32 k, i32 a, i32 b, i32 c, i32 by_rows, i32 ws,
               i32 ws_bytes, i32 parts) {
  i32 *x = j->arg;
  x[0] = ta, x[1] = tb, x[2] = m, x[3] = n, x[4] = k, x[5] = a, x[6] = b, x[7] = c, x[8] = by_rows, x[9] = ws;
  x[10] = ws_bytes;
  publish(j, f64 ? JOB_GEMM_F64 : JOB_GEMM_F32, parts);
}

/* Runs part p of the current job on thread t. */
static void run_part(struct job *j, i32 p, i32 parts, i32 t) {
  const i32 *x = j->arg;
  if (j->kind == JOB_GEMM_F32 || j->kind == JOB_GEMM_F64) {
    i32 f64 = j->kind == JOB_GEMM_F64, m = x[2], n = x[3], tile = f64 ? 4 : 8;
    i32 i0 = 0, i1 = m, j0 = 0, j1 = n;
    if (x[8]) {
      i32 units = (m + 3) / 4;
      i0 = band_start(p, parts, units, 4, m), i1 = band_start(p + 1, parts, units, 4, m);
    } else {
      i32 units = (n + tile - 1) / tile;
      j0 = band_start(p, parts, units, tile, n), j1 = band_start(p + 1, parts, units, tile, n);
    }
    if (i0 == i1 || j0 == j1) return;
    i32 ws = x[9] + t * x[10];
    if (f64) {
      gemm_f64(x[0], x[1], m, n, x[4], (const double *)x[5], (const double *)x[6], (double *)x[7], i0, i1, j0, j1,
               (double *)ws);
    } else {
      gemm_f32(x[0], x[1], m, n, x[4], (const float *)x[5], (const float *)x[6], (float *)x[7], i0, i1, j0, j1,
               (float *)ws);
    }
  }
}

/*
 * work(j, t): thread t claims and runs parts of the current job until none is left. Each finished part
 * counts in `done`; whoever finishes the last one wakes the caller waiting on it.
 */
EXPORT("work") void work(struct job *j, i32 t) {
  for (;;) {
    u64 c = __atomic_load_n(&j->claim, SEQ);
    i32 next = (i32)(c & 0xffff), parts = (i32)(c >> 16 & 0xffff);
    if (next >= parts) return;
    if (!__atomic_compare_exchange_n(&j->claim, &c, c + 1, 0, SEQ, SEQ)) continue;
    run_part(j, next, parts, t);
    __atomic_fetch_add(&j->runs[t], 1, __ATOMIC_RELAXED);
    if (__atomic_add_fetch(&j->done, 1, SEQ) == parts) __builtin_wasm_memory_atomic_notify(&j->done, 1);
  }
}

/*
 * serve(j, t, spin, idle_ms): a worker's life. Runs parts of each job as it is published; between jobs it
 * checks `gen` `spin` times, then sleeps on it. It returns, marked gone, once it has slept idle_ms without a
 * job (never, when idle_ms is 0) or once `quit` is set (the caller's pool is gone); the worker then closes,
 * and the caller starts a new one when it next needs it.
 */
EXPORT("serve") void serve(struct job *j, i32 t, i32 spin, i32 idle_ms) {
  __atomic_store_n(&j->state[t], WORKER_SERVING, SEQ);
  i64 timeout = idle_ms > 0 ? (i64)idle_ms * 1000000 : -1;
  while (!__atomic_load_n(&j->quit, SEQ)) {
    i32 seen = __atomic_load_n(&j->gen, SEQ);
    work(j, t);
    i32 i = 0;
    while (i < spin && __atomic_load_n(&j->gen, SEQ) == seen) i++;
    if (i < spin) continue;
    __atomic_fetch_add(&j->sleepers, 1, SEQ);
    i32 woken = __builtin_wasm_memory_atomic_wait32(&j->gen, seen, timeout);
    __atomic_fetch_sub(&j->sleepers, 1, SEQ);
    if (woken == 2) break;
  }
  __atomic_store_n(&j->state[t], WORKER_GONE, SEQ);
}
