import assert from "node:assert/strict";
import type { Optimizer } from "../../core/interfaces.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { applyUpdates, type Tree } from "../../core/tree.ts";
import { sgd, type SgdState } from "./sgd.ts";

/** The updates of successive steps for the given gradients, starting from `params`. */
function updatesFor(opt: Optimizer<SgdState>, grads: number[][], params = tensor(grads[0].map(() => 0))): number[][] {
  let p: Tensor = params;
  let state = opt.init(p);
  return grads.map((g) => {
    const r = opt.update(tensor(g), state, p);
    p = applyUpdates(p, r.updates);
    state = r.state;
    return Array.from((r.updates as Tensor).data);
  });
}

Deno.test("sgd() takes the step −ε·g", () => {
  assert.deepEqual(updatesFor(sgd({ learningRate: 0.5 }), [[2, -4]]), [[-1, 2]]);
});

Deno.test("sgd() defaults to PyTorch's learning rate 1e-3 and no momentum", () => {
  const opt = sgd();
  assert.deepEqual(updatesFor(opt, [[1], [1]]), [[-1e-3], [-1e-3]]);
  assert.deepEqual(opt.init(tensor([1])), { step: 0, buffer: null });
});

Deno.test("sgd() adds weightDecay·θ to the gradient (coupled L2)", () => {
  const opt = sgd({ learningRate: 0.1, weightDecay: 0.5 });
  assert.deepEqual(updatesFor(opt, [[0, 0]], tensor([1, -2])), [[-0.05, 0.1]]);
});

Deno.test("sgd() with momentum starts the buffer at g without dampening it, as PyTorch does", () => {
  const opt = sgd({ learningRate: 1, momentum: 0.5, dampening: 0.5 });
  // b1 = g1 = 2; b2 = 0.5·2 + 0.5·4 = 3; b3 = 0.5·3 + 0.5·(−2) = 0.5
  assert.deepEqual(updatesFor(opt, [[2], [4], [-2]]), [[-2], [-3], [-0.5]]);
});

Deno.test("sgd() with nesterov steps along g + μ·b", () => {
  const opt = sgd({ learningRate: 1, momentum: 0.5, nesterov: true });
  // b1 = 2, d1 = 2 + 1 = 3; b2 = 1 + 2 = 3, d2 = 2 + 1.5 = 3.5
  assert.deepEqual(updatesFor(opt, [[2], [2]]), [[-3], [-3.5]]);
});

Deno.test("sgd() reads a schedule at steps 0, 1, 2…", () => {
  const asked: number[] = [];
  const opt = sgd({ learningRate: (k) => (asked.push(k), 1 / (k + 1)) });
  assert.deepEqual(updatesFor(opt, [[1], [1], [1]]), [[-1], [-0.5], [-1 / 3]]);
  assert.deepEqual(asked, [0, 1, 2]);
});

Deno.test("sgd() updates trees leaf by leaf and keeps float32 leaves float32", () => {
  const opt = sgd({ learningRate: 0.5, momentum: 0.9 });
  const params: Tree = { w: tensor([1, 2], [2], "float32"), layers: [tensor([[3]])] };
  const grads: Tree = { w: tensor([2, 2], [2], "float32"), layers: [tensor([[4]])] };
  const { updates, state } = opt.update(grads, opt.init(params), params);
  const u = updates as { w: Tensor; layers: Tensor[] };
  assert.equal(u.w.dtype, "float32");
  assert.deepEqual(u.w.toArray(), [-1, -1]);
  assert.deepEqual(u.layers[0].toArray(), [[-2]]);
  assert.equal((state.buffer as { w: Tensor }).w.dtype, "float32");
  assert.equal(state.step, 1);
});

Deno.test("sgd() throws RangeError when nesterov has no momentum or has dampening", () => {
  assert.throws(() => sgd({ nesterov: true }), {
    name: "RangeError",
    message:
      'Cannot create optimizer "sgd" as nesterov requires momentum > 0 and dampening = 0: current values are momentum 0, dampening 0',
  });
  assert.throws(() => sgd({ nesterov: true, momentum: 0.9, dampening: 0.1 }), RangeError);
});

Deno.test("sgd() throws RangeError for a negative learning rate, momentum or weight decay", () => {
  for (const option of ["learningRate", "momentum", "weightDecay"]) {
    assert.throws(() => sgd({ [option]: -1 }), {
      name: "RangeError",
      message: `Cannot create optimizer "sgd" as ${option} must be a number in [0, ∞): current value is -1`,
    });
  }
  assert.throws(() => sgd({ dampening: 1.5 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "sgd" as dampening must be a number in [0, 1]: current value is 1.5',
  });
});

Deno.test("sgd() throws TypeError for an unknown option or a wrong type", () => {
  assert.throws(() => sgd({ learningrate: 0.1 } as never), {
    name: "TypeError",
    message:
      'Cannot create optimizer "sgd" as it has an unknown option "learningrate" (did you mean "learningRate"?): known options are learningRate, momentum, dampening, nesterov, weightDecay',
  });
  assert.throws(() => sgd({ nesterov: 1 } as never), {
    name: "TypeError",
    message: 'Cannot create optimizer "sgd" as nesterov must be true or false: current value is 1',
  });
});

Deno.test("sgd().update() throws RangeError when a schedule gives a negative learning rate", () => {
  const opt = sgd({ learningRate: () => -0.1 });
  const p = tensor([1]);
  assert.throws(() => opt.update(tensor([1]), opt.init(p), p), {
    name: "RangeError",
    message:
      'Cannot update optimizer "sgd" as the learning rate at step 0 must be a non-negative finite number: current value is -0.1',
  });
});
