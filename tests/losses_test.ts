/**
 * Property suites run over every registered loss: the gradient with respect
 * to the predictions matches central differences (float64, ≥100 random cases
 * with random batch sizes, classes and options, away from kinks), the
 * Hessian-vector product matches differences of the gradient where the loss
 * is twice differentiable, the reductions agree with each other, and loss and
 * gradient stay finite on edge values in float32 and float64.
 *
 * A loss joins these suites by being registered; the fixture table below says
 * how to draw its inputs. A registered loss without a fixture fails.
 */

import fc from "fast-check";
import assert from "node:assert/strict";
import { grad } from "../core/autodiff.ts";
import type { Loss } from "../core/interfaces.ts";
import * as op from "../core/ops/mod.ts";
import { type DType, Tensor, tensor } from "../core/tensor.ts";
import { createRegistry } from "../plugins/mod.ts";
import { arbShape, arbTensorOfShape } from "./kit/arbitraries.ts";
import { gradcheck, gradgradcheck } from "./kit/mod.ts";

const RUNS = 100;
const SECOND_ORDER_RUNS = 25;
const EDGES = [0, 1e-8, -1e-8, 40, -40, 89, -89, 710, -710];
const DTYPES: DType[] = ["float64", "float32"];

/** One draw: the options (a `reduction` among them, or not) and the inputs. */
interface LossCase {
  options: Record<string, unknown>;
  predictions: Tensor;
  targets: Tensor;
}

/** How the suites exercise one loss. */
interface LossFixture {
  /** Random float64 cases for the derivative checks, keeping away from kinks. */
  cases: fc.Arbitrary<LossCase>;
  /** Twice differentiable between kinks (second-order check). */
  twice: boolean;
  /** With `reduction: "none"`: one loss per element (the predictions' shape) or per sample (`[batch]`). */
  unreduced: "element" | "sample";
  /** Edge-value cases in a dtype; loss and gradient must be finite. */
  edges: (dtype: DType) => LossCase[];
}

const arbReduction = fc.constantFrom("mean", "sum", "none", undefined);
const arbBatchClasses = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 5 }));

/** Labels of one of the two accepted shapes. */
function arbLabels(batch: number, classes: number): fc.Arbitrary<Tensor> {
  return fc.tuple(
    fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: batch, maxLength: batch }),
    fc.boolean(),
  )
    .map(([values, column]) => tensor(values, column ? [batch, 1] : [batch]));
}

/** Rows on the probability simplex (some with exact zeros). */
function arbSimplex(batch: number, classes: number): fc.Arbitrary<Tensor> {
  return fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 1, noNaN: true })), {
    minLength: batch * classes,
    maxLength: batch * classes,
  }).map((values) => {
    for (let i = 0; i < batch; i++) {
      const row = values.slice(i * classes, (i + 1) * classes);
      const total = row.reduce((a, b) => a + b, 0);
      for (let j = 0; j < classes; j++) values[i * classes + j] = total === 0 ? 1 / classes : row[j] / total;
    }
    return tensor(values, [batch, classes]);
  });
}

function withReduction(options: Record<string, unknown>, reduction: string | undefined): Record<string, unknown> {
  return reduction === undefined ? options : { ...options, reduction };
}

/** Edge logits as rows `[v, 0]`, so each class in turn sees every edge value. */
function edgeRows(dtype: DType): Tensor {
  return tensor(EDGES.flatMap((v) => [v, 0]), [EDGES.length, 2], dtype);
}

const fixtures: Record<string, LossFixture> = {
  "mse": {
    cases: fc.tuple(arbShape(), arbReduction).chain(([shape, reduction]) =>
      fc.record({
        options: fc.constant(withReduction({}, reduction)),
        predictions: arbTensorOfShape(shape),
        targets: arbTensorOfShape(shape),
      })
    ),
    twice: true,
    unreduced: "element",
    edges: (dtype) => [
      {
        options: {},
        predictions: tensor(EDGES, [EDGES.length], dtype),
        targets: tensor(EDGES.map(() => 0), [9], dtype),
      },
      {
        options: {},
        predictions: tensor(EDGES, [EDGES.length], dtype),
        targets: tensor(EDGES.map((v) => -v), [9], dtype),
      },
    ],
  },
  "binary-cross-entropy": {
    cases: fc.tuple(arbShape(), arbReduction).chain(([shape, reduction]) =>
      fc.record({
        options: fc.constant(withReduction({}, reduction)),
        predictions: arbTensorOfShape(shape, { min: 0.02, max: 0.98 }),
        targets: fc.oneof(
          arbTensorOfShape(shape, { min: 0, max: 1 }),
          fc.array(fc.constantFrom(0, 1), { minLength: sizeOf(shape), maxLength: sizeOf(shape) })
            .map((v) => tensor(v, shape)),
        ),
      })
    ),
    twice: true,
    unreduced: "element",
    edges: (dtype) => {
      // Probabilities exactly 0 and 1 (clamped logs), and within 1e-8 of them, against both labels.
      const probabilities = [0, 1, 1e-8, 1 - 1e-8, 0.5];
      const p = probabilities.flatMap((v) => [v, v]);
      const t = probabilities.flatMap(() => [0, 1]);
      return [{ options: {}, predictions: tensor(p, [p.length], dtype), targets: tensor(t, [t.length], dtype) }];
    },
  },
  "binary-cross-entropy-with-logits": {
    cases: fc.tuple(arbShape({ minRank: 1 }), arbReduction).chain(([shape, reduction]) =>
      fc.record({
        options: fc.oneof(
          fc.constant({}),
          fc.double({ min: 0.1, max: 5, noNaN: true }).map((w) => ({ posWeight: w })),
          fc.array(fc.double({ min: 0.1, max: 5, noNaN: true }), {
            minLength: shape[shape.length - 1],
            maxLength: shape[shape.length - 1],
          }).map((w) => ({ posWeight: w })),
        ).map((o) => withReduction(o, reduction)),
        predictions: arbTensorOfShape(shape, { min: -10, max: 10 }),
        targets: arbTensorOfShape(shape, { min: 0, max: 1 }),
      })
    ),
    twice: true,
    unreduced: "element",
    edges: (dtype) => {
      const x = EDGES.flatMap((v) => [v, v]);
      const z = EDGES.flatMap(() => [0, 1]);
      const base = { predictions: tensor(x, [x.length], dtype), targets: tensor(z, [z.length], dtype) };
      return [{ options: {}, ...base }, { options: { posWeight: 3 }, ...base }];
    },
  },
  "softmax-cross-entropy": {
    cases: fc.tuple(arbBatchClasses, arbReduction).chain(([[batch, classes], reduction]) =>
      fc.record({
        options: fc.oneof(
          fc.constant({}),
          fc.double({ min: 0, max: 1, noNaN: true }).map((e) => ({ labelSmoothing: e })),
        )
          .map((o) => withReduction(o, reduction)),
        predictions: arbTensorOfShape([batch, classes], { min: -5, max: 5 }),
        targets: fc.oneof(arbLabels(batch, classes), arbSimplex(batch, classes)),
      })
    ),
    twice: true,
    unreduced: "sample",
    edges: (dtype) => {
      const logits = edgeRows(dtype);
      const n = EDGES.length;
      const cases: LossCase[] = [];
      for (const options of [{}, { labelSmoothing: 0.1 }]) {
        cases.push({ options, predictions: logits, targets: tensor(EDGES.map(() => 0), [n]) });
        cases.push({ options, predictions: logits, targets: tensor(EDGES.map(() => 1), [n, 1]) });
        cases.push({ options, predictions: logits, targets: tensor(EDGES.flatMap(() => [0, 1]), [n, 2], dtype) });
        cases.push({ options, predictions: logits, targets: tensor(EDGES.flatMap(() => [0.5, 0.5]), [n, 2], dtype) });
      }
      return cases;
    },
  },
  "hinge": {
    cases: fc.tuple(arbShape({ minRank: 1 }), arbReduction, fc.option(fc.double({ min: 0, max: 2, noNaN: true })))
      .chain(([shape, reduction, margin]) =>
        fc.record({
          options: fc.constant(withReduction(margin === null ? {} : { margin }, reduction)),
          predictions: arbTensorOfShape(shape),
          targets: fc.array(fc.constantFrom(-1, 1), { minLength: sizeOf(shape), maxLength: sizeOf(shape) })
            .map((v) => tensor(v, shape)),
        })
      ).filter(({ options, predictions, targets }) => {
        // Keep away from the kink t·y = m.
        const m = (options.margin as number | undefined) ?? 1;
        return predictions.data.every((y, i) => Math.abs(m - targets.data[i] * y) > 0.01);
      }),
    twice: false,
    unreduced: "element",
    edges: (dtype) => {
      const y = EDGES.flatMap((v) => [v, v]);
      const t = EDGES.flatMap(() => [-1, 1]);
      return [{ options: {}, predictions: tensor(y, [y.length], dtype), targets: tensor(t, [t.length], dtype) }];
    },
  },
  "multiclass-hinge": {
    cases: fc.tuple(
      arbBatchClasses,
      arbReduction,
      fc.option(fc.double({ min: 0, max: 2, noNaN: true })),
      fc.constantFrom(1, 2),
    )
      .chain(([[batch, classes], reduction, margin, p]) =>
        fc.record({
          options: fc.constant(withReduction(margin === null ? { p } : { margin, p }, reduction)),
          predictions: arbTensorOfShape([batch, classes]),
          targets: arbLabels(batch, classes),
        })
      ).filter(({ options, predictions, targets }) => {
        // Keep away from every kink m − x[y] + x[i] = 0.
        const m = (options.margin as number | undefined) ?? 1;
        const [batch, classes] = predictions.shape;
        for (let b = 0; b < batch; b++) {
          const y = targets.data[b];
          for (let i = 0; i < classes; i++) {
            const v = m - predictions.data[b * classes + y] + predictions.data[b * classes + i];
            if (i !== y && Math.abs(v) <= 0.01) return false;
          }
        }
        return true;
      }),
    twice: false,
    unreduced: "sample",
    edges: (dtype) => {
      const logits = edgeRows(dtype);
      const n = EDGES.length;
      return [
        { options: {}, predictions: logits, targets: tensor(EDGES.map(() => 0), [n]) },
        { options: { p: 2 }, predictions: logits, targets: tensor(EDGES.map(() => 1), [n]) },
      ];
    },
  },
  "kl-divergence": {
    cases: fc.tuple(
      arbShape({ minRank: 1 }),
      fc.constantFrom("mean", "sum", "none", "batchmean", undefined),
      fc.boolean(),
      fc.boolean(),
    ).chain(([shape, reduction, symmetric, logTarget]) =>
      fc.record({
        options: fc.constant(withReduction({ symmetric, logTarget }, reduction)),
        // Predictions are log-probabilities; any real number is a valid point for the derivative check.
        predictions: arbTensorOfShape(shape, { min: -5, max: 1 }),
        targets: logTarget
          ? arbTensorOfShape(shape, { min: -5, max: 0 })
          : fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })), {
            minLength: sizeOf(shape),
            maxLength: sizeOf(shape),
          }).map((v) => tensor(v, shape)),
      })
    ),
    twice: true,
    unreduced: "element",
    edges: (dtype) => {
      // Log-probabilities of the edge logits (0, −1e-8 … −710: the edges that are valid log-probabilities).
      const logq = op.logSoftmax(edgeRows(dtype));
      const n = EDGES.length;
      const cases: LossCase[] = [];
      for (const symmetric of [false, true]) {
        for (const row of [[1, 0], [0, 1], [0.5, 0.5]]) {
          const p = tensor(EDGES.flatMap(() => row), [n, 2], dtype);
          cases.push({ options: { symmetric }, predictions: logq, targets: p });
        }
        cases.push({
          options: { symmetric, logTarget: true },
          predictions: logq,
          targets: op.logSoftmax(edgeRows(dtype), 1),
        });
      }
      return cases;
    },
  },
};

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, n) => p * n, 1);
}

/** A scalar that weighs every element differently, so no cotangent is uniform. */
function weighted(y: Tensor): Tensor {
  if (y.size === 1) return op.reshape(y, []);
  const w = new Tensor(Float64Array.from({ length: y.size }, (_, i) => 0.5 + ((i * 7919) % 13) / 13), y.shape);
  return op.sum(op.mul(y, op.cast(w, y.dtype)));
}

function allFinite(t: Tensor): boolean {
  return t.data.every((v) => Number.isFinite(v));
}

const registry = createRegistry();
const make = (name: string, options: Record<string, unknown>): Loss => registry.create("loss", name, options);

Deno.test("every loss fixture names a registered loss", () => {
  const registered = registry.list("loss").map((p) => p.name);
  for (const name of Object.keys(fixtures)) {
    assert.ok(registered.includes(name), `the fixture "${name}" in tests/losses_test.ts names no registered loss`);
  }
});

for (const { name } of registry.list("loss")) {
  const fixture = fixtures[name];
  if (fixture === undefined) {
    Deno.test(`loss "${name}" has a fixture in the shared loss suites`, () => {
      assert.fail(
        `loss "${name}" is registered but has no fixture: add an entry for "${name}" to the fixtures table in tests/losses_test.ts (how to draw its inputs, whether it is twice differentiable, its edge values)`,
      );
    });
    continue;
  }

  Deno.test(`loss "${name}" gradient matches central differences`, () => {
    fc.assert(
      fc.property(fixture.cases, ({ options, predictions, targets }) => {
        const loss = make(name, options);
        gradcheck((x: Tensor) => weighted(loss(x, targets)), predictions);
      }),
      { numRuns: RUNS, seed: 17 },
    );
  });

  if (fixture.twice) {
    Deno.test(`loss "${name}" Hessian-vector product matches differences of the gradient`, () => {
      fc.assert(
        fc.property(fixture.cases, ({ options, predictions, targets }) => {
          const loss = make(name, options);
          gradgradcheck((x: Tensor) => weighted(loss(x, targets)), predictions, { atol: 1e-4, rtol: 1e-3 });
        }),
        { numRuns: SECOND_ORDER_RUNS, seed: 19 },
      );
    });
  }

  Deno.test(`loss "${name}" reductions agree: sum = mean·N and "none" has one loss per ${fixture.unreduced}`, () => {
    fc.assert(
      fc.property(fixture.cases, ({ options, predictions, targets }) => {
        const base = { ...options };
        delete base.reduction;
        const none = make(name, { ...base, reduction: "none" })(predictions, targets);
        const expectedShape = fixture.unreduced === "element" ? predictions.shape : [predictions.shape[0]];
        assert.deepEqual(none.shape, expectedShape);
        const total = make(name, { ...base, reduction: "sum" })(predictions, targets);
        const average = make(name, { ...base, reduction: "mean" })(predictions, targets);
        const byDefault = make(name, base)(predictions, targets);
        assert.deepEqual(total.shape, []);
        assert.deepEqual(average.shape, []);
        const n = none.size;
        const sumOfNone = Array.from(none.data).reduce((a, b) => a + b, 0);
        const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * (1 + Math.abs(b));
        assert.ok(close(total.item(), sumOfNone), `sum ${total.item()} vs Σ none ${sumOfNone}`);
        assert.ok(close(total.item(), average.item() * n), `sum ${total.item()} vs mean·N ${average.item() * n}`);
        assert.equal(byDefault.item(), average.item(), "the default reduction is mean");
      }),
      { numRuns: RUNS, seed: 23 },
    );
  });

  Deno.test(`loss "${name}" refuses targets that would only broadcast to the predictions`, () => {
    // Predictions [3, 2] of 0.5 and targets of 1: valid values for every built-in loss (a probability, a
    // sign, a class label). Shapes that merely broadcast are refused, never summed over silently.
    const loss = make(name, {});
    const predictions = tensor([0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [3, 2]);
    const labelShapes = fixture.unreduced === "sample" ? [[3], [3, 1]] : [];
    const valid = fixture.unreduced === "sample" ? tensor([1, 0, 1]) : tensor([1, 1, 1, 1, 1, 1], [3, 2]);
    assert.doesNotThrow(() => loss(predictions, valid));
    for (const shape of [[], [1], [2], [1, 2], [3, 1], [1, 3, 2], [6], [2, 3]]) {
      if (labelShapes.some((s) => s.join() === shape.join())) continue;
      const targets = tensor(Array(sizeOf(shape)).fill(1), shape);
      assert.throws(() => loss(predictions, targets), RangeError, `targets of shape [${shape}]`);
    }
  });

  if (fixture.unreduced === "sample") {
    Deno.test(`loss "${name}" needs at least two classes: one output unit is refused, not a loss of 0`, () => {
      // One output unit and labels 0..2 once gave a loss of exactly 0 every epoch: a [3, 1] target has the
      // predictions' shape, so it was read as probabilities, and the log-softmax of one logit is 0.
      const loss = make(name, {});
      const predictions = tensor([[0.3], [-1.2], [2]]);
      for (const targets of [tensor([[0], [1], [2]]), tensor([0, 1, 2]), tensor([0, 0, 0]), tensor([[1], [1], [1]])]) {
        assert.throws(
          () => loss(predictions, targets),
          new RegExp(
            `Cannot compute loss "${name}" as predictions must be logits of shape \\[batch, classes\\] with at least 2 classes: current shape is \\[3,1\\]`,
          ),
          `targets ${targets}`,
        );
      }
    });
  }

  for (const dtype of DTYPES) {
    Deno.test(`loss "${name}" gives a finite loss and gradient on edge values in ${dtype}`, () => {
      for (const { options, predictions, targets } of fixture.edges(dtype)) {
        for (const reduction of ["mean", "sum", "none"]) {
          const loss = make(name, { ...options, reduction });
          const value = loss(predictions, targets);
          const where = `${JSON.stringify({ ...options, reduction })} at ${predictions} against ${targets}`;
          assert.equal(value.dtype, dtype, `dtype of ${where}`);
          assert.ok(allFinite(value), `loss ${value} of ${where}`);
          const g = grad((x: Tensor) => op.sum(loss(x, targets)))(predictions);
          assert.ok(allFinite(g), `gradient ${g} of ${where}`);
        }
      }
    });
  }
}

Deno.test("softmax-cross-entropy of float32 logits [89, 0] has no NaN in value or gradient", () => {
  const loss = make("softmax-cross-entropy", {});
  const logits = tensor([[89, 0], [0, 89]], [2, 2], "float32");
  const labels = tensor([1, 1]);
  const value = loss(logits, labels);
  const g = grad((x: Tensor) => loss(x, labels))(logits);
  assert.ok(Math.abs(value.item() - 89 / 2) < 1e-4, `${value}`);
  assert.ok(allFinite(g));
  // ∂C/∂o = (softmax(o) − y)/batch: row 0 is (1 − 0)/2, (0 − 1)/2.
  assert.deepEqual(Array.from(g.data, (v) => Math.round(v * 1e6) / 1e6), [0.5, -0.5, 0, 0]);
});
