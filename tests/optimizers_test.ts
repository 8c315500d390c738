/**
 * The shared conformance suite: every optimizer in the built-in registry
 * (first- and second-order, and gradient transformations) must
 *   (a) leave its grads, params and state untouched,
 *   (b) decrease a convex quadratic when run by `minimize`,
 *   (c) take, for three steps, exactly the steps of an independent plain-number
 *       implementation of its rule (tests/optimizer_reference_steps.ts; an
 *       optimizer without an entry there fails),
 *   (d) survive a checkpoint of its state (encodeState → JSON text →
 *       decodeState) and then continue bit for bit as if never interrupted,
 *   (e) reject bad option values with a TypeError/RangeError that names the
 *       plugin, the option, the allowed range and the value,
 * and, when it has a `learningRate`, accept a schedule for it as well as a number.
 * A plugin gets this coverage the moment it joins `optimizerPlugins`.
 */

import assert from "node:assert/strict";
import { hvp, valueAndGrad } from "../core/autodiff.ts";
import type { Optimizer, Plugin, StateValue, UpdateContext } from "../core/interfaces.ts";
import { concat, matmul, mul, reshape, sub, sum } from "../core/ops/mod.ts";
import { type Tensor, tensor } from "../core/tensor.ts";
import { applyUpdates, flattenTree, type Tree } from "../core/tree.ts";
import { createRegistry } from "../plugins/mod.ts";
import { chain, sgd } from "../plugins/optimizers/mod.ts";
import { minimize } from "../train/minimize.ts";
import { decodeState, encodeState, type JsonValue } from "../train/serialize.ts";
import { type OptimizerFixture, optimizerFixtures, referenceProblem } from "./optimizer_reference_steps.ts";

const registry = createRegistry();
const plugins: Plugin[] = registry.list("optimizer");

// ------------------------------------------------------------ the problem as tensors

type Params = { w: Tensor; b: Tensor };

const A = tensor(referenceProblem.hessian as number[][]);
const X_STAR = tensor(referenceProblem.xStar as number[], [3, 1]);

/** f(x) = ½ (x − x*)ᵀ A (x − x*) with x = [w₀, w₁, b]. */
function quadratic(p: Params): Tensor {
  const d = sub(reshape(concat([p.w, reshape(p.b, [1])]), [3, 1]), X_STAR);
  return mul(sum(mul(d, matmul(A, d))), 0.5);
}

function toParams(x: readonly number[]): Params {
  return { w: tensor([x[0], x[1]]), b: tensor(x[2]) };
}

function toVector(tree: Tree): number[] {
  return flattenTree(tree).flatMap(([, t]) => Array.from(t.data));
}

/** What `minimize` would pass: the loss here, re-evaluation and exact Hessian-vector products. */
function contextAt(p: Params): UpdateContext {
  return {
    loss: quadratic(p).item(),
    evaluate: (x) => {
      const { value, grad } = valueAndGrad(quadratic)(x as Params);
      return { loss: value.item(), grads: grad };
    },
    hvp: (x, v) => hvp(quadratic, x as Params, v as Params),
  };
}

function gradAt(p: Params): Params {
  return valueAndGrad(quadratic)(p).grad;
}

function create(name: string, options: Record<string, unknown>): Optimizer {
  return registry.create("optimizer", name, options) as Optimizer;
}

function fixtureOf(name: string): OptimizerFixture | undefined {
  return Object.hasOwn(optimizerFixtures, name) ? optimizerFixtures[name] : undefined;
}

/** One step as `minimize` takes it. */
function step(opt: Optimizer, p: Params, state: StateValue): { p: Params; state: StateValue; updates: Tree } {
  const r = opt.update(gradAt(p), state, p, contextAt(p));
  return { p: applyUpdates(p, r.updates), state: r.state, updates: r.updates };
}

// ------------------------------------------------------------ comparing values exactly

/** A deep copy of a state (or any tree) that later comparisons can trust. */
function snapshot(value: StateValue): { json: string; data: [string, Float64Array | Float32Array][] } {
  const { json, tensors } = encodeState(value);
  return { json: JSON.stringify(json), data: tensors.map(([n, t]) => [n, t.data.slice()]) };
}

function assertSnapshotsEqual(
  actual: ReturnType<typeof snapshot>,
  expected: ReturnType<typeof snapshot>,
  what: string,
): void {
  assert.equal(actual.json, expected.json, `${what}: the structure or scalars changed`);
  assert.equal(actual.data.length, expected.data.length, `${what}: the number of tensors changed`);
  expected.data.forEach(([name, e], i) => {
    const [, a] = actual.data[i];
    for (let j = 0; j < e.length; j++) {
      assert.ok(Object.is(a[j], e[j]), `${what}: tensor "${name}" element ${j} is ${a[j]}, expected ${e[j]}`);
    }
  });
}

// ------------------------------------------------------------ the suite

Deno.test("the registry lists every first-order optimizer and transformation of issue 3", () => {
  const names = plugins.map((p) => p.name);
  for (
    const name of ["sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam", "adamw"]
      .concat(["clip-by-global-norm", "chain"])
  ) {
    assert.ok(names.includes(name), `optimizer "${name}" is not registered`);
  }
});

for (const plugin of plugins) {
  const name = plugin.name;
  const fixture = fixtureOf(name);
  const options = fixture?.options ?? {};

  Deno.test(`optimizer "${name}" does not mutate its grads, params or state`, () => {
    const opt = create(name, options);
    let p = toParams(referenceProblem.x0);
    const before0 = snapshot(p);
    let state = opt.init(p);
    assertSnapshotsEqual(snapshot(p), before0, "init changed the params");
    for (let k = 0; k < 2; k++) ({ p, state } = step(opt, p, state)); // a state with history
    const grads = gradAt(p);
    const before = { grads: snapshot(grads), params: snapshot(p), state: snapshot(state) };
    opt.update(grads, state, p, contextAt(p));
    assertSnapshotsEqual(snapshot(grads), before.grads, "update changed the grads");
    assertSnapshotsEqual(snapshot(p), before.params, "update changed the params");
    assertSnapshotsEqual(snapshot(state), before.state, "update changed the state");
  });

  Deno.test(`optimizer "${name}" decreases a convex quadratic under minimize()`, () => {
    const opt = create(name, options);
    const runner = fixture?.transform ? chain(opt, sgd({ learningRate: 0.1 })) : opt;
    const { losses, x } = minimize(quadratic, toParams(referenceProblem.x0), runner, {
      steps: fixture?.descentSteps ?? 100,
    });
    assert.ok(losses.every(Number.isFinite), `losses must stay finite: ${losses.slice(0, 5).join(", ")}…`);
    const first = losses[0], last = losses[losses.length - 1];
    assert.ok(last < 0.5 * first, `the loss must at least halve: it went from ${first} to ${last}`);
    assert.deepEqual(x.w.shape, [2]);
    assert.deepEqual(x.b.shape, []);
  });

  Deno.test(`optimizer "${name}" takes the steps of its hand-computed reference`, async (t) => {
    if (fixture === undefined || fixture.reference.length === 0) {
      assert.fail(
        `optimizer "${name}" has no reference steps: add an entry "${name}" to tests/optimizer_reference_steps.ts ` +
          `with an independent plain-number implementation of its update rule for 3 steps on referenceProblem`,
      );
    }
    for (const c of fixture.reference) {
      await t.step(c.label, () => {
        const expected = c.steps(referenceProblem);
        assert.equal(expected.length, 3, "a reference gives the points after 3 steps");
        const opt = create(name, c.options);
        let p = toParams(referenceProblem.x0);
        let state = opt.init(p);
        let prevActual = [...referenceProblem.x0], prevExpected = [...referenceProblem.x0];
        const rtol = c.tolerance ?? 1e-9;
        expected.forEach((point, k) => {
          ({ p, state } = step(opt, p, state));
          const actual = toVector(p);
          for (let i = 0; i < point.length; i++) {
            const moved = actual[i] - prevActual[i], want = point[i] - prevExpected[i];
            assert.ok(
              Math.abs(moved - want) <= rtol * Math.abs(want) + 1e-13,
              `step ${k + 1}, coordinate ${i}: moved by ${moved}, the reference by ${want}`,
            );
          }
          prevActual = actual;
          prevExpected = point;
        });
        const distance = Math.hypot(...prevExpected.map((v, i) => v - referenceProblem.x0[i]));
        assert.ok(distance > 1e-6, "the reference must move away from x0, or it checks nothing");
      });
    }
  });

  Deno.test(`optimizer "${name}" continues bit for bit after its state is saved and restored`, () => {
    const opt = create(name, options);
    let p = toParams(referenceProblem.x0);
    let state = opt.init(p);
    for (let k = 0; k < 2; k++) ({ p, state } = step(opt, p, state));
    const { json, tensors } = encodeState(state);
    const restored = decodeState(JSON.parse(JSON.stringify(json)) as JsonValue, tensors);
    assertSnapshotsEqual(snapshot(restored), snapshot(state), "the restored state differs");
    let a = { p, state }, b = { p, state: restored };
    for (let k = 0; k < 3; k++) {
      const ra = step(opt, a.p, a.state), rb = step(opt, b.p, b.state);
      assertSnapshotsEqual(snapshot(rb.updates), snapshot(ra.updates), `step ${k + 1} after restoring`);
      a = ra;
      b = rb;
    }
    assertSnapshotsEqual(snapshot(b.state), snapshot(a.state), "the state 3 steps after restoring");
  });

  if (typeof plugin.defaults?.learningRate === "number") {
    Deno.test(`optimizer "${name}" takes a schedule wherever it takes a learning rate`, () => {
      const rate = typeof options.learningRate === "number" ? options.learningRate : plugin.defaults!.learningRate;
      const asked: number[] = [];
      const fixed = create(name, { ...options, learningRate: rate });
      const scheduled = create(name, { ...options, learningRate: (k: number) => (asked.push(k), rate) });
      let a = { p: toParams(referenceProblem.x0), state: fixed.init(toParams(referenceProblem.x0)) };
      let b = { p: a.p, state: scheduled.init(a.p) };
      for (let k = 0; k < 3; k++) {
        const ra = step(fixed, a.p, a.state), rb = step(scheduled, b.p, b.state);
        assertSnapshotsEqual(snapshot(rb.updates), snapshot(ra.updates), `step ${k + 1} with a constant schedule`);
        a = ra;
        b = rb;
      }
      assert.ok(asked.length > 0 && asked.every((k) => Number.isInteger(k) && k >= 0), `steps asked: ${asked}`);
    });
  }

  Deno.test(`optimizer "${name}" rejects bad option values naming itself, the option, the range and the value`, () => {
    const owner = `Cannot create optimizer "${name}" as`;
    const expectError = (opts: Record<string, unknown>, kind: "TypeError" | "RangeError", ...parts: string[]) => {
      assert.throws(() => create(name, opts), (e: Error) => {
        assert.equal(e.name, kind, `${JSON.stringify(opts)} gave ${e.name}: ${e.message}`);
        for (const part of [owner, ...parts]) {
          assert.ok(e.message.includes(part), `the message "${e.message}" must include "${part}"`);
        }
        return true;
      });
    };
    expectError({ noSuchOption: 1 }, "TypeError", '"noSuchOption"');
    for (const [option, value] of Object.entries(plugin.defaults ?? {})) {
      if (typeof value === "number") {
        expectError({ [option]: NaN }, "TypeError", option, "must be", "current value is NaN");
      }
      if (typeof value === "boolean") expectError({ [option]: "yes" }, "TypeError", option, 'current value is "yes"');
      if (typeof value === "string") {
        expectError({ [option]: "no-such-choice" }, "RangeError", option, "must be one of");
      }
    }
    if (typeof plugin.defaults?.learningRate === "number") {
      expectError({ learningRate: -1 }, "RangeError", "learningRate must be", "current value is -1");
    }
    for (const bad of fixture?.invalid ?? []) {
      assert.throws(() => create(name, bad.options), { name: bad.name, message: bad.message });
    }
  });
}
