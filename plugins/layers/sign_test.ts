import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { matmul, mul, square, sub, sum } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { sign } from "./sign.ts";

const x = tensor([[-3, -1, -0.5, 0, 0.5, 1, 3]]);
const gradOf = (layer: ReturnType<typeof sign>, at: Tensor) =>
  grad((v: Tensor) => sum(mul(layer.apply({}, {}, v, { training: true }).output, 2)))(at);

Deno.test("sign() maps to −1, 0 and 1 like torch.sign", () => {
  const layer = sign();
  const { outputShape } = layer.init([7], new Random(0));
  assert.deepEqual(outputShape, [7]);
  assert.deepEqual(layer.apply({}, {}, x, { training: false }).output.toArray(), [[-1, -1, -1, 0, 1, 1, 1]]);
  assert.deepEqual(
    sign({ straightThrough: true }).apply({}, {}, x, { training: false }).output.toArray(),
    [[-1, -1, -1, 0, 1, 1, 1]],
  );
});

Deno.test("sign() has gradient zero everywhere by default, including at the jump", () => {
  assert.deepEqual(gradOf(sign(), x).toArray(), [[0, 0, 0, 0, 0, 0, 0]]);
});

Deno.test("sign() with straightThrough passes the gradient unchanged", () => {
  assert.deepEqual(gradOf(sign({ straightThrough: true }), x).toArray(), [[2, 2, 2, 2, 2, 2, 2]]);
});

Deno.test("sign() with straightThrough and saturate passes the gradient only where |x| ≤ 1", () => {
  assert.deepEqual(gradOf(sign({ straightThrough: true, saturate: true }), x).toArray(), [[0, 2, 2, 2, 2, 2, 0]]);
});

Deno.test("sign() straight-through gradient of ½(sign(w·x) − y)² is the perceptron update direction", () => {
  const layer = sign({ straightThrough: true });
  const inputs = tensor([[1, 2], [-1, 0.5]]), targets = tensor([[-1], [1]]);
  const w = tensor([[0.3], [0.1]]);
  const loss = (v: Tensor) =>
    mul(sum(square(sub(layer.apply({}, {}, matmul(inputs, v), { training: true }).output, targets))), 0.5);
  // ŷ = sign(Xw) = [1, −1]; ∂/∂w = Xᵀ(ŷ − y) = Xᵀ[2, −2] = [4, 3].
  assert.deepEqual(grad(loss)(w).toArray(), [[4], [3]]);
});

Deno.test("sign() throws RangeError when saturate is set without straightThrough", () => {
  assert.throws(() => sign({ saturate: true }), {
    name: "RangeError",
    message:
      'Cannot create layer "sign" as saturate needs straightThrough: true (it shapes the straight-through gradient): current value is true',
  });
});

Deno.test("sign() throws TypeError for a non-boolean option or an unknown one", () => {
  assert.throws(() => sign({ straightThrough: 1 as unknown as boolean }), {
    name: "TypeError",
    message: 'Cannot create layer "sign" as straightThrough must be true or false: current value is 1',
  });
  assert.throws(() => sign({ ste: true } as never), /unknown option "ste"/);
});
