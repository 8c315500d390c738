import assert from "node:assert/strict";
import { vjp } from "../autodiff.ts";
import { tensor } from "../tensor.ts";
import { mul, relu, step } from "./elementwise.ts";

Deno.test("relu()'s VJP gives the bits of mul(g, step(x)): g above 0, g·0 (signed zero, NaN) elsewhere", () => {
  for (const dtype of ["float32", "float64"] as const) {
    const x = tensor([2, -1, 0, -0, NaN, 3, -5, 1e-30], [8], dtype);
    const g = tensor([-1.5, -2, 3, -0, 4, NaN, Infinity, -Infinity], [8], dtype);
    const got = vjp(relu, x).vjp(g);
    const expected = mul(g, step(x));
    assert.equal(got.dtype, dtype);
    got.data.forEach((v, i) =>
      assert.ok(Object.is(v, expected.data[i]), `${dtype} [${i}]: ${v} vs ${expected.data[i]}`)
    );
  }
});
