/**
 * Property suites run over every registered regularizer: penalty gradients
 * match central differences (float64, ≥100 random parameter trees), `project`
 * never mutates its inputs and keeps the tree's structure, shapes and dtypes,
 * the state is plain data (so it checkpoints), and pruning regularizers keep
 * pruned weights at zero through later updates.
 *
 * A regularizer joins these suites by being registered; the fixture table
 * below names the option sets to run it with. A registered regularizer
 * without a fixture fails.
 */

import fc from "fast-check";
import assert from "node:assert/strict";
import type { Regularizer, StateValue } from "../core/interfaces.ts";
import { Random } from "../core/random.ts";
import { Tensor } from "../core/tensor.ts";
import { flattenTree, type Tree } from "../core/tree.ts";
import { createRegistry } from "../plugins/mod.ts";
import { arbTensorOfShape } from "./kit/arbitraries.ts";
import { gradcheck } from "./kit/mod.ts";

const RUNS = 100;

/** How the suites exercise one regularizer. */
interface RegularizerFixture {
  /** Option sets to run, by a short label (every one runs through every suite). */
  variants: Record<string, Record<string, unknown>>;
  /** `project` masks weights to zero for good (pruning): zeros must survive later updates. */
  keepsZeros?: boolean;
}

const fixtures: Record<string, RegularizerFixture> = {
  "l2": { variants: { "default": {}, "with biases": { lambda: 0.3, includeBiases: true } } },
  "l1": {
    variants: {
      "subgradient": { lambda: 0.2 },
      "with biases": { lambda: 0.2, includeBiases: true },
      "proximal": { lambda: 0.2, proximal: true },
    },
  },
  "weight-decay": { variants: { "default": {}, "with biases": { lambda: 0.1, includeBiases: true } } },
  "magnitude-pruning": {
    variants: {
      "cubic, per layer": { targetSparsity: 0.7, startStep: 1, endStep: 6, frequency: 2 },
      "linear, global, with biases": {
        targetSparsity: 0.6,
        initialSparsity: 0.1,
        startStep: 0,
        endStep: 4,
        frequency: 1,
        ramp: "linear",
        scope: "global",
        includeBiases: true,
      },
    },
    keepsZeros: true,
  },
};

/** Parameter trees like a stack of dense layers: `[{ weight: [in, out], bias: [out] }, …]`, away from 0. */
const arbParams: fc.Arbitrary<Tree> = fc.array(
  fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })),
  { minLength: 1, maxLength: 3 },
).chain((layers) =>
  fc.tuple(
    ...layers.map(([fanIn, fanOut]) =>
      fc.record({
        weight: arbTensorOfShape([fanIn, fanOut], { avoid: [0], margin: 0.01 }),
        bias: arbTensorOfShape([fanOut], { avoid: [0], margin: 0.01 }),
      })
    ),
  )
);

const arbContext = fc.record({
  step: fc.integer({ min: 1, max: 10 }),
  learningRate: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
});

/** A deep copy of plain data, with every tensor's buffer copied. */
function snapshot(value: unknown): unknown {
  if (value instanceof Tensor) return { shape: [...value.shape], dtype: value.dtype, data: Array.from(value.data) };
  if (Array.isArray(value)) return value.map(snapshot);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, snapshot(v)]));
  }
  return value;
}

/** Throws unless `value` is a StateValue: tensors, finite numbers, strings, booleans, null, arrays, plain records. */
function assertStateValue(value: unknown, path = "state"): asserts value is StateValue {
  if (value instanceof Tensor || value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    assert.ok(Number.isFinite(value), `${path} is a non-finite number`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertStateValue(v, `${path}[${i}]`));
    return;
  }
  assert.ok(typeof value === "object", `${path} is a ${typeof value}, not a StateValue`);
  const proto = Object.getPrototypeOf(value);
  assert.ok(proto === Object.prototype || proto === null, `${path} is a class instance, not a plain record`);
  for (const [k, v] of Object.entries(value)) assertStateValue(v, `${path}.${k}`);
}

/** A random update of every parameter, as an optimizer step would make. */
function perturb(params: Tree, rng: Random): Tree {
  const leaves = flattenTree(params).map(([, t]) => new Tensor(t.data.map((v) => v + rng.normal(0, 0.5)), t.shape));
  let i = 0;
  const rebuild = (node: Tree): Tree =>
    node instanceof Tensor
      ? leaves[i++]
      : Array.isArray(node)
      ? node.map(rebuild)
      : Object.fromEntries(Object.entries(node).map(([k, v]) => [k, rebuild(v as Tree)]));
  return rebuild(params);
}

const registry = createRegistry();

Deno.test("every regularizer fixture names a registered regularizer", () => {
  const registered = registry.list("regularizer").map((p) => p.name);
  for (const name of Object.keys(fixtures)) {
    assert.ok(
      registered.includes(name),
      `the fixture "${name}" in tests/regularizers_test.ts names no registered regularizer`,
    );
  }
});

for (const { name } of registry.list("regularizer")) {
  const fixture = fixtures[name];
  if (fixture === undefined) {
    Deno.test(`regularizer "${name}" has a fixture in the shared regularizer suites`, () => {
      assert.fail(
        `regularizer "${name}" is registered but has no fixture: add an entry for "${name}" to the fixtures table in tests/regularizers_test.ts (its option variants, and keepsZeros if it prunes)`,
      );
    });
    continue;
  }

  for (const [label, options] of Object.entries(fixture.variants)) {
    const make = (): Regularizer => registry.create("regularizer", name, options);
    const sample = make();
    assert.ok(sample.penalty !== undefined || sample.project !== undefined, `regularizer "${name}" does nothing`);

    if (sample.penalty !== undefined) {
      Deno.test(`regularizer "${name}" (${label}) penalty gradient matches central differences`, () => {
        fc.assert(
          fc.property(arbParams, (params) => {
            const reg = make();
            gradcheck((p: Tree) => reg.penalty!(p), params);
          }),
          { numRuns: RUNS, seed: 29 },
        );
      });
    }

    if (sample.project !== undefined) {
      Deno.test(`regularizer "${name}" (${label}) project never mutates its inputs and keeps shapes and dtypes`, () => {
        fc.assert(
          fc.property(arbParams, arbContext, (params, context) => {
            const reg = make();
            const state = reg.init?.(params) ?? null;
            const before = snapshot({ params, state, context });
            const out = reg.project!(params, state, context);
            reg.report?.(out.params, out.state);
            assert.deepEqual(snapshot({ params, state, context }), before);
            const inLeaves = flattenTree(params), outLeaves = flattenTree(out.params);
            assert.deepEqual(outLeaves.map(([p]) => p), inLeaves.map(([p]) => p));
            outLeaves.forEach(([path, t], i) => {
              assert.deepEqual(t.shape, inLeaves[i][1].shape, `shape of ${path}`);
              assert.equal(t.dtype, inLeaves[i][1].dtype, `dtype of ${path}`);
            });
          }),
          { numRuns: RUNS, seed: 31 },
        );
      });

      Deno.test(`regularizer "${name}" (${label}) state is plain StateValue data through many steps`, () => {
        fc.assert(
          fc.property(arbParams, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (params, seed) => {
            const reg = make();
            const rng = new Random(seed);
            let state: StateValue = reg.init?.(params) ?? null;
            assertStateValue(state);
            let current = params;
            for (let step = 1; step <= 8; step++) {
              ({ params: current, state } = reg.project!(perturb(current, rng), state, { step, learningRate: 0.1 }));
              assertStateValue(state);
            }
            for (const [key, value] of Object.entries(reg.report?.(current, state) ?? {})) {
              assert.ok(Number.isFinite(value), `report ${key} is ${value}`);
            }
          }),
          { numRuns: 25, seed: 37 },
        );
      });
    }

    if (fixture.keepsZeros) {
      Deno.test(`regularizer "${name}" (${label}) keeps pruned weights at zero through updates`, () => {
        fc.assert(
          fc.property(arbParams, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (params, seed) => {
            const reg = make();
            const rng = new Random(seed);
            let state: StateValue = reg.init!(params);
            let current = params;
            let zeros = new Set<string>();
            let reachedAny = false;
            for (let step = 1; step <= 10; step++) {
              ({ params: current, state } = reg.project!(perturb(current, rng), state, { step }));
              const now = new Set<string>();
              for (const [path, t] of flattenTree(current)) {
                t.data.forEach((v, i) => v === 0 && now.add(`${path}[${i}]`));
              }
              for (const z of zeros) {
                assert.ok(now.has(z), `${z} was pruned before step ${step} but is not zero after it`);
              }
              zeros = now;
              reachedAny ||= now.size > 0;
            }
            const total = flattenTree(current).reduce((n, [, t]) => n + t.size, 0);
            if (total >= 4) assert.ok(reachedAny, "nothing was pruned");
          }),
          { numRuns: RUNS, seed: 41 },
        );
      });
    }
  }
}
