import assert from "node:assert/strict";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { rmsprop, type RmspropOptions } from "./rmsprop.ts";

function updatesFor(options: RmspropOptions, grads: number[], param = 0): number[] {
  const opt = rmsprop(options);
  const p = tensor([param]);
  let state = opt.init(p);
  return grads.map((g) => {
    const r = opt.update(tensor([g]), state, p);
    state = r.state;
    return (r.updates as Tensor).item();
  });
}

Deno.test("rmsprop() divides by √s + ε with s ← α·s + (1 − α)·g²", () => {
  // α = 0.75: s1 = 0.25·16 = 4, step −0.5·4/2; s2 = 3 + 0.25·4 = 4, step −0.5·2/2
  assert.deepEqual(updatesFor({ learningRate: 0.5, alpha: 0.75, epsilon: 0 }, [4, 2]), [-1, -0.5]);
});

Deno.test("rmsprop() adds ε after the square root, as PyTorch does", () => {
  // α = 0: s = g² = 9, r = 3 + 1 (TensorFlow's √(9 + 1) would differ)
  assert.deepEqual(updatesFor({ learningRate: 1, alpha: 0, epsilon: 1 }, [3]), [-0.75]);
});

Deno.test("rmsprop() defaults: η = 0.01, α = 0.99, ε = 1e-8", () => {
  const [u] = updatesFor({}, [1]);
  assert.equal(u, -0.01 / (Math.sqrt(1 - 0.99) + 1e-8));
});

Deno.test("rmsprop() centered with momentum takes PyTorch's steps", () => {
  // Computed by hand from torch.optim.RMSprop(alpha=0.9, eps=0, momentum=0.5, centered=True), lr 0.1, g = 2 then −1:
  // s = 0.4, ḡ = 0.2, r = √0.36 = 0.6, b = 2/0.6; s = 0.46, ḡ = 0.08, r = √0.4536, b = b/2 − 1/r.
  const [a, b] = updatesFor({ learningRate: 0.1, alpha: 0.9, epsilon: 0, momentum: 0.5, centered: true }, [2, -1]);
  assert.ok(Math.abs(a - -0.33333333333333337) < 1e-16, `${a}`);
  assert.ok(Math.abs(b - -0.018188198937542) < 1e-16, `${b}`);
});

Deno.test("rmsprop() keeps only the buffers its options use", () => {
  const p = tensor([1]);
  assert.deepEqual(Object.keys(rmsprop().init(p)), ["step", "squareAvg", "gradAvg", "buffer"]);
  const plain = rmsprop().init(p);
  assert.equal(plain.gradAvg, null);
  assert.equal(plain.buffer, null);
  const full = rmsprop({ centered: true, momentum: 0.9 }).init(p);
  assert.deepEqual((full.gradAvg as Tensor).toArray(), [0]);
  assert.deepEqual((full.buffer as Tensor).toArray(), [0]);
});

Deno.test("rmsprop() adds weightDecay·θ to the gradient", () => {
  assert.deepEqual(
    updatesFor({ learningRate: 1, alpha: 0, epsilon: 0, weightDecay: 0.5 }, [0], 4),
    updatesFor({ learningRate: 1, alpha: 0, epsilon: 0 }, [2]),
  );
});

Deno.test("rmsprop() throws RangeError when alpha is outside [0, 1]", () => {
  assert.throws(() => rmsprop({ alpha: 1.01 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "rmsprop" as alpha must be a number in [0, 1]: current value is 1.01',
  });
});

Deno.test("rmsprop() throws TypeError when centered is not a boolean", () => {
  assert.throws(() => rmsprop({ centered: "yes" } as never), {
    name: "TypeError",
    message: 'Cannot create optimizer "rmsprop" as centered must be true or false: current value is "yes"',
  });
});

Deno.test("rmsprop() throws RangeError for a negative momentum", () => {
  assert.throws(() => rmsprop({ momentum: -0.9 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "rmsprop" as momentum must be a number in [0, ∞): current value is -0.9',
  });
});

Deno.test("rmsprop().update() throws RangeError when the state lacks a buffer its options need", () => {
  const p = tensor([1]);
  const state = rmsprop().init(p);
  const centered = rmsprop({ centered: true });
  assert.throws(() => centered.update(p, state, p), {
    name: "RangeError",
    message:
      'Cannot update optimizer "rmsprop" as state gradAvg must be tensors shaped like the gradient (was the state made by another configuration?): current value is null',
  });
});
