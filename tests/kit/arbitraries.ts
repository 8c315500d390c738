/**
 * fast-check arbitraries for property tests of gradients: shapes, pairs of
 * shapes that broadcast, and float64 tensors whose values keep a safe distance
 * from the kinks of non-smooth functions (ReLU at 0, |x| at 0, hinge at its
 * margin), where finite differences straddle two pieces.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { arbTensor } from "./arbitraries.ts";
 *
 * fc.assert(fc.property(arbTensor({ avoid: [0] }), (t) => t.data.every((v) => Math.abs(v) >= 0.01)));
 * ```
 *
 * @module
 */

// This entry is imported by URL by plugin authors, where our import map does not
// apply, so it names its one dependency in full.
// deno-lint-ignore no-import-prefix
import fc from "npm:fast-check@4.3.0";
import { Tensor } from "../../core/tensor.ts";

/** A fast-check generator of values of type `T` (re-exported so signatures name a public type). */
export type Arbitrary<T> = fc.Arbitrary<T>;

/** Options of {@linkcode arbShape}. */
export interface ShapeOptions {
  /** Fewest axes. @default {0} */
  minRank?: number;
  /** Most axes. @default {3} */
  maxRank?: number;
  /** Longest axis. @default {4} */
  maxLength?: number;
  /** Shortest axis. @default {1} */
  minLength?: number;
}

/**
 * Random shapes.
 *
 * @param options Rank and axis-length bounds.
 * @returns An arbitrary of shapes.
 */
export function arbShape(options: ShapeOptions = {}): Arbitrary<number[]> {
  const { minRank = 0, maxRank = 3, minLength = 1, maxLength = 4 } = options;
  return fc.array(fc.integer({ min: minLength, max: maxLength }), { minLength: minRank, maxLength: maxRank });
}

/**
 * Two shapes that broadcast together: a full shape, and a copy with some
 * axes set to 1 and some leading axes dropped (in random order of operands).
 *
 * @param options Bounds for the full shape.
 * @returns An arbitrary of `[shapeA, shapeB]`.
 */
export function arbBroadcastShapes(options: ShapeOptions = {}): Arbitrary<[number[], number[]]> {
  return arbShape(options).chain((full) =>
    fc.tuple(
      fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
      fc.integer({ min: 0, max: full.length }),
      fc.boolean(),
    ).map(([ones, drop, swap]) => {
      const other = full.map((n, i) => (ones[i] ? 1 : n)).slice(drop);
      return (swap ? [other, full] : [full, other]) as [number[], number[]];
    })
  );
}

/** Options of {@linkcode arbTensor} and {@linkcode arbTensorOfShape}. */
export interface TensorOptions extends ShapeOptions {
  /** Smallest value. @default {-3} */
  min?: number;
  /** Largest value. @default {3} */
  max?: number;
  /** Points to keep away from (kinks). @default {[]} */
  avoid?: readonly number[];
  /** The least distance from each point in `avoid`. @default {0.01} */
  margin?: number;
}

/** Moves a value out of every `[k − margin, k + margin]` window. */
function keepAway(v: number, avoid: readonly number[], margin: number): number {
  for (const k of avoid) {
    if (Math.abs(v - k) < margin) v = v >= k ? k + margin + (v - k) : k - margin - (k - v);
  }
  return v;
}

/**
 * Float64 tensors of a given shape, values in [min, max], away from kinks.
 *
 * @param shape The shape.
 * @param options Value bounds, kinks and margin.
 * @returns An arbitrary of tensors.
 */
export function arbTensorOfShape(shape: readonly number[], options: TensorOptions = {}): Arbitrary<Tensor> {
  const { min = -3, max = 3, avoid = [], margin = 0.01 } = options;
  const size = shape.reduce((p, n) => p * n, 1);
  return fc.array(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), { minLength: size, maxLength: size })
    .map((values) => new Tensor(Float64Array.from(values, (v) => keepAway(v, avoid, margin)), shape));
}

/**
 * Float64 tensors of random shape (see {@linkcode arbShape}), away from kinks.
 *
 * @param options Shape bounds, value bounds, kinks and margin.
 * @returns An arbitrary of tensors.
 */
export function arbTensor(options: TensorOptions = {}): Arbitrary<Tensor> {
  return arbShape(options).chain((shape) => arbTensorOfShape(shape, options));
}
