import assert from "node:assert/strict";
import { getBackend, setBackend } from "../../core/backend.ts";
import { matmul } from "../../core/ops/mod.ts";
import { Tensor } from "../../core/tensor.ts";
import { flattenTree } from "../../core/tree.ts";
import { train } from "../../train/train.ts";
import { createRegistry } from "../mod.ts";
import type { WasmBackend } from "../../core/backend_wasm.ts";
import { wasm } from "./wasm.ts";

function ramp(length: number, scale: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => ((i * 37) % 23) * scale - 0.5);
}

Deno.test("wasm() multiplies float32 and float64 matrices like the js backend", () => {
  const backend = wasm();
  const js = createRegistry().create("backend", "js");
  for (const Type of [Float32Array, Float64Array]) {
    const a = Type.from(ramp(70 * 90, 0.05)), b = Type.from(ramp(90 * 50, 0.03));
    const got = new Type(70 * 50), want = new Type(70 * 50);
    backend.matmul(a, b, got, 70, 50, 90, false, false);
    js.matmul(a, b, want, 70, 50, 90, false, false);
    for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-4, `element ${i}`);
  }
});

Deno.test("wasm() grows its memory for a larger product and reuses it for a smaller one", () => {
  const backend = wasm();
  for (const n of [64, 400, 64]) {
    const a = new Float32Array(n * n).fill(1), out = new Float32Array(n * n);
    backend.matmul(a, a, out, n, n, n, false, true);
    assert.ok(out.every((v) => v === n), `n = ${n}`);
  }
});

Deno.test("wasm() serves the matmul op when it is the active backend", () => {
  const previous = setBackend(wasm({ relaxed: false }));
  try {
    assert.equal(getBackend().name, "wasm");
    const a = new Tensor(new Float32Array(40 * 30).fill(0.5), [40, 30]);
    const c = matmul(a, a, { transposeA: true });
    assert.deepEqual(c.shape, [30, 30]);
    assert.ok([...c.data].every((v) => v === 10));
  } finally {
    setBackend(previous);
  }
});

Deno.test("wasm() throws TypeError for an unknown option or a non-boolean relaxed", () => {
  assert.throws(() => wasm({ thread: 2 } as never), TypeError);
  assert.throws(() => wasm({ relaxed: "yes" as never }), /relaxed must be true or false: current value is "yes"/);
});

Deno.test("wasm() checks threads: an integer from 1 to 64, the machine's cores by default", () => {
  const message = (value: string) =>
    `Cannot create backend "wasm" as threads must be an integer in [1, 64]: current value is ${value}`;
  assert.throws(() => wasm({ threads: "2" as never }), { name: "TypeError", message: message('"2"') });
  assert.throws(() => wasm({ threads: Number.NaN }), { name: "TypeError", message: message("NaN") });
  for (const bad of [0, -1, 1.5, 65]) {
    assert.throws(() => wasm({ threads: bad }), { name: "RangeError", message: message(String(bad)) });
  }
  assert.equal(wasm({ threads: 1 }).threads, 1);
  assert.equal(wasm({ threads: 3 }).threads, 3, "more threads than cores is allowed");
  assert.equal(wasm().threads, Math.min(navigator.hardwareConcurrency, 64));
});

Deno.test("wasm() gives the same bits on 1, 2 and 3 threads, and on repeated runs", () => {
  const backends = [1, 2, 3].map((threads) => wasm({ threads }));
  // Row bands (m ≥ n) and column bands, all orientations, sizes that leave partial tiles and bands.
  for (const [m, n, k] of [[130, 70, 129], [61, 333, 97], [257, 255, 31]]) {
    for (const Type of [Float32Array, Float64Array]) {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
        const a = Type.from(ramp(m * k, 0.013)), b = Type.from(ramp(k * n, 0.021));
        const want = new Type(m * n);
        backends[0].matmul(a, b, want, m, n, k, ta, tb);
        for (const backend of backends) {
          for (let repeat = 0; repeat < 2; repeat++) {
            const got = new Type(m * n).fill(Number.NaN);
            backend.matmul(a, b, got, m, n, k, ta, tb);
            assert.ok(
              got.every((v, i) => Object.is(v, want[i])),
              `${Type.name} ${m}×${n}·${k} ta=${ta} tb=${tb} on ${backend.threads} threads`,
            );
          }
        }
      }
    }
  }
});

Deno.test("wasm() runs on one thread, with the same bits, where memory cannot be shared", () => {
  const a = ramp(200 * 300, 0.01), b = ramp(300 * 150, 0.02), want = new Float32Array(200 * 150);
  wasm({ threads: 1 }).matmul(a, b, want, 200, 150, 300, false, false);
  const sab = globalThis.SharedArrayBuffer;
  // deno-lint-ignore no-explicit-any
  (globalThis as any).SharedArrayBuffer = undefined; // a browser page that is not cross-origin isolated
  let backend;
  try {
    backend = wasm({ threads: 4 });
  } finally {
    globalThis.SharedArrayBuffer = sab;
  }
  assert.equal(backend.threads, 1);
  const got = new Float32Array(200 * 150);
  backend.matmul(a, b, got, 200, 150, 300, false, false);
  assert.deepEqual(got, want);
});

Deno.test('createRegistry() lists backend "wasm" and creates it by name, with its threads', () => {
  const registry = createRegistry();
  assert.ok(registry.list("backend").some((p) => p.name === "wasm"));
  assert.equal(registry.create("backend", "wasm").name, "wasm");
  const one = registry.create("backend", "wasm", { threads: 1 }) as WasmBackend;
  assert.equal(one.threads, 1);
  assert.throws(() => registry.create("backend", "wasm", { threads: 0 }), RangeError);
});

Deno.test('train({ backend: { name: "wasm", threads } }) trains on that many threads, to the same bits', async () => {
  const samples = 256, features = 200;
  const x = new Tensor(Float32Array.from(ramp(samples * features, 0.01)), [samples, features]);
  const y = new Tensor(Float32Array.from({ length: samples }, (_, i) => (i % 3) - 1), [samples, 1]);
  const run = async (threads: number) => {
    let seen = 0;
    const result = await train({
      model: [{ name: "dense", units: 256 }, { name: "relu" }, { name: "dense", units: 1 }],
      loss: "mse",
      optimizer: { name: "adam", learningRate: 0.01 },
      data: { x, y },
      batchSize: 128,
      epochs: 2,
      seed: 3,
      backend: { name: "wasm", threads },
      callbacks: [{ onEpochEnd: () => void (seen = (getBackend() as WasmBackend).threads) }],
    });
    return { seen, params: flattenTree(result.params).map(([, t]) => t.data) };
  };
  const one = await run(1), two = await run(2);
  assert.deepEqual([one.seen, two.seen], [1, 2]);
  assert.deepEqual(two.params, one.params);
});
