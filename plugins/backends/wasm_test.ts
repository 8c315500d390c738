import assert from "node:assert/strict";
import { getBackend, setBackend } from "../../core/backend.ts";
import { matmul } from "../../core/ops/mod.ts";
import { Tensor } from "../../core/tensor.ts";
import { createRegistry } from "../mod.ts";
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
  assert.throws(() => wasm({ threads: 2 } as never), TypeError);
  assert.throws(() => wasm({ relaxed: "yes" as never }), /relaxed must be true or false: current value is "yes"/);
});

Deno.test('createRegistry() lists backend "wasm" and creates it by name', () => {
  const registry = createRegistry();
  assert.ok(registry.list("backend").some((p) => p.name === "wasm"));
  assert.equal(registry.create("backend", "wasm").name, "wasm");
});
