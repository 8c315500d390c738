/**
 * Suites run over every registered scheduler: its values equal the closed
 * form written out by hand here (≥100 random option sets and steps, and a
 * table of values worked out on paper), step 0 gives the starting step size,
 * it is monotone where the schedule is, it is a pure function of the step,
 * and it rejects steps that are not steps.
 *
 * A scheduler joins these suites by being registered; the fixture table
 * below holds its closed form. A registered scheduler without a fixture fails.
 */

import fc from "fast-check";
import assert from "node:assert/strict";
import type { Scheduler } from "../core/interfaces.ts";
import { createRegistry } from "../plugins/mod.ts";

const RUNS = 100;

type Options = Record<string, unknown>;

/** How the suites exercise one scheduler. */
interface SchedulerFixture {
  /** Random options, each with the closed form ε(k) written out independently of the plugin. */
  cases: fc.Arbitrary<{ options: Options; expected: (k: number) => number }>;
  /** Values worked out by hand: options, then `[k, ε_k]` pairs. */
  table: { options: Options; values: [number, number][] }[];
  /** ε₀ as the options define it: the value at step 0. */
  start: (options: Options) => number;
  /** Option sets for which the schedule is monotone, and the direction. */
  monotone?: { direction: "nonincreasing" | "nondecreasing"; options: fc.Arbitrary<Options> };
}

const arbLr = fc.double({ min: 1e-4, max: 1, noNaN: true });
const arbDecay = fc.double({ min: 0.05, max: 1, noNaN: true });

const fixtures: Record<string, SchedulerFixture> = {
  "constant": {
    cases: arbLr.map((lr) => ({ options: { learningRate: lr }, expected: () => lr })),
    table: [{ options: { learningRate: 0.3 }, values: [[0, 0.3], [1, 0.3], [1e6, 0.3]] }],
    start: (o) => o.learningRate as number,
    monotone: { direction: "nonincreasing", options: arbLr.map((lr) => ({ learningRate: lr })) },
  },
  "inverse-time": {
    cases: fc.tuple(arbLr, fc.double({ min: 0.1, max: 1000, noNaN: true })).map(([lr, tau]) => ({
      options: { learningRate: lr, tau },
      expected: (k) => lr * tau / (tau + k),
    })),
    // ε₀τ/(τ + k) with ε₀ = 0.1, τ = 10: 0.1, 0.1·10/11, 0.05, 0.1·10/40.
    table: [{ options: { learningRate: 0.1, tau: 10 }, values: [[0, 0.1], [1, 1 / 11], [10, 0.05], [30, 0.025]] }],
    start: (o) => o.learningRate as number,
    monotone: {
      direction: "nonincreasing",
      options: fc.record({ learningRate: arbLr, tau: fc.integer({ min: 1, max: 50 }) }),
    },
  },
  "step": {
    cases: fc.tuple(arbLr, fc.integer({ min: 1, max: 50 }), arbDecay).map(([lr, stepSize, gamma]) => ({
      options: { learningRate: lr, stepSize, gamma },
      expected: (k) => lr * gamma ** Math.floor(k / stepSize),
    })),
    // PyTorch's StepLR example: lr 0.05 for epochs 0–29, 0.005 for 30–59, 0.0005 for 60–89.
    table: [{
      options: { learningRate: 0.05, stepSize: 30 },
      values: [[0, 0.05], [29, 0.05], [30, 0.005], [59, 0.005], [60, 0.0005], [89, 0.0005]],
    }],
    start: (o) => o.learningRate as number,
    monotone: {
      direction: "nonincreasing",
      options: fc.record({ learningRate: arbLr, stepSize: fc.integer({ min: 1, max: 20 }), gamma: arbDecay }),
    },
  },
  "exponential": {
    cases: fc.tuple(arbLr, arbDecay).map(([lr, gamma]) => ({
      options: { learningRate: lr, gamma },
      expected: (k) => lr * gamma ** k,
    })),
    table: [{ options: { learningRate: 2, gamma: 0.5 }, values: [[0, 2], [1, 1], [2, 0.5], [10, 2 / 1024]] }],
    start: (o) => o.learningRate as number,
    monotone: { direction: "nonincreasing", options: fc.record({ learningRate: arbLr, gamma: arbDecay }) },
  },
  "cosine": {
    cases: fc.tuple(arbLr, fc.integer({ min: 1, max: 500 }), fc.double({ min: 0, max: 1, noNaN: true })).map((
      [lr, maxSteps, u],
    ) => ({
      options: { learningRate: lr, maxSteps, minLearningRate: lr * u },
      expected: (k) => k >= maxSteps ? lr * u : lr * u + (lr - lr * u) * (1 + Math.cos(Math.PI * k / maxSteps)) / 2,
    })),
    // η_min + (ε₀ − η_min)(1 + cos(πk/T))/2 with ε₀ = 1, η_min = 0, T = 4: 1, (1 + √½)/2, ½, (1 − √½)/2, 0, then 0.
    table: [{
      options: { learningRate: 1, maxSteps: 4 },
      values: [[0, 1], [1, (1 + Math.SQRT1_2) / 2], [2, 0.5], [3, (1 - Math.SQRT1_2) / 2], [4, 0], [6, 0], [8, 0]],
    }],
    start: (o) => o.learningRate as number,
    monotone: {
      direction: "nonincreasing",
      options: fc.tuple(arbLr, fc.integer({ min: 1, max: 200 }), fc.double({ min: 0, max: 1, noNaN: true }))
        .map(([lr, maxSteps, u]) => ({ learningRate: lr, maxSteps, minLearningRate: lr * u })),
    },
  },
  "linear-warmup": {
    cases: fc.tuple(
      arbLr,
      fc.integer({ min: 0, max: 20 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.option(arbDecay),
    )
      .map(([lr, warmupSteps, startFactor, gamma]) => ({
        options: gamma === null
          ? { learningRate: lr, warmupSteps, startFactor }
          : { learningRate: lr, warmupSteps, startFactor, after: { name: "exponential", gamma } },
        expected: (k) =>
          k < warmupSteps
            ? lr * (startFactor + (1 - startFactor) * k / warmupSteps)
            : lr * (gamma ?? 1) ** (k - warmupSteps),
      })),
    // PyTorch LinearLR's defaults (f₀ = 1/3, W = 5) in front of a constant 0.3: 0.1, 0.14, 0.18, 0.22, 0.26, then 0.3.
    table: [
      {
        options: { learningRate: 0.3 },
        values: [[0, 0.1], [1, 0.14], [2, 0.18], [3, 0.22], [4, 0.26], [5, 0.3], [100, 0.3]],
      },
      {
        options: {
          warmupSteps: 2,
          startFactor: 0.5,
          after: { name: "step", learningRate: 1, stepSize: 3, gamma: 0.1 },
        },
        values: [[0, 0.5], [1, 0.75], [2, 1], [4, 1], [5, 0.1], [8, 0.01]],
      },
    ],
    start: (o) =>
      (o.warmupSteps as number ?? 5) === 0 ? o.learningRate as number : (o.startFactor as number ?? 1 / 3) *
        (o.learningRate as number ?? 0.01),
    monotone: {
      direction: "nondecreasing",
      options: fc.record({
        learningRate: arbLr,
        warmupSteps: fc.integer({ min: 0, max: 20 }),
        startFactor: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
    },
  },
  "reduce-on-plateau": {
    // As a plain schedule it is ε₀; its reductions (driven by the trainer) are checked against PyTorch in
    // plugins/schedulers/reduce_on_plateau_test.ts and end to end in train/train_test.ts.
    cases: fc.tuple(arbLr, fc.integer({ min: 0, max: 20 }), arbDecay.filter((f) => f < 1)).map((
      [lr, patience, factor],
    ) => ({
      options: { learningRate: lr, patience, factor },
      expected: () => lr,
    })),
    table: [{ options: { learningRate: 0.3 }, values: [[0, 0.3], [10, 0.3], [1e6, 0.3]] }],
    start: (o) => o.learningRate as number,
    monotone: { direction: "nonincreasing", options: arbLr.map((lr) => ({ learningRate: lr })) },
  },
};

const arbStep = fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.double({ min: 0, max: 3000, noNaN: true }));

function close(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  );
}

const registry = createRegistry();
const make = (name: string, options: Options = {}): Scheduler => registry.create("scheduler", name, options);

Deno.test("every scheduler fixture names a registered scheduler", () => {
  const registered = registry.list("scheduler").map((p) => p.name);
  for (const name of Object.keys(fixtures)) {
    assert.ok(
      registered.includes(name),
      `the fixture "${name}" in tests/schedulers_test.ts names no registered scheduler`,
    );
  }
});

for (const { name } of registry.list("scheduler")) {
  const fixture = fixtures[name];
  if (fixture === undefined) {
    Deno.test(`scheduler "${name}" has a fixture in the shared scheduler suites`, () => {
      assert.fail(
        `scheduler "${name}" is registered but has no fixture: add an entry for "${name}" to the fixtures table in tests/schedulers_test.ts (its closed form, values worked out by hand, its value at step 0)`,
      );
    });
    continue;
  }

  Deno.test(`scheduler "${name}" equals its closed form for random options and steps`, () => {
    fc.assert(
      fc.property(fixture.cases, fc.array(arbStep, { minLength: 1, maxLength: 10 }), ({ options, expected }, steps) => {
        const schedule = make(name, options);
        for (const k of steps) close(schedule(k), expected(k), `ε_${k} for ${JSON.stringify(options)}`);
      }),
      { numRuns: RUNS, seed: 43 },
    );
  });

  Deno.test(`scheduler "${name}" matches values worked out by hand`, () => {
    for (const { options, values } of fixture.table) {
      const schedule = make(name, options);
      for (const [k, value] of values) close(schedule(k), value, `ε_${k} for ${JSON.stringify(options)}`);
    }
  });

  Deno.test(`scheduler "${name}" gives its starting step size at step 0`, () => {
    fc.assert(
      fc.property(fixture.cases, ({ options }) => close(make(name, options)(0), fixture.start(options), "ε_0")),
      { numRuns: RUNS, seed: 47 },
    );
  });

  if (fixture.monotone !== undefined) {
    const { direction, options: arbOptions } = fixture.monotone;
    Deno.test(`scheduler "${name}" is ${direction} in the step`, () => {
      fc.assert(
        fc.property(arbOptions, (options) => {
          const schedule = make(name, options);
          let previous = schedule(0);
          for (let k = 1; k <= 300; k++) {
            const value = schedule(k);
            const ok = direction === "nonincreasing" ? value <= previous : value >= previous;
            assert.ok(ok, `ε_${k} = ${value} after ε_${k - 1} = ${previous} for ${JSON.stringify(options)}`);
            previous = value;
          }
        }),
        { numRuns: RUNS, seed: 53 },
      );
    });
  }

  Deno.test(`scheduler "${name}" is a pure function of the step with finite values ≥ 0`, () => {
    for (const options of [{}, ...fixture.table.map((t) => t.options)]) {
      const schedule = make(name, options);
      const steps = [0, 1, 2, 10, 1000, 1e6, 1e9, 3, 0];
      const first = steps.map((k) => schedule(k));
      const again = [...steps].reverse().map((k) => schedule(k)).reverse();
      assert.deepEqual(again, first, "the same step gives the same value in any order");
      for (const v of first) assert.ok(Number.isFinite(v) && v >= 0, `value ${v}`);
    }
  });

  Deno.test(`scheduler "${name}" throws for a negative, infinite or non-numeric step`, () => {
    const schedule = make(name);
    for (const bad of [-1, NaN, Infinity]) {
      assert.throws(() => schedule(bad), {
        name: "RangeError",
        message: `Cannot evaluate scheduler "${name}" as the step must be a finite number ≥ 0: current value is ${bad}`,
      });
    }
    assert.throws(() => schedule("3" as never), TypeError);
  });
}
