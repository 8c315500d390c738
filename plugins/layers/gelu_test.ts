import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { erf, sum } from "../../core/ops/mod.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { gelu } from "./gelu.ts";

const phi = (x: number) => 0.5 * (1 + erf(tensor([x / Math.SQRT2])).item());

Deno.test("gelu() is x·Φ(x), with derivative Φ(x) + x·φ(x)", () => {
  const layer = gelu();
  const xs = [-2, -0.5, 0, 1.5];
  const { output } = layer.apply({}, {}, tensor([xs]), { training: false });
  xs.forEach((x, i) => assert.ok(Math.abs(output.data[i] - x * phi(x)) < 1e-15));
  const g = grad((v: Tensor) => sum(layer.apply({}, {}, v, { training: true }).output))(tensor([xs]));
  xs.forEach((x, i) => {
    const expected = phi(x) + x * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
    assert.ok(Math.abs(g.data[i] - expected) < 1e-14, `${g.data[i]} vs ${expected}`);
  });
});

Deno.test('gelu({ approximate: "tanh" }) is the tanh form, within 5e-4 of the exact one', () => {
  const { output } = gelu({ approximate: "tanh" }).apply({}, {}, tensor([[1]]), { training: false });
  const expected = 0.5 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (1 + 0.044715)));
  assert.ok(Math.abs(output.item() - expected) < 1e-15);
  assert.ok(Math.abs(output.item() - phi(1)) < 5e-4);
});

Deno.test("gelu() throws for an unknown approximation", () => {
  assert.throws(() => gelu({ approximate: "sigmoid" as never }), {
    name: "RangeError",
    message: 'Cannot create layer "gelu" as approximate must be one of "none", "tanh": current value is "sigmoid"',
  });
});
