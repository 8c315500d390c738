import assert from "node:assert/strict";
import { jsBackend } from "../../core/backend.ts";
import { matmul } from "../../core/ops/mod.ts";
import { tensor } from "../../core/tensor.ts";
import { createRegistry } from "../mod.ts";
import { blas } from "./blas.ts";

/** Whether OpenBLAS can be loaded here (it needs the library and --allow-ffi). */
function loadable(): boolean {
  try {
    blas();
    return true;
  } catch {
    return false;
  }
}

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

Deno.test({
  name: "blas() multiplies in all orientations and both dtypes like the js backend",
  ignore: !loadable(),
  fn() {
    const backend = blas();
    assert.equal(backend.name, "blas");
    for (const Type of [Float32Array, Float64Array]) {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
        const a = new Type(7 * 5).map((_, i) => (i % 6) - 2.5);
        const b = new Type(5 * 3).map((_, i) => (i % 4) * 0.5);
        const got = new Type(21), want = new Type(21);
        backend.matmul(a, b, got, 7, 3, 5, ta, tb);
        jsBackend.matmul(a, b, want, 7, 3, 5, ta, tb);
        for (let i = 0; i < 21; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-5);
      }
    }
  },
});
