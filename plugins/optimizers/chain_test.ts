import assert from "node:assert/strict";
import type { Optimizer, StateValue, UpdateContext } from "../../core/interfaces.ts";
import { mul } from "../../core/ops/mod.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { type Tree, treeMap } from "../../core/tree.ts";
import { createRegistry } from "../mod.ts";
import { adam } from "./adam.ts";
import { chain } from "./chain.ts";
import { clipByGlobalNorm } from "./clip_by_global_norm.ts";
import { sgd } from "./sgd.ts";

/** A transformation that doubles its input and records what it was given. */
function doubler(log: { grads: Tree; params: Tree; context?: UpdateContext }[]): Optimizer<number> {
  return {
    init: () => 0,
    update(grads, state, params, context) {
      log.push({ grads, params, context });
      return { updates: treeMap((g) => mul(g, 2), grads), state: state + 1 };
    },
  };
}

Deno.test("chain() feeds each transformation's updates to the next as gradients", () => {
  const opt = chain(clipByGlobalNorm({ maxNorm: 1 }), adam({ learningRate: 0.1 }));
  const direct = adam({ learningRate: 0.1 });
  const clip = clipByGlobalNorm({ maxNorm: 1 });
  const p = tensor([1, 2]);
  let s = opt.init(p), d = direct.init(p);
  for (const g of [[30, 40], [0.3, 0.4], [-6, 8]]) {
    const r = opt.update(tensor(g), s, p);
    const c = clip.update(tensor(g), {}, p).updates;
    const e = direct.update(c, d, p);
    assert.deepEqual((r.updates as Tensor).toArray(), (e.updates as Tensor).toArray());
    s = r.state;
    d = e.state;
  }
});

Deno.test("chain() applies transformations in the order given", () => {
  const p = tensor([0]);
  const clipThenStep = chain(clipByGlobalNorm({ maxNorm: 1 }), sgd({ learningRate: 0.5 }));
  const stepThenClip = chain(sgd({ learningRate: 0.5 }), clipByGlobalNorm({ maxNorm: 1 }));
  assert.equal((clipThenStep.update(tensor([10]), clipThenStep.init(p), p).updates as Tensor).item(), -0.5);
  assert.equal((stepThenClip.update(tensor([10]), stepThenClip.init(p), p).updates as Tensor).item(), -1);
});

Deno.test("chain() passes the params and the update context to every transformation", () => {
  const log: { grads: Tree; params: Tree; context?: UpdateContext }[] = [];
  const opt = chain(doubler(log), doubler(log));
  const p = tensor([5]);
  const context: UpdateContext = { loss: 3 };
  const { updates, state } = opt.update(tensor([1]), opt.init(p), p, context);
  assert.equal((updates as Tensor).item(), 4);
  assert.deepEqual(state, [1, 1]);
  assert.equal(log.length, 2);
  assert.ok(log.every((entry) => entry.params === p && entry.context === context));
  assert.equal((log[1].grads as Tensor).item(), 2);
});

Deno.test("chain() state is the array of the transformations' states", () => {
  const opt = chain(clipByGlobalNorm(), sgd({ momentum: 0.9 }));
  assert.deepEqual(opt.init(tensor([1])), [{}, { step: 0, buffer: null }]);
});

Deno.test("the chain plugin is created from { transforms } through the registry", () => {
  const opt = createRegistry().create("optimizer", "chain", {
    transforms: [clipByGlobalNorm({ maxNorm: 5 }), sgd({ learningRate: 1 })],
  }) as Optimizer<StateValue>;
  const p = tensor([0, 0]);
  assert.deepEqual((opt.update(tensor([6, 8]), opt.init(p), p).updates as Tensor).toArray(), [-3, -4]);
});

Deno.test("chain() throws RangeError when given no transformation", () => {
  assert.throws(() => chain(), {
    name: "RangeError",
    message: 'Cannot create optimizer "chain" as transforms must hold at least one optimizer: current length is 0',
  });
  assert.throws(() => createRegistry().create("optimizer", "chain"), {
    name: "RangeError",
    message:
      'Cannot create optimizer "chain" as transforms must hold at least one optimizer: current value is undefined',
  });
});

Deno.test("chain() throws TypeError when a transformation is not an optimizer", () => {
  assert.throws(() => chain(sgd(), { init: () => 0 } as never), {
    name: "TypeError",
    message:
      'Cannot create optimizer "chain" as transforms[1] must be an optimizer (an object with init and update functions): current value is an object without init and update functions',
  });
  assert.throws(() => createRegistry().create("optimizer", "chain", { transforms: sgd() }), {
    name: "TypeError",
    message:
      'Cannot create optimizer "chain" as transforms must be an array of optimizers: current value is an object without init and update functions',
  });
});

Deno.test("chain().update() throws RangeError when the state does not match the transformations", () => {
  const opt = chain(sgd(), sgd());
  const p = tensor([0]);
  assert.throws(() => opt.update(tensor([1]), [{ step: 0, buffer: null }], p), {
    name: "RangeError",
    message:
      'Cannot update optimizer "chain" as its state must be an array of 2 states: current value is an array of 1',
  });
});

Deno.test("the chain plugin creates transforms given by name or { name, ...options } from its registry", () => {
  const registry = createRegistry();
  const fromSpecs = registry.create("optimizer", "chain", {
    transforms: [{ name: "clip-by-global-norm", maxNorm: 1 }, "sgd"],
  });
  const byHand = chain(clipByGlobalNorm({ maxNorm: 1 }), sgd());
  const p = tensor([0, 0]), g = tensor([30, 40]);
  const a = fromSpecs.update(g, fromSpecs.init(p), p).updates as Tensor;
  const b = byHand.update(g, byHand.init(p), p).updates as Tensor;
  assert.deepEqual(a.toArray(), b.toArray());
  assert.throws(
    () => registry.create("optimizer", "chain", { transforms: [{ name: "adma" }] }),
    /Cannot find optimizer "adma" \(did you mean 'adam'\?\)/,
  );
  assert.throws(() => registry.create("optimizer", "chain", { transforms: [{ name: "adam", beta1: 2 }] }), /beta1/);
});
