import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { sum } from "../../core/ops/mod.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { silu } from "./silu.ts";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

Deno.test("silu() is x·σ(x), with derivative σ(x)·(1 + x·(1 − σ(x)))", () => {
  const xs = [-3, -1.278, 0, 2];
  const { output } = silu().apply({}, {}, tensor([xs]), { training: false });
  xs.forEach((x, i) => assert.ok(Math.abs(output.data[i] - x * sigmoid(x)) < 1e-15));
  const g = grad((v: Tensor) => sum(silu().apply({}, {}, v, { training: true }).output))(tensor([xs]));
  xs.forEach((x, i) => assert.ok(Math.abs(g.data[i] - sigmoid(x) * (1 + x * (1 - sigmoid(x)))) < 1e-15));
});

Deno.test("silu() takes no option", () => {
  assert.throws(() => silu({ beta: 1 } as never), /unknown option "beta"/);
});
