import assert from "node:assert/strict";
import * as libm from "../libm.ts";
import { grad } from "../autodiff.ts";
import { type Tensor, tensor } from "../tensor.ts";
import { elu, erf, gelu, leakyRelu, silu, softplus } from "./activation.ts";
import { sum } from "./mod.ts";

/** erf to 16 digits (Python's math.erf). */
const ERF: [number, number][] = [
  [0.1, 0.1124629160182849],
  [0.5, 0.5204998778130465],
  [1, 0.8427007929497149],
  [2.5, 0.999593047982555],
  [3.5, 0.9999992569016276],
  [5, 0.9999999999984626],
  [-0.7, -0.6778011938374184],
];

Deno.test("erf() is within 3 ulps of the correctly rounded value in float64, odd, and ±1 far out", () => {
  const y = erf(tensor(ERF.map(([x]) => x)));
  ERF.forEach(([, e], i) =>
    assert.ok(Math.abs(y.data[i] - e) <= 3 * 2 ** -52, `erf(${ERF[i][0]}) = ${y.data[i]}, not ${e}`)
  );
  assert.deepEqual(erf(tensor([0, 7, -30, Infinity])).toArray(), [0, 1, -1, 1]);
  assert.ok(Number.isNaN(erf(tensor([NaN])).item()));
});

Deno.test("erf() has the derivative 2/√π·e^{−x²}", () => {
  const g = grad((x: Tensor) => sum(erf(x)))(tensor([0, 1.5]));
  assert.ok(Math.abs(g.data[0] - 2 / Math.sqrt(Math.PI)) < 1e-15);
  assert.ok(Math.abs(g.data[1] - 2 / Math.sqrt(Math.PI) * Math.exp(-2.25)) < 1e-15);
});

Deno.test("leakyRelu() scales negative inputs, and its derivative at 0 is the slope (PyTorch's)", () => {
  assert.deepEqual(leakyRelu(tensor([-3, 0, 2])).toArray(), [-0.03, 0, 2]);
  assert.deepEqual(grad((x: Tensor) => sum(leakyRelu(x, 0.2)))(tensor([-1, 0, 1])).toArray(), [0.2, 0.2, 1]);
});

Deno.test("elu() uses expm1 below 0, so tiny negative inputs keep their relative precision", () => {
  const y = elu(tensor([-1e-10, -1, 3]), 2);
  assert.equal(y.data[0], 2 * libm.expm1(-1e-10));
  assert.equal(y.data[1], 2 * libm.expm1(-1));
  assert.equal(y.data[2], 3);
  assert.deepEqual(grad((x: Tensor) => sum(elu(x, 2)))(tensor([-1, 0, 1])).toArray(), [2 * libm.expm1(-1) + 2, 2, 1]);
});

Deno.test("gelu() is x·Φ(x) exactly, and within 5e-4 of it with the tanh approximation", () => {
  const xs = [-3, -1, -0.2, 0, 0.5, 2];
  const exact = gelu(tensor(xs)), approx = gelu(tensor(xs), { approximate: "tanh" });
  const phi = (x: number) => 0.5 * (1 + erf(tensor([x / Math.SQRT2])).item());
  xs.forEach((x, i) => {
    assert.ok(Math.abs(exact.data[i] - x * phi(x)) < 1e-15);
    assert.ok(Math.abs(approx.data[i] - exact.data[i]) < 5e-4);
  });
  assert.throws(() => gelu(tensor([1]), { approximate: "erf" as never }), /approximate must be one of "none", "tanh"/);
});

Deno.test("softplus() follows PyTorch: log1p(e^{βx})/β, and x above the threshold", () => {
  const y = softplus(tensor([-40, 0, 10, 11]), { beta: 2, threshold: 20 });
  assert.equal(y.data[0], libm.log1p(libm.exp(-80)) / 2);
  assert.equal(y.data[1], Math.LN2 / 2);
  assert.equal(y.data[2], libm.log1p(libm.exp(20)) / 2);
  assert.equal(y.data[3], 11);
  const g = grad((x: Tensor) => sum(softplus(x)))(tensor([0, 30]));
  assert.deepEqual(g.toArray(), [0.5, 1]);
  assert.throws(() => softplus(tensor([1]), { beta: 0 }), /beta must not be 0/);
});

Deno.test("silu() is x·σ(x), finite at the extremes", () => {
  assert.deepEqual(silu(tensor([0, -800, 800])).toArray(), [0, -0, 800]);
  assert.ok(Math.abs(silu(tensor([1])).item() - 1 / (1 + Math.exp(-1))) < 1e-15);
});

Deno.test("the activations keep float32 inputs float32", () => {
  const x = tensor([-1, 0.5], [2], "float32");
  for (const f of [erf, (v: Tensor) => gelu(v), (v: Tensor) => elu(v), (v: Tensor) => softplus(v), silu, leakyRelu]) {
    assert.equal(f(x).dtype, "float32");
  }
});
