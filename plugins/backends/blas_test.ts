import assert from "node:assert/strict";
import { jsBackend } from "../../core/backend.ts";
import { matmul } from "../../core/ops/mod.ts";
import { tensor } from "../../core/tensor.ts";
import { createRegistry } from "../mod.ts";
import { blas } from "./blas.ts";
import { skipUnlessAvailable } from "../../tests/_skip.ts";

/** Why OpenBLAS cannot be loaded here (it needs the library and --allow-ffi), or `null` when it can. */
function unavailable(): string | null {
  try {
    blas();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

const BLAS_TEST = "blas() multiplies in all orientations and both dtypes like a float64 triple loop";

Deno.test("blas() names the install command, or the missing permission, when the library cannot be loaded", () => {
  assert.throws(
    () => blas({ library: "/nonexistent/libopenblas.so.0" }),
    (error: Error) =>
      error instanceof TypeError &&
      (/apt-get install -y libopenblas0/.test(error.message) || /--allow-ffi/.test(error.message)),
  );
});

Deno.test("the default backend keeps working after blas() fails to load", () => {
  assert.throws(() => blas({ library: "/nonexistent/libopenblas.so.0" }));
  assert.deepEqual(matmul(tensor([[1, 2]]), tensor([[3], [4]])).toArray(), [[11]]);
  assert.equal(createRegistry().create("backend", "js"), jsBackend);
});

Deno.test("blas() throws for unknown options and a negative thread count", () => {
  assert.throws(() => blas({ lib: "x" } as never), TypeError);
  assert.throws(() => blas({ threads: -1 }), RangeError);
  assert.throws(() => blas({ library: 3 as never }), /library must be a string/);
});

// Outside CI, ignored (with the reason printed) where OpenBLAS or --allow-ffi is missing; under CI it runs, and
// blas() throwing fails it.
Deno.test({
  name: BLAS_TEST,
  ignore: skipUnlessAvailable(BLAS_TEST, unavailable()),
  fn() {
    const backend = blas();
    assert.equal(backend.name, "blas");
    for (const Type of [Float32Array, Float64Array]) {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
        const [m, n, k] = [7, 3, 5];
        const a = new Type(m * k).map((_, i) => (i % 6) - 2.5);
        const b = new Type(k * n).map((_, i) => (i % 4) * 0.5 + i / 16);
        const got = new Type(m * n).fill(Number.NaN);
        backend.matmul(a, b, got, m, n, k, ta, tb);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let want = 0;
            for (let p = 0; p < k; p++) want += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
            assert.ok(Math.abs(got[i * n + j] - want) < 1e-5, `${Type.name} ${ta} ${tb} [${i}, ${j}]`);
          }
        }
      }
    }
  },
});
