/**
 * The shared suite every registered layer must pass: its backward pass
 * matches central differences (w.r.t. the input and every parameter, float64,
 * random batch sizes and shapes, ≥100 cases), its second derivatives match
 * where it is twice differentiable, its outputs and gradients stay finite on
 * the edge values, and it keeps the init/apply shape and state contract.
 *
 * A layer joins this suite the moment it is listed in `layerPlugins`; it must
 * then have an entry in `FIXTURES` below, or the suite fails and says so.
 */

import fc from "fast-check";
import assert from "node:assert/strict";
import { grad } from "../core/autodiff.ts";
import type { ApplyContext, Layer } from "../core/interfaces.ts";
import { mul, sum } from "../core/ops/mod.ts";
import { Random } from "../core/random.ts";
import type { Registry } from "../core/registry.ts";
import { astype, type DType, full, Tensor, tensor } from "../core/tensor.ts";
import { flattenTree, type Tree } from "../core/tree.ts";
import { createRegistry } from "../plugins/mod.ts";
import { arbTensorOfShape, type TensorOptions } from "./kit/arbitraries.ts";
import { gradcheck, gradgradcheck } from "./kit/mod.ts";

const RUNS = 100;
const SECOND_ORDER_RUNS = 100;
const EDGE_VALUES = [0, 1e-8, -1e-8, 40, -40, 89, -89, 710, -710];

/** How the shared suite exercises one layer. */
interface LayerFixture {
  /** The options to create it with (an arbitrary, so options vary too). */
  options: (registry: Registry) => fc.Arbitrary<Record<string, unknown>>;
  /** Shapes of one input sample (without the batch axis), or a function of the options giving them. */
  sampleShape: fc.Arbitrary<number[]> | ((options: Record<string, unknown>) => fc.Arbitrary<number[]>);
  /** A sample shape for the edge-value and contract tests. */
  edgeShape: number[];
  /** The fewest samples per batch the layer accepts in training mode. @default {1} */
  minBatch?: number;
  /** Input values: range, and kinks to keep away from. */
  values?: TensorOptions;
  /** Reject inputs where finite differences are unreliable (near-constant batches, say). */
  valid?: (input: Tensor, options: Record<string, unknown>) => boolean;
  /** Twice differentiable (away from kinks), so gradgradcheck applies. */
  twice: boolean;
  /**
   * The input's values, when the default (floats in [−3, 3] away from `values.avoid`) does not suit:
   * integer indices, or values kept apart so that no two tie.
   */
  input?: (shape: number[], options: Record<string, unknown>) => fc.Arbitrary<Tensor>;
  /** The input takes no gradient (integer indices): only the parameters are checked. */
  integerInput?: boolean;
  /** The edge-value inputs, when the shared ones are no valid input (integer indices). */
  edgeInputs?: (shape: number[], options: Record<string, unknown>) => { label: string; values: Tensor }[];
}

const features = (max = 4) => fc.integer({ min: 1, max }).map((n) => [n]);
const noOptions = () => fc.constant({});

/** A spatial size of an option (a number or a pair), along axis 0 (height) or 1 (width). */
const along = (value: unknown, axis: 0 | 1, fallback: number): number =>
  value === undefined ? fallback : typeof value === "number" ? value : (value as number[])[axis];

/**
 * Options of a convolution over 1 or 2 spatial axes: odd and even kernels (1×1 included),
 * strides, paddings (numbers, pairs, "valid", "same") and dilations.
 */
function convOptions(spatial: 1 | 2): fc.Arbitrary<Record<string, unknown>> {
  const size = (max: number) =>
    spatial === 1 ? fc.integer({ min: 1, max }) : fc.oneof(
      fc.integer({ min: 1, max }),
      fc.tuple(fc.integer({ min: 1, max }), fc.integer({ min: 1, max })),
    );
  return fc.record({
    filters: fc.integer({ min: 1, max: 3 }),
    kernelSize: size(3),
    stride: size(2),
    padding: fc.oneof(
      fc.integer({ min: 0, max: 1 }),
      spatial === 1
        ? fc.integer({ min: 0, max: 2 })
        : fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 2 })),
      fc.constant("valid"),
    ),
    dilation: size(2),
    useBias: fc.boolean(),
  }).chain((o) =>
    // "same" needs stride 1.
    fc.boolean().map((same) => (same ? { ...o, stride: 1, padding: "same" } : o))
  );
}

/**
 * Sample shapes `[channels, ...spatial]` large enough for the window the options describe; for pooling
 * (`padded` false), at least the window's span, so that no window lies wholly in the padding (its
 * maximum would be −∞, in PyTorch too).
 */
function convSample(spatial: 1 | 2, padded = true) {
  const channels = 2;
  return (o: Record<string, unknown>) => {
    const least = (axis: 0 | 1) => {
      const k = along(o.kernelSize ?? o.poolSize, axis, 2), d = along(o.dilation, axis, 1);
      const p = !padded || o.padding === "same" || o.padding === "valid" ? 0 : along(o.padding, axis, 0);
      return Math.max(1, d * (k - 1) + 1 - 2 * p);
    };
    const axes = spatial === 1 ? [least(1)] : [least(0), least(1)];
    return fc.tuple(fc.integer({ min: 1, max: channels }), ...axes.map((n) => fc.integer({ min: n, max: n + 3 })));
  };
}

/** Pooling options: window, stride and padding (at most half the window), and the layer's extra option. */
function poolOptions(extra: "dilation" | "countIncludePad"): fc.Arbitrary<Record<string, unknown>> {
  return fc.record({
    poolSize: fc.oneof(
      fc.integer({ min: 1, max: 3 }),
      fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })),
    ),
    stride: fc.option(fc.integer({ min: 1, max: 2 }), { nil: undefined }),
    half: fc.boolean(),
    extra: extra === "dilation" ? fc.integer({ min: 1, max: 2 }) : fc.boolean(),
  }).map(({ poolSize, stride, half, extra: value }) => {
    const d = extra === "dilation" ? (value as number) : 1;
    const span = (axis: 0 | 1) => d * (along(poolSize, axis, 2) - 1) + 1;
    const padding = half ? [Math.floor(span(0) / 2), Math.floor(span(1) / 2)] : 0;
    const o: Record<string, unknown> = { poolSize, padding, [extra]: value };
    if (stride !== undefined) o.stride = stride;
    return o;
  });
}

/** Float64 inputs whose values are all distinct (0.1 apart, shuffled), so that no two tie for a maximum. */
function distinctValues(shape: number[]): fc.Arbitrary<Tensor> {
  const size = shape.reduce((p, n) => p * n, 1);
  const ranks = Array.from({ length: size }, (_, i) => i);
  return fc.shuffledSubarray(ranks, { minLength: size, maxLength: size }).map((order) =>
    new Tensor(Float64Array.from(order, (r) => (r - size / 2) * 0.1), shape)
  );
}

/** The smallest biased variance over the last `axes` axes of any sample. */
function smallestTrailingVariance(x: Tensor, axes: number): number {
  const group = x.shape.slice(-axes).reduce((p, n) => p * n, 1);
  let least = Infinity;
  for (let start = 0; start < x.size; start += group) {
    const values = Array.from(x.data.subarray(start, start + group));
    const mu = values.reduce((s, v) => s + v, 0) / group;
    least = Math.min(least, values.reduce((s, v) => s + (v - mu) ** 2, 0) / group);
  }
  return least;
}

/** The smallest biased variance of any channel (axis 1) over the batch and later axes. */
function smallestChannelVariance(x: Tensor): number {
  const channels = x.shape[1], inner = x.shape.slice(2).reduce((p, n) => p * n, 1);
  let least = Infinity;
  for (let c = 0; c < channels; c++) {
    const values: number[] = [];
    for (let b = 0; b < x.shape[0]; b++) {
      for (let i = 0; i < inner; i++) values.push(x.data[(b * channels + c) * inner + i]);
    }
    const mu = values.reduce((s, v) => s + v, 0) / values.length;
    least = Math.min(least, values.reduce((s, v) => s + (v - mu) ** 2, 0) / values.length);
  }
  return least;
}

const FIXTURES: Record<string, LayerFixture> = {
  "avg-pool2d": {
    options: () => poolOptions("countIncludePad"),
    sampleShape: convSample(2, false),
    edgeShape: [2, 4, 4],
    twice: true,
  },
  "batch-norm": {
    options: () => fc.record({ momentum: fc.constantFrom(0.1, 0.5), epsilon: fc.constantFrom(1e-5, 1e-3) }),
    // [features], or [channels, length] / [channels, height, width] normalized per channel.
    sampleShape: fc.oneof(
      features(),
      fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })),
      fc.constant<number[]>([2, 2, 2]),
    ),
    edgeShape: [3],
    minBatch: 2,
    valid: (x) => smallestChannelVariance(x) > 0.05,
    twice: true,
  },
  conv1d: { options: () => convOptions(1), sampleShape: convSample(1), edgeShape: [2, 5], twice: true },
  conv2d: { options: () => convOptions(2), sampleShape: convSample(2), edgeShape: [2, 4, 4], twice: true },
  dense: {
    options: () =>
      fc.record({
        units: fc.integer({ min: 1, max: 4 }),
        useBias: fc.boolean(),
        weightLayout: fc.constantFrom("in-out", "out-in"),
      }),
    sampleShape: fc.oneof(features(), fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }))),
    edgeShape: [3],
    twice: true,
  },
  dropout: {
    options: () => fc.record({ rate: fc.constantFrom(0, 0.2, 0.5, 0.9) }),
    sampleShape: fc.oneof(features(), fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))),
    edgeShape: [3],
    twice: true,
  },
  elu: {
    options: () => fc.record({ alpha: fc.constantFrom(1, 0.5, 2) }),
    sampleShape: features(),
    edgeShape: [3],
    // The second derivative jumps at 0 (0 on the right, α on the left).
    values: { avoid: [0] },
    twice: true,
  },
  embedding: {
    options: () => fc.record({ count: fc.integer({ min: 1, max: 5 }), dim: fc.integer({ min: 1, max: 3 }) }),
    sampleShape: fc.oneof(features(3), fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }))),
    edgeShape: [3],
    input: (shape, o) =>
      fc.array(fc.integer({ min: 0, max: (o.count as number) - 1 }), {
        minLength: shape.reduce((p, n) => p * n, 1),
        maxLength: shape.reduce((p, n) => p * n, 1),
      }).map((v) => new Tensor(Float64Array.from(v), shape)),
    integerInput: true,
    edgeInputs: (shape, o) => [
      { label: "first row", values: full(shape, 0) },
      { label: "last row", values: full(shape, (o.count as number) - 1) },
    ],
    twice: true,
  },
  flatten: {
    options: () =>
      fc.constantFrom<Record<string, unknown>>({}, { startAxis: 1, endAxis: 2 }, { startAxis: 2 }, { startAxis: -2 }),
    sampleShape: fc.tuple(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 2 }),
    ),
    edgeShape: [2, 2, 2],
    twice: true,
  },
  gelu: {
    options: () => fc.record({ approximate: fc.constantFrom("none", "tanh") }),
    sampleShape: features(),
    edgeShape: [3],
    twice: true,
  },
  "global-avg-pool2d": {
    options: () => fc.record({ keepDims: fc.boolean() }),
    sampleShape: fc.tuple(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
    ),
    edgeShape: [2, 3, 3],
    twice: true,
  },
  "layer-norm": {
    options: () => fc.record({ axes: fc.constantFrom(1, 2), epsilon: fc.constantFrom(1e-5, 1e-3) }),
    sampleShape: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 4 })),
    edgeShape: [2, 3],
    // A sample whose normalized values are near-constant has a near-singular √(σ² + ε): differences break down.
    valid: (x, o) => smallestTrailingVariance(x, o.axes as number) > 0.05,
    twice: true,
  },
  "leaky-relu": {
    options: () => fc.record({ negativeSlope: fc.constantFrom(0.01, 0.2, -0.5) }),
    sampleShape: features(),
    edgeShape: [3],
    values: { avoid: [0] },
    twice: true,
  },
  "log-softmax": {
    options: () => fc.record({ axis: fc.constantFrom(-1, 1) }),
    sampleShape: fc.oneof(features(5), fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))),
    edgeShape: [EDGE_VALUES.length],
    twice: true,
  },
  "max-pool2d": {
    options: () => poolOptions("dilation"),
    sampleShape: convSample(2, false),
    edgeShape: [2, 4, 4],
    // Distinct values: where two tie for a maximum, the function has a kink.
    input: (shape) => distinctValues(shape),
    twice: true,
  },
  relu: { options: noOptions, sampleShape: features(), edgeShape: [3], values: { avoid: [0] }, twice: true },
  residual: {
    options: (registry) =>
      fc.integer({ min: 1, max: 3 }).chain((hidden) =>
        fc.constantFrom(
          [registry.create("layer", "dense", { units: hidden }), registry.create("layer", "tanh")],
          [registry.create("layer", "gelu"), registry.create("layer", "dense", { units: hidden })],
        ).map((inner) => ({ layers: [...inner, registry.create("layer", "dense", { units: 3 })] }))
      ),
    sampleShape: fc.constant([3]),
    edgeShape: [3],
    twice: true,
  },
  sequential: {
    options: (registry) =>
      fc.integer({ min: 1, max: 4 }).map((hidden) => ({
        layers: [
          registry.create("layer", "dense", { units: hidden }),
          registry.create("layer", "tanh"),
          registry.create("layer", "dense", { units: 2 }),
          registry.create("layer", "sigmoid"),
        ],
      })),
    sampleShape: features(),
    edgeShape: [3],
    twice: true,
  },
  sigmoid: { options: noOptions, sampleShape: features(), edgeShape: [3], twice: true },
  silu: { options: noOptions, sampleShape: features(), edgeShape: [3], twice: true },
  // The default sign layer reports the true derivative, 0 away from the jump at 0. The straight-through
  // option is biased by design (finite differences give 0, it gives 1), so its tests are in sign_test.ts.
  sign: { options: noOptions, sampleShape: features(), edgeShape: [3], values: { avoid: [0] }, twice: true },
  softmax: {
    options: () => fc.record({ axis: fc.constantFrom(-1, 1) }),
    sampleShape: fc.oneof(features(5), fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))),
    edgeShape: [EDGE_VALUES.length],
    twice: true,
  },
  softplus: {
    options: () => fc.record({ beta: fc.constantFrom(1, 0.5, 2) }),
    sampleShape: features(),
    edgeShape: [3],
    twice: true,
  },
  tanh: { options: noOptions, sampleShape: features(), edgeShape: [3], twice: true },
};

const registry = createRegistry();
const layerNames = registry.list("layer").map((p) => p.name);

function fixtureFor(name: string): LayerFixture {
  const fixture = FIXTURES[name];
  if (fixture === undefined) {
    throw new Error(
      `Layer "${name}" has no fixture in tests/layers_test.ts: add an entry to FIXTURES (its options, input shapes, kinks to avoid, and whether it is twice differentiable) so the shared suite checks it`,
    );
  }
  return fixture;
}

/** A scalar that weighs every output element differently, so no cotangent is uniform. */
function weighted(y: Tensor): Tensor {
  const w = new Tensor(Float64Array.from({ length: y.size }, (_, i) => 0.5 + ((i * 7919) % 13) / 13), y.shape);
  return sum(mul(y, w));
}

/** A context whose generator is rebuilt from a fixed seed on every call, so a stochastic layer draws the same mask each time. */
function fixedContext(training: boolean, seed: number): ApplyContext {
  return { training, rng: new Random(seed) };
}

interface Case {
  layer: Layer;
  options: Record<string, unknown>;
  input: Tensor;
  params: Tree;
  state: Tree;
  training: boolean;
  maskSeed: number;
}

/** Random cases for one layer: options, batch, input, initial parameters, a warmed-up state, and the mode. */
function arbCase(name: string): fc.Arbitrary<Case> {
  const fixture = fixtureFor(name);
  return fixture.options(registry).chain((options) =>
    fc.tuple(
      fc.constant(options),
      typeof fixture.sampleShape === "function" ? fixture.sampleShape(options) : fixture.sampleShape,
      fc.integer({ min: fixture.minBatch ?? 1, max: 4 }),
      fc.integer({ min: 0, max: 10_000 }),
      fc.boolean(),
    )
  ).chain(([options, sample, batch, seed, training]) =>
    (fixture.input?.([batch, ...sample], options) ?? arbTensorOfShape([batch, ...sample], fixture.values)).map(
      (input) => {
        const layer = registry.create("layer", name, options);
        const { params, state: initial } = layer.init(sample, new Random(seed));
        // Evaluation mode runs on the state one training step leaves (running statistics, say).
        const state = layer.apply(params, initial, input, fixedContext(true, seed + 1)).state;
        const shown = () => `${name} ${JSON.stringify(options)} training=${training} seed=${seed} input=${input}`;
        return { layer, options, input, params, state, training, maskSeed: seed + 2, [fc.toStringMethod]: shown };
      },
    )
  );
}

function scalarOf(c: Case): (x: { input: Tensor; params: Tree }) => Tensor {
  return ({ input, params }) =>
    weighted(c.layer.apply(params, c.state, input, fixedContext(c.training, c.maskSeed)).output);
}

/** What the checks differentiate: the input and the parameters, or only the parameters for integer inputs. */
function checked(
  name: string,
  c: Case,
): [(x: { input: Tensor; params: Tree }) => Tensor, { input: Tensor; params: Tree }] {
  const f = scalarOf(c);
  if (!FIXTURES[name].integerInput) return [f, { input: c.input, params: c.params }];
  // The indices are held fixed (as constants) while the parameters vary.
  return [(x) => f({ input: c.input, params: x.params }), { params: c.params } as { input: Tensor; params: Tree }];
}

Deno.test("every registered layer has a fixture in the shared layer suite", () => {
  const missing = layerNames.filter((n) => !(n in FIXTURES));
  assert.deepEqual(missing, [], `add fixtures for: ${missing.join(", ")}`);
});

Deno.test("every fixture of the shared layer suite names a registered layer", () => {
  const stale = Object.keys(FIXTURES).filter((n) => !layerNames.includes(n));
  assert.deepEqual(stale, [], `remove or rename fixtures: ${stale.join(", ")}`);
});

for (const name of layerNames) {
  Deno.test(`layer "${name}" backward matches central differences`, () => {
    const fixture = fixtureFor(name);
    fc.assert(
      fc.property(arbCase(name), (c) => {
        fc.pre(c.training === false || fixture.valid === undefined || fixture.valid(c.input, c.options));
        gradcheck(...checked(name, c));
      }),
      { numRuns: RUNS, seed: 11 },
    );
  });

  if (FIXTURES[name]?.twice !== false) {
    Deno.test(`layer "${name}" second derivatives match differences of the gradient`, () => {
      const fixture = fixtureFor(name);
      fc.assert(
        fc.property(arbCase(name), (c) => {
          fc.pre(c.training === false || fixture.valid === undefined || fixture.valid(c.input, c.options));
          gradgradcheck(...checked(name, c), { atol: 1e-4, rtol: 1e-3 });
        }),
        { numRuns: SECOND_ORDER_RUNS, seed: 13 },
      );
    });
  }

  Deno.test(`layer "${name}" outputs and gradients stay finite on the edge values`, () => {
    const fixture = fixtureFor(name);
    const options = fc.sample(fixture.options(registry), { numRuns: 1, seed: 1 })[0];
    const layer = registry.create("layer", name, options);
    const batch = Math.max(fixture.minBatch ?? 1, 3);
    const shape = [batch, ...fixture.edgeShape];
    const size = shape.reduce((p, n) => p * n, 1);
    const { params, state } = layer.init(fixture.edgeShape, new Random(0));
    const inputs = fixture.edgeInputs?.(shape, options) ?? [
      ...EDGE_VALUES.map((v) => ({ label: `all ${v}`, values: full(shape, v) })),
      {
        label: "mixed",
        values: tensor(Array.from({ length: size }, (_, i) => EDGE_VALUES[i % EDGE_VALUES.length]), shape),
      },
    ];
    for (const dtype of ["float64", "float32"] as DType[]) {
      for (const { label, values } of inputs) {
        const input = astype(values, dtype);
        for (const training of [true, false]) {
          const where = `${label}, ${dtype}, training ${training}`;
          const { output } = layer.apply(params, state, input, fixedContext(training, 3));
          assert.ok(output.data.every(Number.isFinite), `output not finite (${where}): ${output}`);
          if (!fixture.integerInput) {
            const g = grad((x: Tensor) => sum(layer.apply(params, state, x, fixedContext(training, 3)).output))(input);
            assert.ok(g.data.every(Number.isFinite), `input gradient not finite (${where}): ${g}`);
          }
          const gp = grad((p: Tree) => sum(layer.apply(p, state, input, fixedContext(training, 3)).output))(params);
          for (const [path, t] of flattenTree(gp)) {
            assert.ok(t.data.every(Number.isFinite), `gradient of "${path}" not finite (${where}): ${t}`);
          }
        }
      }
    }
  });

  Deno.test(`layer "${name}" keeps the shape and state contract of init and apply`, () => {
    const fixture = fixtureFor(name);
    fc.assert(
      fc.property(arbCase(name), (c) => {
        const sample = c.input.shape.slice(1);
        const first = c.layer.init(sample, new Random(5)), again = c.layer.init(sample, new Random(5));
        // init is deterministic for a seed.
        assert.deepEqual(
          flattenTree(first.params).map(([p, t]) => [p, t.toArray()]),
          flattenTree(again.params).map(([p, t]) => [p, t.toArray()]),
        );
        // Parameters and state follow the inputs' dtype when the layer is not told one (as train() tells it).
        for (const dtype of ["float32", "float64"] as const) {
          const typed = c.layer.init(sample, new Random(5), { dtype });
          for (const [path, t] of [...flattenTree(typed.params), ...flattenTree(typed.state)]) {
            assert.equal(t.dtype, dtype, `"${path}" of a layer initialized for ${dtype} inputs`);
          }
        }
        const snapshot = (t: Tree) => flattenTree(t).map(([p, x]) => [p, x.shape, Array.from(x.data)]);
        const before = [snapshot(first.params), snapshot(first.state), Array.from(c.input.data)];
        for (const training of [true, false]) {
          fc.pre(!training || fixture.valid === undefined || fixture.valid(c.input, c.options));
          const r = c.layer.apply(first.params, first.state, c.input, fixedContext(training, 1));
          // The output is [batch, ...outputShape].
          assert.deepEqual(r.output.shape, [c.input.shape[0], ...first.outputShape]);
          // The state keeps its structure and shapes; evaluation leaves it unchanged.
          const shapes = (t: Tree) => flattenTree(t).map(([p, x]) => [p, x.shape]);
          assert.deepEqual(shapes(r.state), shapes(first.state));
          if (!training) assert.deepEqual(snapshot(r.state), snapshot(first.state));
          // Nothing given to apply is mutated.
          assert.deepEqual([snapshot(first.params), snapshot(first.state), Array.from(c.input.data)], before);
        }
      }),
      { numRuns: 30, seed: 17 },
    );
  });
}
