import assert from "node:assert/strict";
import { type Tensor, tensor } from "../../core/tensor.ts";
import type { Tree } from "../../core/tree.ts";
import { clipByGlobalNorm } from "./clip_by_global_norm.ts";

function clipped(maxNorm: number | undefined, grads: Tree): Tree {
  const clip = clipByGlobalNorm(maxNorm === undefined ? {} : { maxNorm });
  return clip.update(grads, clip.init(grads), grads).updates;
}

const norm = (tree: { a: Tensor; b: Tensor }) => Math.hypot(...tree.a.data, ...tree.b.data);

Deno.test("clipByGlobalNorm() scales every leaf by maxNorm/‖g‖ when the global norm is larger", () => {
  const u = clipped(2, { a: tensor([6]), b: tensor([[0, 8]]) }) as { a: Tensor; b: Tensor };
  assert.ok(Math.abs(norm(u) - 2) < 1e-15);
  assert.ok(Math.abs(u.a.item() - 1.2) < 1e-15);
  assert.deepEqual(u.b.shape, [1, 2]);
  assert.ok(Math.abs(u.b.data[1] / u.a.item() - 8 / 6) < 1e-15, "the direction is kept");
});

Deno.test("clipByGlobalNorm() leaves gradients at or below maxNorm unchanged", () => {
  const small = { a: tensor([3]), b: tensor([4]) }; // norm 5
  assert.equal(clipped(5, small), small);
  assert.equal(clipped(10, small), small);
  const zero = { a: tensor([0]), b: tensor([0]) };
  assert.equal(clipped(1, zero), zero);
});

Deno.test("clipByGlobalNorm() scales to exactly maxNorm, without PyTorch's +1e-6 in the denominator", () => {
  const u = clipped(1, tensor([1e-3, 2e-3, 2e-3].map((v) => v * 1000))) as Tensor; // norm 3
  assert.deepEqual(u.toArray(), [1 / 3, 2 / 3, 2 / 3]);
});

Deno.test("clipByGlobalNorm() defaults to maxNorm 1 and keeps an empty state", () => {
  const clip = clipByGlobalNorm();
  const g = tensor([0, 10]);
  const { updates, state } = clip.update(g, clip.init(g), g);
  assert.deepEqual((updates as Tensor).toArray(), [0, 1]);
  assert.deepEqual(state, {});
});

Deno.test("clipByGlobalNorm() keeps float32 gradients float32", () => {
  const u = clipped(1, tensor([3, 4], [2], "float32")) as Tensor;
  assert.equal(u.dtype, "float32");
  assert.deepEqual(u.toArray(), [Math.fround(0.6), Math.fround(0.8)]);
});

Deno.test("clipByGlobalNorm() lets a NaN gradient through as NaN rather than hiding it", () => {
  const u = clipped(1, tensor([NaN, 1])) as Tensor;
  assert.ok(Number.isNaN(u.data[0]) && Number.isNaN(u.data[1]));
});

Deno.test("clipByGlobalNorm() throws RangeError when maxNorm is not positive", () => {
  for (const maxNorm of [0, -1]) {
    assert.throws(() => clipByGlobalNorm({ maxNorm }), {
      name: "RangeError",
      message:
        `Cannot create optimizer "clip-by-global-norm" as maxNorm must be a number in (0, ∞): current value is ${maxNorm}`,
    });
  }
});

Deno.test("clipByGlobalNorm() throws TypeError for a non-number maxNorm or an unknown option", () => {
  assert.throws(() => clipByGlobalNorm({ maxNorm: "1" } as never), {
    name: "TypeError",
    message:
      'Cannot create optimizer "clip-by-global-norm" as maxNorm must be a number in (0, ∞): current value is "1"',
  });
  assert.throws(() => clipByGlobalNorm({ max_norm: 1 } as never), {
    name: "TypeError",
    message:
      'Cannot create optimizer "clip-by-global-norm" as it has an unknown option "max_norm" (did you mean "maxNorm"?): known options are maxNorm',
  });
});
