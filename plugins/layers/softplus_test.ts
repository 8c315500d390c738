import assert from "node:assert/strict";
import * as libm from "../../core/libm.ts";
import { grad } from "../../core/autodiff.ts";
import { sum } from "../../core/ops/mod.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { softplus } from "./softplus.ts";

Deno.test("softplus() is log(1 + eˣ), and x itself above the threshold", () => {
  const { output } = softplus().apply({}, {}, tensor([[-1, 0, 20, 21]]), { training: false });
  assert.deepEqual(output.toArray(), [[libm.log1p(libm.exp(-1)), Math.LN2, libm.log1p(libm.exp(20)), 21]]);
});

Deno.test("softplus() with β is (1/β)·log(1 + e^{βx}), with derivative σ(βx)", () => {
  const layer = softplus({ beta: 2, threshold: 4 });
  const { output } = layer.apply({}, {}, tensor([[1, 3]]), { training: false });
  assert.deepEqual(output.toArray(), [[libm.log1p(libm.exp(2)) / 2, 3]]);
  const g = grad((x: Tensor) => sum(layer.apply({}, {}, x, { training: true }).output))(tensor([[0.5, 3]]));
  assert.ok(Math.abs(g.data[0] - 1 / (1 + Math.exp(-1))) < 1e-15);
  assert.equal(g.data[1], 1);
});

Deno.test("softplus() throws for β = 0 or an unknown option", () => {
  assert.throws(() => softplus({ beta: 0 }), /beta must not be 0/);
  assert.throws(() => softplus({ limit: 3 } as never), /unknown option "limit"/);
});
