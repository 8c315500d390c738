import assert from "node:assert/strict";
import { Random } from "./random.ts";

Deno.test("Random gives the same stream for the same seed and different streams for different seeds", () => {
  const a = new Random(7), b = new Random(7), c = new Random(8);
  const sa = Array.from({ length: 5 }, () => a.uniform());
  assert.deepEqual(sa, Array.from({ length: 5 }, () => b.uniform()));
  assert.notDeepEqual(sa, Array.from({ length: 5 }, () => c.uniform()));
});

Deno.test("Random.uniform() stays in [low, high) with the right mean", () => {
  const r = new Random(1);
  let total = 0;
  for (let i = 0; i < 20000; i++) {
    const u = r.uniform(-2, 3);
    assert.ok(u >= -2 && u < 3);
    total += u;
  }
  assert.ok(Math.abs(total / 20000 - 0.5) < 0.05);
});

Deno.test("Random.normal() has the requested mean and standard deviation", () => {
  const r = new Random(2);
  const n = 40000;
  const xs = Array.from({ length: n }, () => r.normal(3, 2));
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
  assert.ok(Math.abs(mean - 3) < 0.05, `mean ${mean}`);
  assert.ok(Math.abs(Math.sqrt(variance) - 2) < 0.05, `std ${Math.sqrt(variance)}`);
});

Deno.test("Random.int() covers every outcome without bias", () => {
  const r = new Random(3);
  const counts = new Array(6).fill(0);
  for (let i = 0; i < 60000; i++) counts[r.int(6)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 500, `counts ${counts}`);
  assert.throws(() => r.int(0), RangeError);
});

Deno.test("Random.permutation() is a permutation", () => {
  const p = new Random(4).permutation(50);
  assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
});

Deno.test("Random state saved with getState() restores the exact stream, spare normal included", () => {
  const r = new Random(5);
  r.normal();
  const state = JSON.parse(JSON.stringify(r.getState()));
  const next = [r.normal(), r.uniform(), r.int(100)];
  const s = new Random(0);
  s.setState(state);
  assert.deepEqual([s.normal(), s.uniform(), s.int(100)], next);
});

Deno.test("Random.setState() rejects malformed state with a TypeError", () => {
  assert.throws(
    () => new Random(0).setState({ words: [1, 2, 3], spare: null } as never),
    /four 32-bit unsigned integers/,
  );
});

Deno.test("Random rejects a seed that is not a safe integer", () => {
  assert.throws(() => new Random(0.5), {
    name: "TypeError",
    message: /seed must be a safe integer: current value is 0.5/,
  });
});

Deno.test("Random.fork() gives an independent, reproducible stream", () => {
  const a = new Random(9).fork(), b = new Random(9).fork();
  assert.equal(a.uniform(), b.uniform());
});
