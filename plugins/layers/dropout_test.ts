import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { sum } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { ones, type Tensor, tensor } from "../../core/tensor.ts";
import { dropout } from "./dropout.ts";
import plugin from "./dropout.ts";

const N = 20_000;

Deno.test("dropout() is the identity in evaluation mode, without needing a generator", () => {
  const layer = dropout({ rate: 0.7 });
  const x = tensor([[1, 2, 3]]);
  assert.equal(layer.apply({}, {}, x, { training: false }).output, x);
});

Deno.test("dropout() in training zeroes about a fraction rate and scales the rest by 1/(1 − rate)", () => {
  const layer = dropout({ rate: 0.3 });
  const { output } = layer.apply({}, {}, ones([4, N / 4]), { training: true, rng: new Random(3) });
  const zeros = output.data.filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / N - 0.3) < 0.015, `fraction dropped ${zeros / N}`);
  assert.ok(output.data.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-15));
  // Inverted dropout keeps the expectation: the mean stays near 1.
  const mean = Array.from(output.data).reduce((s, v) => s + v, 0) / N;
  assert.ok(Math.abs(mean - 1) < 0.03, `mean ${mean}`);
});

Deno.test("dropout() defaults to rate 0.5 like PyTorch's p", () => {
  const { output } = dropout().apply({}, {}, ones([1, N]), { training: true, rng: new Random(4) });
  const zeros = output.data.filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / N - 0.5) < 0.015);
  assert.ok(output.data.every((v) => v === 0 || v === 2));
  assert.deepEqual(plugin.defaults, { rate: 0.5 });
});

Deno.test("dropout() draws the same mask from the same seed and a different one from another", () => {
  const layer = dropout();
  const x = ones([2, 50]);
  const a = layer.apply({}, {}, x, { training: true, rng: new Random(9) }).output;
  const b = layer.apply({}, {}, x, { training: true, rng: new Random(9) }).output;
  const c = layer.apply({}, {}, x, { training: true, rng: new Random(10) }).output;
  assert.deepEqual(a.toArray(), b.toArray());
  assert.notDeepEqual(a.toArray(), c.toArray());
});

Deno.test("dropout() gradient is the mask scaled by 1/(1 − rate)", () => {
  const layer = dropout({ rate: 0.25 });
  const x = tensor([[0.5, -2, 3, 1, 4, -1, 2, 0.1]]);
  const { output } = layer.apply({}, {}, x, { training: true, rng: new Random(2) });
  const g = grad((v: Tensor) => sum(layer.apply({}, {}, v, { training: true, rng: new Random(2) }).output))(x);
  g.data.forEach((d, i) => assert.equal(d, output.data[i] === 0 ? 0 : 1 / 0.75));
});

Deno.test("dropout() with rate 0 is the identity and with rate 1 zeroes everything", () => {
  const x = tensor([[1, -2]]);
  assert.equal(dropout({ rate: 0 }).apply({}, {}, x, { training: true }).output, x);
  const dropped = dropout({ rate: 1 }).apply({}, {}, x, { training: true, rng: new Random(0) }).output;
  assert.deepEqual(dropped.toArray(), [[0, -0]]);
});

Deno.test("dropout() keeps the input's dtype", () => {
  const x = tensor([[1, 2, 3]], undefined, "float32");
  assert.equal(dropout().apply({}, {}, x, { training: true, rng: new Random(0) }).output.dtype, "float32");
});

Deno.test("dropout() throws TypeError in training mode when context.rng is missing", () => {
  assert.throws(() => dropout().apply({}, {}, tensor([[1]]), { training: true }), {
    name: "TypeError",
    message:
      'Cannot apply layer "dropout" in training mode as context.rng must be a Random (pass { training: true, rng: new Random(seed) }): current value is undefined',
  });
});

Deno.test("dropout() throws on a rate outside [0, 1] or not a number", () => {
  assert.throws(() => dropout({ rate: 1.5 }), {
    name: "RangeError",
    message: 'Cannot create layer "dropout" as rate must be a number in [0, 1]: current value is 1.5',
  });
  assert.throws(() => dropout({ rate: "0.5" as unknown as number }), TypeError);
  assert.throws(() => dropout({ p: 0.5 } as never), /unknown option "p"/);
});
