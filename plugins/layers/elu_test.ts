import assert from "node:assert/strict";
import * as libm from "../../core/libm.ts";
import { grad } from "../../core/autodiff.ts";
import { sum } from "../../core/ops/mod.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { elu } from "./elu.ts";

Deno.test("elu() is x above 0 and α(eˣ − 1) below", () => {
  const { output } = elu({ alpha: 2 }).apply({}, {}, tensor([[-1, 0, 3]]), { training: false });
  assert.deepEqual(output.toArray(), [[2 * libm.expm1(-1), 0, 3]]);
});

Deno.test("elu() has gradient α·eˣ below 0 and 1 above", () => {
  const g = grad((x: Tensor) => sum(elu({ alpha: 0.5 }).apply({}, {}, x, { training: true }).output))(
    tensor([[-2, 2]]),
  );
  assert.deepEqual(g.toArray(), [[0.5 * libm.expm1(-2) + 0.5, 1]]);
});

Deno.test("elu() throws for a bad option", () => {
  assert.throws(() => elu({ alpha: NaN }), /alpha must be a finite number/);
});
