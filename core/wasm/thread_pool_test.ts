import assert from "node:assert/strict";
import { memoryImport, relaxedBase64 } from "./kernels_wasm.ts";
import { createThreadPool, defaultThreads, MAX_THREADS, threadsSupported } from "./thread_pool.ts";

interface Exports {
  __heap_base: WebAssembly.Global;
  job_bytes(): number;
  workspace_f32(width: number): number;
  gemm_f32(...args: number[]): void;
  post_gemm(...args: number[]): void;
  work(job: number, thread: number): void;
}

/** An instance of the shared-memory build on a fresh shared memory, and a product laid out in it. */
function setUp(m: number, n: number, k: number) {
  const module = new WebAssembly.Module(Uint8Array.from(atob(relaxedBase64), (c) => c.charCodeAt(0)));
  const memory = new WebAssembly.Memory({
    initial: memoryImport.initialPages,
    maximum: memoryImport.maximumPages,
    shared: true,
  });
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Exports;
  const align = (x: number) => Math.ceil(x / 64) * 64;
  const job = align(exports.__heap_base.value as number);
  const a = align(job + exports.job_bytes()), b = align(a + m * k * 4), c = align(b + k * n * 4);
  const want = align(c + m * n * 4), ws = align(want + m * n * 4), wsBytes = align(exports.workspace_f32(n) * 4);
  memory.grow(Math.ceil((ws + MAX_THREADS * wsBytes) / 65536));
  const f32 = new Float32Array(memory.buffer);
  for (let i = 0; i < m * k; i++) f32[a / 4 + i] = Math.sin(i) - 0.25;
  for (let i = 0; i < k * n; i++) f32[b / 4 + i] = Math.cos(i * 0.7);
  // One call over all of C on this thread: the bits every split must reproduce.
  exports.gemm_f32(0, 0, m, n, k, a, b, want, 0, m, 0, n, ws);
  const product = (offset: number) => f32.slice(offset / 4, offset / 4 + m * n);
  return { module, memory, exports, job, a, b, c, ws, wsBytes, product, want: product(want) };
}

/** Calls `step` until `done()` or `ms` have passed (a worker starts in its own time); returns `done()`. */
function until(done: () => boolean, step: () => void, ms = 20000): boolean {
  const end = performance.now() + ms;
  while (!done() && performance.now() < end) step();
  return done();
}

Deno.test({
  name: "createThreadPool() runs parts of a product on its workers, with the bits of a single call",
  ignore: !threadsSupported(),
  fn() {
    for (const [m, n, k, byRows, threads] of [[64, 200, 96, 0, 2], [203, 48, 77, 1, 3]]) {
      const s = setUp(m, n, k);
      const pool = createThreadPool(s.module, s.memory, s.exports, s.job, threads);
      assert.equal(pool.threads, threads);
      const parts = threads * 2;
      const run = () => {
        new Float32Array(s.memory.buffer, s.c, m * n).fill(Number.NaN);
        pool.run(
          parts,
          (job) => s.exports.post_gemm(job, 0, 0, 0, m, n, k, s.a, s.b, s.c, byRows, s.ws, s.wsBytes, parts),
        );
        const got = s.product(s.c);
        assert.ok(got.every((v, i) => Object.is(v, s.want[i])), `${m}×${n}·${k} on ${threads} threads`);
      };
      const workersRan = () => pool.runs().slice(1).every((r) => r > 0);
      assert.ok(until(workersRan, run), `every worker ran a part: ${pool.runs()}`);
      const before = pool.runs().reduce((x, y) => x + y);
      run();
      assert.equal(pool.runs().reduce((x, y) => x + y), before + parts, "each part runs exactly once");
    }
  },
});

Deno.test({
  name: "createThreadPool() runs every part on the calling thread where workers cannot start",
  ignore: !threadsSupported(),
  fn() {
    const s = setUp(40, 72, 64);
    const real = globalThis.Worker;
    globalThis.Worker = class {
      constructor() {
        throw new Error("refused (a content security policy, say)");
      }
    } as unknown as typeof Worker;
    try {
      const pool = createThreadPool(s.module, s.memory, s.exports, s.job, 4);
      pool.run(3, (job) => s.exports.post_gemm(job, 0, 0, 0, 40, 72, 64, s.a, s.b, s.c, 0, s.ws, s.wsBytes, 3));
      assert.deepEqual(pool.runs(), [3, 0, 0, 0]);
      assert.ok(s.product(s.c).every((v, i) => Object.is(v, s.want[i])));
      assert.equal(pool.threads, 1, "the pool says it now has the caller alone");
    } finally {
      globalThis.Worker = real;
    }
  },
});

Deno.test("threadsSupported() is false without Web Workers or SharedArrayBuffer", () => {
  const worker = globalThis.Worker, sab = globalThis.SharedArrayBuffer;
  try {
    // deno-lint-ignore no-explicit-any
    (globalThis as any).Worker = undefined;
    assert.equal(threadsSupported(), false);
    globalThis.Worker = worker;
    // deno-lint-ignore no-explicit-any
    (globalThis as any).SharedArrayBuffer = undefined;
    assert.equal(threadsSupported(), false);
  } finally {
    globalThis.Worker = worker;
    globalThis.SharedArrayBuffer = sab;
  }
  assert.equal(threadsSupported(), true, "Deno has both");
});

Deno.test("defaultThreads() is the machine's logical cores, at most MAX_THREADS", () => {
  assert.equal(defaultThreads(), Math.min(navigator.hardwareConcurrency, MAX_THREADS));
});

/** Runs `source` as a Deno script (no permissions) and returns its exit code and output; fails after `ms`. */
async function runScript(
  source: string,
  ms = 60000,
  flags: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, source);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-prompt", "--no-check", ...flags, file],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => timer = setTimeout(() => resolve("timeout"), ms));
  try {
    const result = await Promise.race([child.output(), timeout]);
    if (result === "timeout") {
      child.kill();
      await child.output();
      throw new Error(`the script did not exit within ${ms} ms`);
    }
    const text = new TextDecoder();
    return { code: result.code, stdout: text.decode(result.stdout), stderr: text.decode(result.stderr) };
  } finally {
    clearTimeout(timer);
    await Deno.remove(file);
  }
}

Deno.test({
  name: "a script whose products ran on worker threads exits by itself when its work is done",
  ignore: !threadsSupported() || Deno.permissions.querySync({ name: "run" }).state !== "granted",
  async fn() {
    const core = new URL("../", import.meta.url).href;
    const { code, stdout, stderr } = await runScript(`
      import { getBackend, setBackend } from "${core}backend.ts";
      import { createWasmBackend } from "${core}backend_wasm.ts";
      import { matmul } from "${core}ops/mod.ts";
      import { Tensor } from "${core}tensor.ts";
      const a = new Tensor(Float32Array.from({ length: 256 * 256 }, (_, i) => Math.sin(i)), [256, 256]);
      let sum = 0;
      for (let i = 0; i < 20; i++) sum += matmul(a, a).data[7];
      const defaultThreads = (getBackend() as { threads?: number }).threads;
      setBackend(createWasmBackend(true, 2));
      for (let i = 0; i < 20; i++) sum += matmul(a, a).data[7];
      console.log(defaultThreads, (getBackend() as { threads?: number }).threads, Number.isFinite(sum));
    `);
    assert.equal(code, 0, stderr);
    assert.equal(stdout.trim(), `${Math.min(navigator.hardwareConcurrency, MAX_THREADS)} 2 true`);
  },
});

Deno.test({
  name: "a pool's workers return once the pool is garbage-collected, releasing its memory",
  ignore: !threadsSupported() || Deno.permissions.querySync({ name: "run" }).state !== "granted",
  async fn() {
    const here = new URL("./", import.meta.url).href;
    const { code, stdout, stderr } = await runScript(
      `
      import { memoryImport, relaxedBase64 } from "${here}kernels_wasm.ts";
      import { createThreadPool } from "${here}thread_pool.ts";
      const module = new WebAssembly.Module(Uint8Array.from(atob(relaxedBase64), (c) => c.charCodeAt(0)));
      const memory = new WebAssembly.Memory({
        initial: memoryImport.initialPages, maximum: memoryImport.maximumPages, shared: true,
      });
      const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
      const job = Math.ceil(exports.__heap_base.value / 64) * 64;
      const state = new Int32Array(memory.buffer, job + 80, 3); // threads.c: job.state
      const serving = () => [state[1], state[2]].every((s) => s === 2);
      (() => {
        const pool = createThreadPool(module, memory, exports, job, 3);
        const end = performance.now() + 20000;
        while (!serving() && performance.now() < end) pool.run(2, (j) => exports.post_gemm(j, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2));
      })();
      const before = serving();
      for (let i = 0; i < 200 && state[1] + state[2] !== 0; i++) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      console.log(before, state[1], state[2]);
    `,
      60000,
      ["--v8-flags=--expose-gc"],
    );
    assert.equal(code, 0, stderr);
    assert.equal(stdout.trim(), "true 0 0", "serving (2) before, gone (0) after");
  },
});

/** The path of a Chromium-family browser, or undefined. */
function findChromium(): string | undefined {
  for (const path of ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The page of the browser test: on a 2-thread backend, products with a 1-thread backend's bits; then a pool's
 * worker running parts (the page yields so the browser can start it). It posts what it saw to /report.
 */
const BROWSER_PAGE = (core: string) => `
import { createWasmBackend } from "${core}backend_wasm.ts";
import { memoryImport, relaxedBase64 } from "${core}wasm/kernels_wasm.ts";
import { createThreadPool, threadsSupported } from "${core}wasm/thread_pool.ts";
const report = { supported: threadsSupported() };
try {
  const one = createWasmBackend(true, 1), two = createWasmBackend(true, 2);
  const m = 200, n = 300, k = 250;
  const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i));
  const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i));
  const want = new Float32Array(m * n), got = new Float32Array(m * n);
  one.matmul(a, b, want, m, n, k, false, false);
  const same = (c) => c.every((v, i) => Object.is(v, want[i]));
  report.threads = two.threads;
  report.same = true;
  for (let r = 0; r < 20; r++) {
    two.matmul(a, b, got, m, n, k, false, false);
    report.same &&= same(got);
  }
  if (report.supported) {
    const module = new WebAssembly.Module(Uint8Array.from(atob(relaxedBase64), (c) => c.charCodeAt(0)));
    const memory = new WebAssembly.Memory({
      initial: memoryImport.initialPages, maximum: memoryImport.maximumPages, shared: true,
    });
    const x = new WebAssembly.Instance(module, { env: { memory } }).exports;
    const align = (v) => Math.ceil(v / 64) * 64;
    const job = align(x.__heap_base.value), pa = align(job + x.job_bytes()), pb = align(pa + m * k * 4);
    const pc = align(pb + k * n * 4), pw = align(pc + m * n * 4), ws = align(x.workspace_f32(n) * 4);
    memory.grow(Math.ceil((pw + 2 * ws) / 65536));
    const f32 = new Float32Array(memory.buffer);
    f32.set(a, pa / 4);
    f32.set(b, pb / 4);
    const pool = createThreadPool(module, memory, x, job, 2);
    const end = performance.now() + 60000;
    while (pool.runs()[1] === 0 && performance.now() < end) {
      pool.run(4, (j) => x.post_gemm(j, 0, 0, 0, m, n, k, pa, pb, pc, 0, pw, ws, 4));
      report.same &&= same(f32.subarray(pc / 4, pc / 4 + m * n));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    report.workerRuns = pool.runs()[1];
  }
} catch (error) {
  report.error = String(error?.stack ?? error);
}
await fetch("/report", { method: "POST", body: JSON.stringify(report) });
`;

/** Bundles the browser page (Deno's esbuild-based `deno bundle`), serves it, opens it in headless Chromium. */
async function inChromium(chromium: string, isolated: boolean): Promise<Record<string, unknown>> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/page.js`, BROWSER_PAGE(new URL("../", import.meta.url).href));
    const bundled = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--quiet", "--platform", "browser", "-o", `${dir}/bundle.js`, `${dir}/page.js`],
      stderr: "piped",
    }).output();
    assert.ok(bundled.success, new TextDecoder().decode(bundled.stderr));
    // A cross-origin isolated page may share memory with its workers; any other page may not.
    const headers: Record<string, string> = isolated
      ? { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" }
      : {};
    const { promise: reported, resolve } = Promise.withResolvers<string>();
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/report") {
        resolve(await request.text());
        return new Response("ok");
      }
      if (path === "/bundle.js") {
        return new Response(await Deno.readFile(`${dir}/bundle.js`), {
          headers: { ...headers, "content-type": "text/javascript" },
        });
      }
      return new Response('<!doctype html><script type="module" src="/bundle.js"></script>', {
        headers: { ...headers, "content-type": "text/html" },
      });
    });
    const browser = new Deno.Command(chromium, {
      args: [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        `--user-data-dir=${dir}/profile`,
        `http://127.0.0.1:${server.addr.port}/`,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<string>((resolve) =>
      timer = setTimeout(() => resolve('{"error":"no report"}'), 120000)
    );
    try {
      return JSON.parse(await Promise.race([reported, timeout]));
    } finally {
      clearTimeout(timer);
      browser.kill();
      await browser.status;
      await server.shutdown();
    }
  } finally {
    // Chromium's helper processes may still be writing to the profile for a moment after it exits.
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        await Deno.remove(dir, { recursive: true });
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
}

const chromium = findChromium();
Deno.test({
  name: "in Chromium, a bundled page's workers run parts when cross-origin isolated; elsewhere 1 thread, same bits",
  ignore: chromium === undefined || Deno.permissions.querySync({ name: "run" }).state !== "granted" ||
    Deno.permissions.querySync({ name: "net", host: "127.0.0.1" }).state !== "granted",
  async fn() {
    const isolated = await inChromium(chromium!, true);
    assert.equal(isolated.error, undefined);
    assert.deepEqual({ ...isolated, workerRuns: (isolated.workerRuns as number) > 0 }, {
      supported: true,
      threads: 2,
      same: true,
      workerRuns: true,
    });
    const plain = await inChromium(chromium!, false);
    assert.deepEqual(plain, { supported: false, threads: 1, same: true });
  },
});
