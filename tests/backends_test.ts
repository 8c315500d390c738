/**
 * Every built-in backend's kernels against a plain reference: matmul in all
 * four orientations and both dtypes against a float64 triple loop, on fixed
 * edge shapes (1×N, N×1, k = 1, odd sizes, sizes that cross the packing
 * blocks) and seeded random ones; the elementwise and reduction kernels
 * (and the optional fused kernels a backend has) against the default
 * TypeScript ones. A backend that cannot be created here
 * ("blas" without OpenBLAS or --allow-ffi) is reported as ignored.
 */

import assert from "node:assert/strict";
import { type Backend, jsBackend } from "../core/backend.ts";
import { Random } from "../core/random.ts";
import type { TypedArray } from "../core/tensor.ts";
import { backendPlugins } from "../plugins/backends/mod.ts";
import { wasm } from "../plugins/backends/wasm.ts";

type Dtype = "float32" | "float64";

function values(rng: Random, length: number, dtype: Dtype): TypedArray {
  const out = dtype === "float32" ? new Float32Array(length) : new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.uniform(-1, 1);
  return out;
}

/** Checks `backend.matmul` on one shape and orientation against a float64 triple loop. */
function checkMatmul(
  backend: Backend,
  rng: Random,
  m: number,
  n: number,
  k: number,
  ta: boolean,
  tb: boolean,
  dtype: Dtype,
) {
  const a = values(rng, m * k, dtype), b = values(rng, k * n, dtype);
  const out = dtype === "float32" ? new Float32Array(m * n) : new Float64Array(m * n);
  out.fill(Number.NaN); // every element must be overwritten
  backend.matmul(a, b, out, m, n, k, ta, tb);
  const eps = dtype === "float32" ? 1.2e-7 : 2.3e-16;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0, magnitude = 0;
      for (let p = 0; p < k; p++) {
        const term = (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
        sum += term;
        magnitude += Math.abs(term);
      }
      const got = out[i * n + j];
      const tolerance = 2 * (k + 2) * eps * magnitude + 1e-30;
      if (!(Math.abs(got - sum) <= tolerance)) {
        assert.fail(
          `${backend.name} matmul ${dtype} m=${m} n=${n} k=${k} transposeA=${ta} transposeB=${tb}: ` +
            `out[${i}, ${j}] is ${got}, reference ${sum} (tolerance ${tolerance})`,
        );
      }
    }
  }
}

/** Edge shapes [m, n, k]: vectors, k = 1, odd sizes, k across two packed blocks, m across two row blocks. */
const EDGE_SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 37, 19],
  [37, 1, 19],
  [1, 1, 300],
  [23, 29, 1],
  [4, 8, 16],
  [13, 17, 300],
  [33, 65, 513],
  [131, 9, 7],
  [5, 300, 3],
  [130, 10, 128],
  [3, 5, 0],
];

function randomShapes(rng: Random, count: number): [number, number, number][] {
  const size = () => (rng.uniform(0, 1) < 0.2 ? 1 : 1 + rng.int(70));
  return Array.from({ length: count }, () => [size(), size(), size()]);
}

interface Candidate {
  name: string;
  backend?: Backend;
  why?: string;
}

const candidates: Candidate[] = backendPlugins.map((plugin) => {
  try {
    return { name: plugin.name, backend: plugin.create({}) as Backend };
  } catch (error) {
    return { name: plugin.name, why: (error as Error).message };
  }
});
// Both builds of the WebAssembly module, whichever the engine would pick.
candidates.push({ name: "wasm (plain SIMD128)", backend: wasm({ relaxed: false }) });

for (const { name, backend, why } of candidates) {
  Deno.test({
    name: `backend "${name}" kernels match the plain reference on edge and random shapes${
      why === undefined ? "" : ` (not available here: ${why})`
    }`,
    ignore: backend === undefined,
    fn: async (t) => {
      const be = backend!;
      await t.step("matmul in all orientations and both dtypes", () => {
        const rng = new Random(7);
        for (const [m, n, k] of [...EDGE_SHAPES, ...randomShapes(rng, 24)]) {
          for (const dtype of ["float32", "float64"] as const) {
            for (const ta of [false, true]) {
              for (const tb of [false, true]) checkMatmul(be, rng, m, n, k, ta, tb, dtype);
            }
          }
        }
      });

      await t.step("matmul gives the same result when called twice with other sizes in between", () => {
        const rng = new Random(11);
        const a = values(rng, 40 * 50, "float32"), b = values(rng, 50 * 60, "float32");
        const first = new Float32Array(40 * 60), again = new Float32Array(40 * 60);
        be.matmul(a, b, first, 40, 60, 50, false, false);
        checkMatmul(be, rng, 200, 150, 300, true, false, "float32");
        be.matmul(a, b, again, 40, 60, 50, false, false);
        assert.deepEqual(again, first);
      });

      await t.step("elementwise and reduction kernels agree with the default ones", () => {
        const rng = new Random(3);
        for (const dtype of ["float32", "float64"] as const) {
          const x = values(rng, 6 * 5, dtype);
          x[0] = 0, x[1] = Number.NaN, x[2] = Infinity;
          const y = values(rng, 5, dtype);
          const make = (n: number) => (dtype === "float32" ? new Float32Array(n) : new Float64Array(n));
          for (const op of ["neg", "exp", "tanh", "sigmoid", "relu", "abs", "square", "sign", "step"] as const) {
            const got = make(30), want = make(30);
            be.unary(op, x, got);
            jsBackend.unary(op, x, want);
            assert.deepEqual(got, want, `${name} unary ${op}`);
          }
          for (const op of ["add", "sub", "mul", "div", "maximum", "greater"] as const) {
            const got = make(30), want = make(30);
            be.binary(op, x, [6, 5], y, [5], got, [6, 5]);
            jsBackend.binary(op, x, [6, 5], y, [5], want, [6, 5]);
            assert.deepEqual(got, want, `${name} binary ${op}`);
          }
          if (be.biasActivation !== undefined) {
            for (const activation of ["none", "relu"] as const) {
              const got = make(30), want = make(30);
              be.biasActivation(x, y, got, 6, 5, activation);
              jsBackend.biasActivation!(x, y, want, 6, 5, activation);
              assert.deepEqual(got, want, `${name} biasActivation ${activation}`);
            }
          }
          if (be.adamStep !== undefined) {
            const g = values(rng, 30, dtype), m = values(rng, 30, dtype), v = values(rng, 30, dtype).map(Math.abs);
            const got = [make(30), make(30), make(30)], want = [make(30), make(30), make(30)];
            const scalars = { beta1: 0.9, beta2: 0.999, stepSize: 0.01, biasCorrection2Sqrt: 0.05, epsilon: 1e-8 };
            be.adamStep(g, m, v, got[0], got[1], got[2], scalars);
            jsBackend.adamStep!(g, m, v, want[0], want[1], want[2], scalars);
            assert.deepEqual(got, want, `${name} adamStep`);
          }
          for (const op of ["sum", "max"] as const) {
            const got = make(5), want = make(5);
            be.reduce(op, x, 1, 6, 5, got);
            jsBackend.reduce(op, x, 1, 6, 5, want);
            assert.deepEqual(got, want, `${name} reduce ${op}`);
          }
        }
      });
    },
  });
}
