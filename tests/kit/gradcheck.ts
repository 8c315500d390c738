/**
 * Gradient checking against central finite differences, in float64, with
 * the defaults of PyTorch's `gradcheck` (eps 1e-6, atol 1e-5, rtol 1e-3).
 *
 * @module
 */

import { grad, hvp, treeDot } from "../../core/autodiff.ts";
import { withRecording } from "../../core/graph.ts";
import { Random } from "../../core/random.ts";
import { astype, Tensor } from "../../core/tensor.ts";
import { flattenTree, type Tree, treeMap, unflattenTree } from "../../core/tree.ts";

/** Options of {@linkcode gradcheck} and {@linkcode gradgradcheck}. */
export interface GradcheckOptions {
  /** Finite-difference step. @default {1e-6} */
  eps?: number;
  /** Absolute tolerance. @default {1e-5} */
  atol?: number;
  /** Relative tolerance (of the finite-difference value). @default {1e-3} */
  rtol?: number;
  /**
   * Check this many random directions `d` (`⟨∇f, d⟩` against a difference
   * along `d`) instead of every element, so the cost does not grow with the
   * number of weights (as JAX's checker does). @default {0, every element}
   */
  directions?: number;
  /** Seed for random directions. @default {0} */
  seed?: number;
  /** Throw on failure (otherwise only report). @default {true} */
  raise?: boolean;
}

/** The outcome of a gradient check. */
export interface GradcheckReport {
  /** Whether every compared value was within tolerance. */
  ok: boolean;
  /** How many values were compared. */
  checked: number;
  /** The worst mismatch: where, both values, and the tolerance it was held to. */
  worst: { path: string; index: number; analytic: number; numeric: number; error: number; tolerance: number } | null;
}

function toFloat64<T extends Tree>(x: T): T {
  return treeMap((t) => astype(t, "float64"), x);
}

function evalScalar(f: (x: Tree) => Tensor, x: Tree): number {
  const y = withRecording(false, () => f(x));
  if (!(y instanceof Tensor) || y.size !== 1) {
    throw new RangeError(
      `Cannot check gradients as the function must return a scalar tensor: current shape is [${y?.shape}]`,
    );
  }
  return y.data[0];
}

function compare(
  pairs: { path: string; index: number; analytic: number; numeric: number }[],
  atol: number,
  rtol: number,
): GradcheckReport {
  let worst: GradcheckReport["worst"] = null;
  let ok = true;
  let worstRatio = -1;
  for (const p of pairs) {
    const error = Math.abs(p.analytic - p.numeric);
    const tolerance = atol + rtol * Math.abs(p.numeric);
    const bad = !(error <= tolerance);
    const ratio = Number.isNaN(error) ? Infinity : error / tolerance;
    if (bad) ok = false;
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = { ...p, error, tolerance };
    }
  }
  return { ok, checked: pairs.length, worst };
}

function fail(kind: string, report: GradcheckReport): never {
  const w = report.worst!;
  const where = w.path === "" ? `element ${w.index}` : `"${w.path}" element ${w.index}`;
  throw new Error(
    `${kind} failed at ${where}: analytic ${w.analytic}, numeric ${w.numeric}, |difference| ${w.error} > tolerance ${w.tolerance}`,
  );
}

function randomDirection<T extends Tree>(x: T, rng: Random): T {
  return treeMap((t) => new Tensor(Float64Array.from(t.data, () => rng.normal()), t.shape), x);
}

/** Central differences of `f` along each element, or along random directions. */
function numericalCheck(
  f: (x: Tree) => Tensor,
  x: Tree,
  analytic: Tree,
  o: Required<Omit<GradcheckOptions, "raise">>,
): { path: string; index: number; analytic: number; numeric: number }[] {
  const pairs: { path: string; index: number; analytic: number; numeric: number }[] = [];
  if (o.directions > 0) {
    const rng = new Random(o.seed);
    for (let k = 0; k < o.directions; k++) {
      const d = randomDirection(x, rng);
      const plus = treeMap((t, v) => new Tensor(t.data.map((a, i) => a + o.eps * v!.data[i]), t.shape), x, d);
      const minus = treeMap((t, v) => new Tensor(t.data.map((a, i) => a - o.eps * v!.data[i]), t.shape), x, d);
      const numeric = (evalScalar(f, plus) - evalScalar(f, minus)) / (2 * o.eps);
      pairs.push({ path: `direction ${k}`, index: 0, analytic: treeDot(analytic, d).item(), numeric });
    }
    return pairs;
  }
  const entries = flattenTree(x);
  const grads = flattenTree(analytic);
  entries.forEach(([path, t], leafIndex) => {
    for (let i = 0; i < t.size; i++) {
      const bumped = (delta: number) => {
        const leaves = entries.map(([, u], j) => {
          if (j !== leafIndex) return u;
          const data = Float64Array.from(u.data);
          data[i] += delta;
          return new Tensor(data, u.shape);
        });
        return unflattenTree(x, leaves);
      };
      const numeric = (evalScalar(f, bumped(o.eps)) - evalScalar(f, bumped(-o.eps))) / (2 * o.eps);
      pairs.push({ path, index: i, analytic: grads[leafIndex][1].data[i], numeric });
    }
  });
  return pairs;
}

function resolve(options: GradcheckOptions): Required<GradcheckOptions> {
  const o = { eps: 1e-6, atol: 1e-5, rtol: 1e-3, directions: 0, seed: 0, raise: true, ...options };
  for (const key of ["eps", "atol", "rtol"] as const) {
    if (!(o[key] >= 0) || !Number.isFinite(o[key])) {
      throw new RangeError(
        `Cannot run gradcheck as ${key} must be a finite non-negative number: current value is ${o[key]}`,
      );
    }
  }
  return o;
}

/**
 * Compares the flow graph's gradient of a scalar function with central
 * finite differences, in float64. On failure it reports the worst element,
 * both values and the tolerance (`|analytic − numeric| ≤ atol + rtol·|numeric|`).
 *
 * @param f A scalar function of a tensor or tree of tensors.
 * @param inputs The point (converted to float64 for the check).
 * @param options Tolerances, step, and random-direction mode.
 * @returns The report (it throws instead when `raise` is true and the check fails).
 *
 * @example
 * ```ts
 * import { gradcheck } from "./gradcheck.ts";
 * import { sin, sum, mul } from "../../core/ops/mod.ts";
 * import { tensor, Tensor } from "../../core/tensor.ts";
 *
 * gradcheck((x: Tensor) => sum(mul(sin(x), x)), tensor([0.3, -1.2, 2]));
 * ```
 */
export function gradcheck<T extends Tree>(
  f: (x: T) => Tensor,
  inputs: T,
  options: GradcheckOptions = {},
): GradcheckReport {
  const o = resolve(options);
  const x = toFloat64(inputs);
  const g = grad(f)(x);
  const report = compare(numericalCheck(f as (x: Tree) => Tensor, x, g, o), o.atol, o.rtol);
  if (!report.ok && o.raise) fail("gradcheck", report);
  return report;
}

/**
 * Checks second derivatives: the exact Hessian-vector product `H·v` from the
 * flow graph against central differences of the gradient along `v`, for a few
 * random directions `v` (every element of `H·v` is compared).
 *
 * @param f A scalar, twice-differentiable function.
 * @param inputs The point (converted to float64).
 * @param options Tolerances, step, seed, and `directions` (how many `v`, default 2).
 * @returns The report (it throws instead when `raise` is true and the check fails).
 *
 * @example
 * ```ts
 * import { gradgradcheck } from "./gradcheck.ts";
 * import { exp, sum, mul } from "../../core/ops/mod.ts";
 * import { tensor, Tensor } from "../../core/tensor.ts";
 *
 * gradgradcheck((x: Tensor) => sum(mul(exp(x), x)), tensor([0.3, -1.2]));
 * ```
 */
export function gradgradcheck<T extends Tree>(
  f: (x: T) => Tensor,
  inputs: T,
  options: GradcheckOptions = {},
): GradcheckReport {
  const o = resolve({ directions: 2, ...options });
  const x = toFloat64(inputs);
  const rng = new Random(o.seed);
  const pairs: { path: string; index: number; analytic: number; numeric: number }[] = [];
  const gradient = grad(f);
  for (let k = 0; k < Math.max(1, o.directions); k++) {
    const v = randomDirection(x, rng);
    const exact = flattenTree(hvp(f, x, v));
    const at = (s: number) =>
      flattenTree(
        withRecording(true, () =>
          gradient(treeMap((t, d) => new Tensor(t.data.map((a, i) => a + s * o.eps * d!.data[i]), t.shape), x, v))),
      );
    const plus = at(1), minus = at(-1);
    exact.forEach(([path, h], j) => {
      for (let i = 0; i < h.size; i++) {
        const numeric = (plus[j][1].data[i] - minus[j][1].data[i]) / (2 * o.eps);
        pairs.push({ path: `${path}${path ? " " : ""}(H·v ${k})`, index: i, analytic: h.data[i], numeric });
      }
    });
  }
  const report = compare(pairs, o.atol, o.rtol);
  if (!report.ok && o.raise) fail("gradgradcheck", report);
  return report;
}
