/**
 * Property tests of every primitive op: its flow-graph gradient matches
 * central differences (≥100 random cases each, random shapes with
 * broadcasting), and where it is twice differentiable, its Hessian-vector
 * product matches differences of the gradient.
 */

import fc from "fast-check";
import * as op from "../core/ops/mod.ts";
import { grad } from "../core/autodiff.ts";
import { broadcastShapes, Tensor, tensor } from "../core/tensor.ts";
import { gradcheck, gradgradcheck } from "./kit/mod.ts";
import { arbBroadcastShapes, arbShape, arbTensorOfShape, type TensorOptions } from "./kit/arbitraries.ts";

const RUNS = 100;
const SECOND_ORDER_RUNS = 25;

/** A scalar that weighs every output element differently, so no cotangent is uniform. */
function weighted(y: Tensor): Tensor {
  const w = new Tensor(Float64Array.from({ length: y.size }, (_, i) => 0.5 + ((i * 7919) % 13) / 13), y.shape);
  return op.sum(op.mul(y, w));
}

function checkBoth(f: (x: Tensor[]) => Tensor, inputs: Tensor[], second: boolean, runs: number): void {
  gradcheck(f, inputs);
  if (second && runs <= SECOND_ORDER_RUNS) gradgradcheck(f, inputs, { atol: 1e-4, rtol: 1e-3 });
}

interface UnaryCase {
  fn: (x: Tensor) => Tensor;
  values?: TensorOptions;
  twice: boolean;
}

const unaryCases: Record<string, UnaryCase> = {
  neg: { fn: op.neg, twice: true },
  square: { fn: op.square, twice: true },
  sqrt: { fn: op.sqrt, values: { min: 0.1, max: 4 }, twice: true },
  exp: { fn: op.exp, twice: true },
  log: { fn: op.log, values: { min: 0.1, max: 4 }, twice: true },
  sin: { fn: op.sin, twice: true },
  cos: { fn: op.cos, twice: true },
  tanh: { fn: op.tanh, twice: true },
  sigmoid: { fn: op.sigmoid, values: { min: -6, max: 6 }, twice: true },
  relu: { fn: op.relu, values: { avoid: [0] }, twice: false },
  abs: { fn: op.abs, values: { avoid: [0] }, twice: false },
  erf: { fn: op.erf, twice: true },
  gelu: { fn: (x) => op.gelu(x), twice: true },
  geluTanh: { fn: (x) => op.gelu(x, { approximate: "tanh" }), twice: true },
  elu: { fn: (x) => op.elu(x, 0.7), values: { avoid: [0] }, twice: true },
  leakyRelu: { fn: (x) => op.leakyRelu(x, 0.2), values: { avoid: [0] }, twice: true },
  softplus: { fn: (x) => op.softplus(x, { beta: 1.5 }), twice: true },
  silu: { fn: op.silu, twice: true },
};

for (const [name, c] of Object.entries(unaryCases)) {
  Deno.test(`op ${name} gradient matches central differences on random shapes`, () => {
    let run = 0;
    fc.assert(
      fc.property(arbShape().chain((s) => arbTensorOfShape(s, c.values)), (x) => {
        checkBoth(([v]) => weighted(c.fn(v)), [x], c.twice, ++run);
      }),
      { numRuns: RUNS, seed: 42 },
    );
  });
}

interface BinaryCase {
  fn: (a: Tensor, b: Tensor) => Tensor;
  a?: TensorOptions;
  b?: TensorOptions;
  twice: boolean;
  /** Skip draws where the function has a kink (e.g. a = b for maximum). */
  valid?: (a: Tensor, b: Tensor) => boolean;
}

function apart(a: Tensor, b: Tensor): boolean {
  const d = op.abs(op.sub(a, b));
  return d.data.every((v) => v > 0.01);
}

const binaryCases: Record<string, BinaryCase> = {
  add: { fn: op.add, twice: true },
  sub: { fn: op.sub, twice: true },
  mul: { fn: op.mul, twice: true },
  div: { fn: op.div, b: { min: 0.5, max: 3 }, twice: true },
  pow: { fn: op.pow, a: { min: 0.5, max: 2 }, b: { min: -2, max: 2 }, twice: true },
  maximum: { fn: op.maximum, twice: false, valid: apart },
  minimum: { fn: op.minimum, twice: false, valid: apart },
};

for (const [name, c] of Object.entries(binaryCases)) {
  Deno.test(`op ${name} gradient matches central differences with broadcasting`, () => {
    let run = 0;
    const arb = arbBroadcastShapes().chain(([sa, sb]) =>
      fc.tuple(arbTensorOfShape(sa, c.a), arbTensorOfShape(sb, c.b))
    );
    fc.assert(
      fc.property(arb, ([a, b]) => {
        broadcastShapes(name, a.shape, b.shape);
        fc.pre(c.valid === undefined || c.valid(a, b));
        checkBoth(([x, y]) => weighted(c.fn(x, y)), [a, b], c.twice, ++run);
      }),
      { numRuns: RUNS, seed: 7 },
    );
  });
}

Deno.test("op where gradient flows to the chosen branch only, with broadcasting", () => {
  let run = 0;
  const arb = arbBroadcastShapes().chain(([sa, sb]) =>
    fc.tuple(arbTensorOfShape(sa), arbTensorOfShape(sb), arbTensorOfShape(sa, { min: -1, max: 1 }))
  );
  fc.assert(
    fc.property(arb, ([a, b, c]) => {
      const mask = op.greater(c, 0);
      checkBoth(([x, y]) => weighted(op.where(mask, op.square(x), op.mul(y, 3))), [a, b], true, ++run);
    }),
    { numRuns: RUNS, seed: 3 },
  );
});

Deno.test("op matmul gradient matches central differences in all four orientations", () => {
  let run = 0;
  const arb = fc.tuple(
    fc.integer({ min: 1, max: 5 }),
    fc.integer({ min: 1, max: 5 }),
    fc.integer({ min: 1, max: 5 }),
    fc.boolean(),
    fc.boolean(),
  ).chain(([m, k, n, ta, tb]) =>
    fc.tuple(arbTensorOfShape(ta ? [k, m] : [m, k]), arbTensorOfShape(tb ? [n, k] : [k, n]), fc.constant([ta, tb]))
  );
  fc.assert(
    fc.property(arb, ([a, b, [ta, tb]]) => {
      checkBoth(([x, y]) => weighted(op.matmul(x, y, { transposeA: ta, transposeB: tb })), [a, b], true, ++run);
    }),
    { numRuns: RUNS, seed: 11 },
  );
});

const axisCase = arbShape({ minRank: 1 }).chain((shape) =>
  fc.tuple(
    arbTensorOfShape(shape),
    fc.oneof(
      fc.constant(undefined),
      fc.integer({ min: -shape.length, max: shape.length - 1 }),
      fc.subarray(shape.map((_, i) => i), { minLength: 1 }),
    ),
    fc.boolean(),
  )
);

const reductions: Record<string, { fn: (x: Tensor, o: op.ReduceOptions) => Tensor; twice: boolean }> = {
  sum: { fn: op.sum, twice: true },
  mean: { fn: op.mean, twice: true },
  max: { fn: op.max, twice: false },
  logSumExp: { fn: op.logSumExp, twice: true },
};

for (const [name, c] of Object.entries(reductions)) {
  Deno.test(`op ${name} gradient matches central differences over random axes`, () => {
    let run = 0;
    fc.assert(
      fc.property(axisCase, ([x, axis, keepDims]) => {
        if (name === "max") {
          // Ties make max non-differentiable: require distinct values.
          const sorted = Array.from(x.data).sort((a, b) => a - b);
          fc.pre(sorted.every((v, i) => i === 0 || v - sorted[i - 1] > 0.01));
        }
        checkBoth(([v]) => weighted(c.fn(v, { axis, keepDims })), [x], c.twice, ++run);
      }),
      { numRuns: RUNS, seed: 5 },
    );
  });
}

for (const [name, fn] of [["softmax", op.softmax], ["logSoftmax", op.logSoftmax]] as const) {
  Deno.test(`op ${name} gradient matches central differences along a random axis`, () => {
    let run = 0;
    const arb = arbShape({ minRank: 1 }).chain((shape) =>
      fc.tuple(arbTensorOfShape(shape), fc.integer({ min: -shape.length, max: shape.length - 1 }))
    );
    fc.assert(
      fc.property(arb, ([x, axis]) => checkBoth(([v]) => weighted(fn(v, axis)), [x], true, ++run)),
      { numRuns: RUNS, seed: 9 },
    );
  });
}

Deno.test("op reshape and transpose gradients match central differences", () => {
  let run = 0;
  const arb = arbShape({ minRank: 1 }).chain((shape) =>
    fc.tuple(arbTensorOfShape(shape), fc.shuffledSubarray(shape.map((_, i) => i), { minLength: shape.length }))
  );
  fc.assert(
    fc.property(arb, ([x, perm]) => {
      checkBoth(([v]) => weighted(op.square(op.transpose(op.reshape(v, [...v.shape]), perm))), [x], true, ++run);
      checkBoth(([v]) => weighted(op.square(op.reshape(v, [-1]))), [x], false, run);
    }),
    { numRuns: RUNS, seed: 13 },
  );
});

Deno.test("op slice and concat gradients match central differences", () => {
  let run = 0;
  const arb = arbShape({ minRank: 1 }).chain((shape) =>
    fc.tuple(
      arbTensorOfShape(shape),
      fc.tuple(...shape.map((n) =>
        fc.integer({ min: 0, max: n - 1 }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 1, max: n - b })))
      )),
      fc.integer({ min: 0, max: shape.length - 1 }),
    )
  );
  fc.assert(
    fc.property(arb, ([x, box, axis]) => {
      const begin = box.map(([b]) => b), size = box.map(([, s]) => s);
      checkBoth(([v]) => weighted(op.square(op.slice(v, begin, size))), [x], true, ++run);
      checkBoth(([v]) => weighted(op.concat([op.square(v), op.sin(v)], axis)), [x], true, run);
    }),
    { numRuns: RUNS, seed: 17 },
  );
});

Deno.test("op gather gradient matches central differences, repeated indices included", () => {
  let run = 0;
  const arb = arbShape({ minRank: 1 }).chain((shape) =>
    fc.integer({ min: 0, max: shape.length - 1 }).chain((axis) => {
      const indexShape = shape.map((n, i) => (i === axis ? n + 1 : n));
      const count = indexShape.reduce((p, n) => p * n, 1);
      return fc.tuple(
        arbTensorOfShape(shape),
        fc.array(fc.integer({ min: 0, max: shape[axis] - 1 }), { minLength: count, maxLength: count })
          .map((ix) => new Tensor(Float64Array.from(ix), indexShape)),
        fc.constant(axis),
      );
    })
  );
  fc.assert(
    fc.property(arb, ([x, index, axis]) => {
      checkBoth(([v]) => weighted(op.square(op.gather(v, index, axis))), [x], true, ++run);
    }),
    { numRuns: RUNS, seed: 19 },
  );
});

/** Random NCHW convolution problems: odd and even kernels (1×1 included), strides, paddings, dilations. */
const convCase = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  channels: fc.integer({ min: 1, max: 3 }),
  filters: fc.integer({ min: 1, max: 3 }),
  kernel: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })),
  padding: fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 1 })),
    fc.constantFrom<"same" | "valid">("same", "valid"),
  ),
  dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  bias: fc.boolean(),
  extra: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
}).chain((c) => {
  const stride = c.padding === "same" ? [1, 1] as [number, number] : c.stride;
  const span = [0, 1].map((a) => c.dilation[a] * (c.kernel[a] - 1) + 1);
  const pad = (a: number) => (Array.isArray(c.padding) ? 2 * c.padding[a] : 0);
  const [h, w] = [0, 1].map((a) => Math.max(1, span[a] - pad(a)) + c.extra[a]);
  return fc.tuple(
    arbTensorOfShape([c.batch, c.channels, h, w]),
    arbTensorOfShape([c.filters, c.channels, ...c.kernel]),
    arbTensorOfShape([c.filters]),
    fc.constant({ ...c, stride }),
  );
});

Deno.test("op conv2d gradients (input, weight, bias) match central differences, and its second derivatives", () => {
  let run = 0;
  fc.assert(
    fc.property(convCase, ([x, w, b, c]) => {
      const options = { stride: c.stride, padding: c.padding, dilation: c.dilation };
      const inputs = c.bias ? [x, w, b] : [x, w];
      // Squared, so the second derivative is not zero.
      const f = ([v, u, bias]: Tensor[]) => weighted(op.square(op.conv2d(v, u, bias ?? null, options)));
      gradcheck(f, inputs);
      if (++run <= SECOND_ORDER_RUNS) gradgradcheck(f, inputs, { atol: 1e-4, rtol: 1e-3 });
    }),
    { numRuns: RUNS, seed: 23 },
  );
});

/** Random pooling problems with distinct input values (no ties for a maximum). */
const poolCase = fc.record({
  shape: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  kernel: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  stride: fc.option(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })), { nil: undefined }),
  halfPad: fc.boolean(),
  dilation: fc.integer({ min: 1, max: 2 }),
  countIncludePad: fc.boolean(),
  extra: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
}).chain((c) => {
  const span = c.kernel.map((k) => c.dilation * (k - 1) + 1);
  const shape = [...c.shape, span[0] + c.extra[0], span[1] + c.extra[1]];
  const size = shape.reduce((p, n) => p * n, 1);
  return fc.tuple(
    fc.shuffledSubarray(Array.from({ length: size }, (_, i) => i), { minLength: size, maxLength: size })
      .map((order) => new Tensor(Float64Array.from(order, (r) => (r - size / 2) * 0.1), shape)),
    fc.constant({
      ...c,
      padding: c.halfPad ? span.map((s) => Math.floor(s / 2)) as [number, number] : 0,
      avgPadding: c.halfPad ? c.kernel.map((k) => Math.floor(k / 2)) as [number, number] : 0,
    }),
  );
});

Deno.test("op maxPool2d and avgPool2d gradients match central differences, and their second derivatives", () => {
  let run = 0;
  fc.assert(
    fc.property(poolCase, ([x, c]) => {
      const max = ([v]: Tensor[]) =>
        weighted(op.square(op.maxPool2d(v, c.kernel, { stride: c.stride, padding: c.padding, dilation: c.dilation })));
      const avg = ([v]: Tensor[]) =>
        weighted(
          op.square(
            op.avgPool2d(v, c.kernel, { stride: c.stride, padding: c.avgPadding, countIncludePad: c.countIncludePad }),
          ),
        );
      checkBoth(max, [x], true, ++run);
      checkBoth(avg, [x], true, run);
    }),
    { numRuns: RUNS, seed: 29 },
  );
});

Deno.test("op gatherRows gradient matches central differences, repeated rows included", () => {
  let run = 0;
  const arb = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }), arbShape({ maxRank: 2 }))
    .chain(([rows, width, indexShape]) => {
      const count = indexShape.reduce((p, n) => p * n, 1);
      return fc.tuple(
        arbTensorOfShape([rows, width]),
        fc.array(fc.integer({ min: 0, max: rows - 1 }), { minLength: count, maxLength: count })
          .map((ix) => new Tensor(Float64Array.from(ix), indexShape)),
      );
    });
  fc.assert(
    fc.property(arb, ([table, indices]) => {
      checkBoth(([t]) => weighted(op.square(op.gatherRows(t, indices))), [table], true, ++run);
    }),
    { numRuns: RUNS, seed: 31 },
  );
});

// Kinks and axis bookkeeping that random central differences steer clear of: checked against PyTorch's rules.
Deno.test("maximum() and minimum() split the gradient equally between tied operands, as PyTorch does", () => {
  const a = tensor([1, 2, 3]), b = tensor([1, 5, 0]);
  for (const f of [op.maximum, op.minimum]) {
    const g = grad(({ a, b }: { a: Tensor; b: Tensor }) => op.sum(f(a, b)))({ a, b });
    const aWins = f === op.maximum ? [0.5, 0, 1] : [0.5, 1, 0];
    if ([...g.a.data].join() !== aWins.join() || [...g.b.data].join() !== aWins.map((v) => 1 - v).join()) {
      throw new Error(`${f.name}: ∂/∂a ${[...g.a.data]}, ∂/∂b ${[...g.b.data]}; expected ${aWins} and its complement`);
    }
  }
});

Deno.test("max() shares the gradient evenly among tied maxima, along each reduced axis (PyTorch's amax)", () => {
  const g = grad((x: Tensor) => op.sum(op.max(x, { axis: 1 })))(tensor([[1, 3, 3], [2, 0, 1]]));
  if ([...g.data].join() !== [0, 0.5, 0.5, 1, 0, 0].join()) throw new Error(`got ${[...g.data]}`);
  const all = grad((x: Tensor) => op.max(x))(tensor([[4, 1], [4, 4]]));
  if ([...all.data].map((v) => v.toFixed(6)).join() !== [1 / 3, 0, 1 / 3, 1 / 3].map((v) => v.toFixed(6)).join()) {
    throw new Error(`got ${[...all.data]}`);
  }
});

Deno.test("mean() over some axes divides by their lengths only, in value and gradient", () => {
  const x = new Tensor(Float64Array.from({ length: 24 }, (_, i) => i * i), [2, 3, 4]);
  const m = op.mean(x, { axis: [0, 2] });
  for (let j = 0; j < 3; j++) {
    let s = 0;
    for (let i = 0; i < 2; i++) for (let k = 0; k < 4; k++) s += x.data[i * 12 + j * 4 + k];
    if (Math.abs(m.data[j] - s / 8) > 1e-12) throw new Error(`mean[${j}] is ${m.data[j]}, expected ${s / 8}`);
  }
  const g = grad((t: Tensor) => op.sum(op.mean(t, { axis: 1 })))(x);
  if (![...g.data].every((v) => Math.abs(v - 1 / 3) < 1e-15)) throw new Error(`gradient ${[...g.data]}, expected 1/3`);
});
