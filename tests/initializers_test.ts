/**
 * The shared suite every registered initializer must pass: it is
 * deterministic for a seed, makes exactly the shape and dtype asked for, its
 * sample mean and variance match its formula on a large sample, and bad
 * options and bad calls give clear errors.
 *
 * An initializer joins this suite the moment it is listed in
 * `initializerPlugins`; it must then have an entry in `FIXTURES` below, or
 * the suite fails and says so.
 */

import assert from "node:assert/strict";
import type { Initializer } from "../core/interfaces.ts";
import { Random } from "../core/random.ts";
import type { DType } from "../core/tensor.ts";
import { createRegistry } from "../plugins/mod.ts";

/** A shape for the moment checks: 60 000 draws, fanIn 200 and fanOut 300 in gradflow's [in, out] layout. */
const BIG = [200, 300];
const FAN_IN = 200, FAN_OUT = 300;
const N = FAN_IN * FAN_OUT;

/** Options and the mean and variance the formula gives for them on {@linkcode BIG}. */
interface MomentCase {
  options: Record<string, unknown>;
  mean: number;
  variance: number;
}

/** How the shared suite exercises one initializer. */
interface InitializerFixture {
  /** Whether it draws from the generator (and so differs between seeds). */
  random: boolean;
  /** Options with their expected moments; the first is the one used for the other checks. */
  moments: MomentCase[];
  /** Bad options, the error class, and what the message must contain. */
  badOptions: [Record<string, unknown>, ErrorConstructor, string][];
}

const FIXTURES: Record<string, InitializerFixture> = {
  constant: {
    random: false,
    moments: [{ options: { value: 0.25 }, mean: 0.25, variance: 0 }, { options: { value: -3 }, mean: -3, variance: 0 }],
    badOptions: [
      [{}, TypeError, "value must be given"],
      [{ value: "1" }, TypeError, 'value must be a finite number: current value is "1"'],
    ],
  },
  "he-normal": {
    random: true,
    moments: [
      { options: {}, mean: 0, variance: 2 / FAN_IN },
      { options: { mode: "fan-out", gain: 3 }, mean: 0, variance: 9 / FAN_OUT },
    ],
    badOptions: [
      [{ gain: 0 }, RangeError, "gain must be a number in (0, ∞): current value is 0"],
      [{ mode: "avg" }, RangeError, 'mode must be one of "fan-in", "fan-out": current value is "avg"'],
    ],
  },
  "he-uniform": {
    random: true,
    moments: [
      { options: {}, mean: 0, variance: 2 / FAN_IN },
      { options: { mode: "fan-out", gain: 1 }, mean: 0, variance: 1 / FAN_OUT },
    ],
    badOptions: [
      [{ gain: -2 }, RangeError, "gain must be a number in (0, ∞): current value is -2"],
      [{ mode: 1 }, RangeError, "mode must be one of"],
    ],
  },
  normal: {
    random: true,
    moments: [{ options: {}, mean: 0, variance: 1 }, { options: { mean: -4, std: 0.5 }, mean: -4, variance: 0.25 }],
    badOptions: [
      [{ std: -0.1 }, RangeError, "std must be a number in [0, ∞): current value is -0.1"],
      [{ mean: null }, TypeError, "mean must be a finite number: current value is null"],
    ],
  },
  uniform: {
    random: true,
    moments: [
      { options: {}, mean: 0.5, variance: 1 / 12 },
      { options: { low: -3, high: 1 }, mean: -1, variance: 16 / 12 },
    ],
    badOptions: [
      [{ low: 2 }, RangeError, "high must be at least low (2): current value is 1"],
      [{ high: Infinity }, TypeError, "high must be a finite number: current value is Infinity"],
    ],
  },
  "xavier-normal": {
    random: true,
    moments: [
      { options: {}, mean: 0, variance: 2 / (FAN_IN + FAN_OUT) },
      { options: { gain: Math.SQRT2 }, mean: 0, variance: 4 / (FAN_IN + FAN_OUT) },
    ],
    badOptions: [[{ gain: 0 }, RangeError, "gain must be a number in (0, ∞): current value is 0"]],
  },
  "xavier-uniform": {
    random: true,
    moments: [
      { options: {}, mean: 0, variance: 2 / (FAN_IN + FAN_OUT) },
      { options: { gain: 5 / 3 }, mean: 0, variance: (25 / 9) * 2 / (FAN_IN + FAN_OUT) },
    ],
    badOptions: [[{ gain: "1" }, TypeError, "gain must be a number in (0, ∞)"]],
  },
  zeros: { random: false, moments: [{ options: {}, mean: 0, variance: 0 }], badOptions: [] },
};

const registry = createRegistry();
const names = registry.list("initializer").map((p) => p.name);

function fixtureFor(name: string): InitializerFixture {
  const fixture = FIXTURES[name];
  if (fixture === undefined) {
    throw new Error(
      `Initializer "${name}" has no fixture in tests/initializers_test.ts: add an entry to FIXTURES (options with the mean and variance its formula gives, whether it is random, and bad options) so the shared suite checks it`,
    );
  }
  return fixture;
}

function create(name: string, options: Record<string, unknown>): Initializer {
  return registry.create("initializer", name, options);
}

Deno.test("every registered initializer has a fixture in the shared initializer suite", () => {
  const missing = names.filter((n) => !(n in FIXTURES));
  assert.deepEqual(missing, [], `add fixtures for: ${missing.join(", ")}`);
});

Deno.test("every fixture of the shared initializer suite names a registered initializer", () => {
  const stale = Object.keys(FIXTURES).filter((n) => !names.includes(n));
  assert.deepEqual(stale, [], `remove or rename fixtures: ${stale.join(", ")}`);
});

for (const name of names) {
  Deno.test(`initializer "${name}" is deterministic for a seed`, () => {
    const fixture = fixtureFor(name);
    const init = create(name, fixture.moments[0].options);
    const a = init([7, 5], new Random(123)), b = init([7, 5], new Random(123));
    assert.deepEqual(Array.from(a.data), Array.from(b.data));
    const c = init([7, 5], new Random(124));
    if (fixture.random) assert.notDeepEqual(Array.from(a.data), Array.from(c.data));
    else assert.deepEqual(Array.from(a.data), Array.from(c.data));
  });

  Deno.test(`initializer "${name}" makes the requested shape and dtype`, () => {
    const init = create(name, fixtureFor(name).moments[0].options);
    for (const shape of [[], [0], [1], [6], [3, 4], [2, 3, 4], [4, 0]]) {
      for (const dtype of ["float32", "float64", undefined] as (DType | undefined)[]) {
        const t = init(shape, new Random(1), dtype);
        assert.deepEqual(t.shape, shape);
        assert.equal(t.dtype, dtype ?? "float64");
        assert.equal(t.size, shape.reduce((p, n) => p * n, 1));
        assert.ok(t.data.every(Number.isFinite), `non-finite values for [${shape}] ${dtype}`);
      }
    }
  });

  Deno.test(`initializer "${name}" has the sample mean and variance of its formula`, () => {
    for (const c of fixtureFor(name).moments) {
      const t = create(name, c.options)(BIG, new Random(2024));
      const values = Array.from(t.data);
      const mean = values.reduce((s, v) => s + v, 0) / N;
      const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (N - 1);
      // Five standard errors: of the mean √(σ²/n), of the variance at most σ²·√(2/n) (normal; uniform is smaller).
      const meanTolerance = 5 * Math.sqrt(c.variance / N) + 1e-12;
      const varianceTolerance = 5 * c.variance * Math.sqrt(2 / N) + 1e-12;
      const where = `${JSON.stringify(c.options)}`;
      assert.ok(
        Math.abs(mean - c.mean) <= meanTolerance,
        `${where}: mean ${mean}, expected ${c.mean} ± ${meanTolerance}`,
      );
      assert.ok(
        Math.abs(variance - c.variance) <= varianceTolerance,
        `${where}: variance ${variance}, expected ${c.variance} ± ${varianceTolerance}`,
      );
    }
  });

  Deno.test(`initializer "${name}" rejects bad options with a message naming the option and the value`, () => {
    const fixture = fixtureFor(name);
    for (const [options, kind, text] of fixture.badOptions) {
      assert.throws(() => create(name, options), (e: Error) => {
        assert.ok(e instanceof kind, `${JSON.stringify(options)}: expected ${kind.name}, got ${e.name}: ${e.message}`);
        assert.ok(e.message.startsWith(`Cannot create initializer "${name}" as `), e.message);
        assert.ok(e.message.includes(text), `${e.message} should contain ${text}`);
        return true;
      });
    }
    assert.throws(() => create(name, { ...fixture.moments[0].options, bogus: 1 }), {
      name: "TypeError",
      message: new RegExp(`^Cannot create initializer "${name}" as it has an unknown option "bogus"`),
    });
  });

  Deno.test(`initializer "${name}" rejects a bad shape, dtype or generator with a clear error`, () => {
    const fixture = fixtureFor(name);
    const init = create(name, fixture.moments[0].options);
    const prefix = `Cannot initialize with initializer "${name}" as `;
    assert.throws(() => init([2, -1], new Random(0)), { name: "RangeError", message: new RegExp(`^${prefix}`) });
    assert.throws(() => init([2.5], new Random(0)), RangeError);
    assert.throws(() => init("2" as never, new Random(0)), TypeError);
    assert.throws(() => init([2], new Random(0), "int32" as never), { name: "RangeError", message: /dtype must be/ });
    if (fixture.random) {
      assert.throws(() => init([2], undefined as never), { name: "TypeError", message: /rng must be a Random/ });
    } else {
      assert.equal(init([2], undefined as never).size, 2);
    }
  });
}
