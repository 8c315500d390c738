/**
 * Elementwise ops, with NumPy broadcasting for the binary ones. Each records
 * its vector-Jacobian product built from ops, so it is differentiable twice.
 *
 * @module
 */

import { type BinaryKernel, getBackend, jsBackend, type UnaryKernel } from "../backend.ts";
import { record } from "../graph.ts";
import { allocate, broadcastShapes, type DType, Tensor } from "../tensor.ts";
import { broadcastTo, sumTo } from "./reduce.ts";

/** A tensor, or a plain number that takes the dtype of the other operand. */
export type TensorLike = Tensor | number;

/** Promotes two dtypes: float64 wins, as in PyTorch. */
function promote(a: DType, b: DType): DType {
  return a === "float64" || b === "float64" ? "float64" : "float32";
}

function scalar(value: number, dtype: DType): Tensor {
  const data = allocate(dtype, 1);
  data[0] = value;
  return new Tensor(data, []);
}

function checkOperand(op: string, x: unknown, which: string): void {
  if (!(x instanceof Tensor) && typeof x !== "number") {
    throw new TypeError(
      `Cannot ${op} as ${which} must be a Tensor or a number: current value is ${x === null ? "null" : typeof x}`,
    );
  }
}

/**
 * Turns a number into a rank-0 tensor of the given dtype; passes tensors through.
 *
 * @param x A tensor or a number.
 * @param dtype The dtype a number takes (default float64).
 * @returns A tensor.
 *
 * @example
 * ```ts
 * import { asTensor } from "./elementwise.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(asTensor(3, "float32").dtype, "float32");
 * ```
 */
export function asTensor(x: TensorLike, dtype: DType = "float64"): Tensor {
  return typeof x === "number" ? scalar(x, dtype) : x;
}

function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  checkOperand(op, a, "the first operand");
  checkOperand(op, b, "the second operand");
  if (typeof a === "number") return [scalar(a, typeof b === "number" ? "float64" : b.dtype), b as Tensor];
  if (typeof b === "number") return [a, scalar(b, a.dtype)];
  return [a, b];
}

// ---------------------------------------------------------------- unary

function unary(op: UnaryKernel, x: Tensor, vjp: ((g: Tensor, out: Tensor) => Tensor) | null): Tensor {
  checkOperand(op, x, "the input");
  // The kernel writes every element.
  const data = allocate(x.dtype, x.size, false);
  getBackend().unary(op, x.data, data);
  if (vjp === null) return new Tensor(data, x.shape);
  const out: Tensor = record(op, data, x.shape, [x], (g) => [vjp(g, out)]);
  return out;
}

/**
 * `−x`, elementwise.
 *
 * @param x The input.
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { neg } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(neg(tensor([1, -2])).toArray(), [-1, 2]);
 * ```
 */
export function neg(x: Tensor): Tensor {
  return unary("neg", x, (g) => neg(g));
}

/**
 * `x²`, elementwise.
 *
 * @param x The input.
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { square } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(square(tensor([3, -2])).toArray(), [9, 4]);
 * ```
 */
export function square(x: Tensor): Tensor {
  return unary("square", x, (g) => mul(g, mul(x, 2)));
}

/**
 * `√x`, elementwise (NaN for negative inputs).
 *
 * @param x The input.
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { sqrt } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(sqrt(tensor([4, 9])).toArray(), [2, 3]);
 * ```
 */
export function sqrt(x: Tensor): Tensor {
  return unary("sqrt", x, (g, out) => div(g, mul(out, 2)));
}

/**
 * `eˣ`, elementwise.
 *
 * @param x The input.
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { exp } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(exp(tensor([0])).toArray(), [1]);
 * ```
 */
export function exp(x: Tensor): Tensor {
  return unary("exp", x, (g, out) => mul(g, out));
}

/**
 * The natural logarithm, elementwise (`−Infinity` at 0, NaN below).
 *
 * @param x The input.
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { log } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(log(tensor([1])).toArray(), [0]);
 * ```
 */
export function log(x: Tensor): Tensor {
  return unary("log", x, (g) => div(g, x));
}

/**
 * `sin x`, elementwise.
 *
 * @param x The input, in radians.
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { sin } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(sin(tensor([0])).toArray(), [0]);
 * ```
 */
export function sin(x: Tensor): Tensor {
  return unary("sin", x, (g) => mul(g, cos(x)));
}

/**
 * `cos x`, elementwise.
 *
 * @param x The input, in radians.
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { cos } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(cos(tensor([0])).toArray(), [1]);
 * ```
 */
export function cos(x: Tensor): Tensor {
  return unary("cos", x, (g) => neg(mul(g, sin(x))));
}

/**
 * The hyperbolic tangent, elementwise.
 *
 * @param x The input.
 * @returns A new tensor with values in [−1, 1].
 *
 * @example
 * ```ts
 * import { tanh } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(tanh(tensor([0])).toArray(), [0]);
 * ```
 */
export function tanh(x: Tensor): Tensor {
  return unary("tanh", x, (g, out) => mul(g, sub(1, square(out))));
}

/**
 * The logistic function `σ(x) = 1 / (1 + e^{−x})`, elementwise, computed
 * without overflow in either tail. Its derivative is `σ(x)(1 − σ(x))` (seed 003).
 *
 * @param x The input.
 * @returns A new tensor with values in [0, 1].
 *
 * @example
 * ```ts
 * import { sigmoid } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(sigmoid(tensor([0, -1000])).toArray(), [0.5, 0]);
 * ```
 */
export function sigmoid(x: Tensor): Tensor {
  return unary("sigmoid", x, (g, out) => mul(g, mul(out, sub(1, out))));
}

/**
 * `max(x, 0)`, elementwise. At 0 the subgradient 0 is used, as in PyTorch (seed 000, "Sub-gradients").
 *
 * @param x The input.
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { relu } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(relu(tensor([-1, 0, 2])).toArray(), [0, 0, 2]);
 * ```
 */
export function relu(x: Tensor): Tensor {
  return unary("relu", x, (g) => reluBackward(g, x));
}

/**
 * ReLU's VJP in one pass: `g` where `x > 0`, else `g·0` (the same values, signed zeros and NaNs
 * as `mul(g, step(x))`, without the mask's pass and buffer). Linear in `g`, so its own VJP is itself.
 */
function reluBackward(g: Tensor, x: Tensor): Tensor {
  // The kernel writes every element.
  const data = allocate(promote(g.dtype, x.dtype), g.size, false);
  const backend = getBackend();
  (backend.reluBackward ?? jsBackend.reluBackward!)(g.data, x.data, data);
  return record("reluBackward", data, g.shape, [g], (gg) => [reluBackward(gg, x)]);
}

/**
 * `|x|`, elementwise. At 0 the subgradient 0 is used, as in PyTorch.
 *
 * @param x The input.
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { abs } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(abs(tensor([-3, 2])).toArray(), [3, 2]);
 * ```
 */
export function abs(x: Tensor): Tensor {
  return unary("abs", x, (g) => mul(g, sign(x)));
}

/**
 * The sign (−1, 0 or 1), elementwise. A constant: its gradient is zero almost everywhere.
 *
 * @param x The input.
 * @returns A new tensor, not linked into the flow graph.
 *
 * @example
 * ```ts
 * import { sign } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(sign(tensor([-3, 0, 2])).toArray(), [-1, 0, 1]);
 * ```
 */
export function sign(x: Tensor): Tensor {
  return unary("sign", x, null);
}

/**
 * The Heaviside step `x > 0 ? 1 : 0`, elementwise; a constant mask.
 *
 * @param x The input.
 * @returns A new tensor of 0s and 1s, not linked into the flow graph.
 *
 * @example
 * ```ts
 * import { step } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(step(tensor([-1, 0, 5])).toArray(), [0, 0, 1]);
 * ```
 */
export function step(x: Tensor): Tensor {
  return unary("step", x, null);
}

/**
 * 1 where the element is finite, 0 where it is ±Infinity or NaN; a constant mask.
 *
 * @param x The input.
 * @returns A new tensor of 0s and 1s.
 *
 * @example
 * ```ts
 * import { isFinite } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(isFinite(tensor([1, Infinity, NaN])).toArray(), [1, 0, 0]);
 * ```
 */
export function isFinite(x: Tensor): Tensor {
  return unary("isFinite", x, null);
}

// ---------------------------------------------------------------- binary

type Partial = (g: Tensor, a: Tensor, b: Tensor, out: Tensor) => Tensor;

function binary(op: BinaryKernel, x: TensorLike, y: TensorLike, da: Partial | null, db: Partial | null): Tensor {
  const [a, b] = operands(op, x, y);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const size = shape.reduce((p, n) => p * n, 1);
  // The kernel writes every element.
  const data = allocate(promote(a.dtype, b.dtype), size, false);
  getBackend().binary(op, a.data, a.shape, b.data, b.shape, data, shape);
  if (da === null || db === null) return new Tensor(data, shape);
  const out: Tensor = record(op, data, shape, [a, b], (g) => [
    a._node === null ? null : sumTo(da(g, a, b, out), a.shape),
    b._node === null ? null : sumTo(db(g, a, b, out), b.shape),
  ]);
  return out;
}

/**
 * `a + b`, elementwise with broadcasting.
 *
 * @param a The first operand.
 * @param b The second operand.
 * @returns A new tensor of the broadcast shape.
 * @throws {RangeError} When the shapes do not broadcast (the message names both).
 *
 * @example Add a bias row to every row
 * ```ts
 * import { add } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(add(tensor([[1, 2], [3, 4]]), tensor([10, 20])).toArray(), [[11, 22], [13, 24]]);
 * ```
 */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binary("add", a, b, (g) => g, (g) => g);
}

/**
 * `a − b`, elementwise with broadcasting.
 *
 * @param a The first operand.
 * @param b The second operand.
 * @returns A new tensor of the broadcast shape.
 *
 * @example
 * ```ts
 * import { sub } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(sub(tensor([5, 7]), 1).toArray(), [4, 6]);
 * ```
 */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binary("sub", a, b, (g) => g, (g) => neg(g));
}

/**
 * `a · b`, elementwise with broadcasting.
 *
 * @param a The first operand.
 * @param b The second operand.
 * @returns A new tensor of the broadcast shape.
 *
 * @example
 * ```ts
 * import { mul } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(mul(tensor([2, 3]), tensor([4, 5])).toArray(), [8, 15]);
 * ```
 */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binary("mul", a, b, (g, _a, b) => mul(g, b), (g, a) => mul(g, a));
}

/**
 * `a / b`, elementwise with broadcasting (IEEE semantics: `1/0` is Infinity).
 *
 * @param a The dividend.
 * @param b The divisor.
 * @returns A new tensor of the broadcast shape.
 *
 * @example
 * ```ts
 * import { div } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(div(tensor([6, 8]), 2).toArray(), [3, 4]);
 * ```
 */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return binary("div", a, b, (g, _a, b) => div(g, b), (g, _a, b, out) => neg(div(mul(g, out), b)));
}

/**
 * `aᵇ`, elementwise with broadcasting, with C's (and PyTorch's) edge values:
 * `a⁰ = 1` and `1ᵇ = 1` for every `a` and `b` (NaN included), `(−1)^±∞ = 1`.
 * The gradients follow PyTorch's rules: with respect to the base `b·aᵇ⁻¹`,
 * taken as 0 where `b = 0` (so `pow(0, 0)` and `pow(NaN, 0)` give 0, not NaN);
 * with respect to the exponent `aᵇ·ln a`, taken as 0 where `a = 0` and `b ≥ 0`.
 *
 * @param a The base.
 * @param b The exponent.
 * @returns A new tensor of the broadcast shape.
 *
 * @example
 * ```ts
 * import { pow } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(pow(tensor([2, 3]), 2).toArray(), [4, 9]);
 * ```
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  return binary(
    "pow",
    a,
    b,
    (g, a, b) => {
      // b·aᵇ⁻¹ is 0·0⁻¹ = NaN at a = 0, b = 0 (and 0·NaN at a = NaN): there the derivative is 0, and the
      // exponent is 1, not −1, so that no infinity enters the graph. Elsewhere b·aᵇ⁻¹ stands as it is, so
      // that its own derivative with respect to b (second order, at b = 0 too) is right.
      const masked = mul(equal(b, 0), sub(1, mul(equal(a, a), sub(1, equal(a, 0)))));
      return mul(g, where(masked, 0, mul(b, pow(a, where(masked, 1, sub(b, 1))))));
    },
    (g, a, b, out) => {
      // b ≥ 0 is false for NaN, so pow(0, NaN) keeps its NaN gradient (PyTorch's rule: a = 0 and b ≥ 0).
      const zeroBase = mul(equal(a, 0), add(greater(b, 0), equal(b, 0)));
      return mul(g, where(zeroBase, 0, mul(out, log(a))));
    },
  );
}

/**
 * The larger of `a` and `b`, elementwise with broadcasting (NaN if either is NaN).
 * Where they are equal the gradient is split half and half, as in PyTorch.
 *
 * @param a The first operand.
 * @param b The second operand.
 * @returns A new tensor of the broadcast shape.
 *
 * @example
 * ```ts
 * import { maximum } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(maximum(tensor([1, 5]), 3).toArray(), [3, 5]);
 * ```
 */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return binary(
    "maximum",
    a,
    b,
    (g, a, b) => mul(g, add(greater(a, b), mul(equal(a, b), 0.5))),
    (g, a, b) => mul(g, add(less(a, b), mul(equal(a, b), 0.5))),
  );
}

/**
 * The smaller of `a` and `b`, elementwise with broadcasting (NaN if either is NaN).
 * Where they are equal the gradient is split half and half, as in PyTorch.
 *
 * @param a The first operand.
 * @param b The second operand.
 * @returns A new tensor of the broadcast shape.
 *
 * @example
 * ```ts
 * import { minimum } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(minimum(tensor([1, 5]), 3).toArray(), [1, 3]);
 * ```
 */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return binary(
    "minimum",
    a,
    b,
    (g, a, b) => mul(g, add(less(a, b), mul(equal(a, b), 0.5))),
    (g, a, b) => mul(g, add(greater(a, b), mul(equal(a, b), 0.5))),
  );
}

/**
 * 1 where `a > b`, else 0, with broadcasting; a constant mask.
 *
 * @param a The first operand.
 * @param b The second operand.
 * @returns A new tensor of 0s and 1s.
 *
 * @example
 * ```ts
 * import { greater } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(greater(tensor([1, 5]), 3).toArray(), [0, 1]);
 * ```
 */
export function greater(a: TensorLike, b: TensorLike): Tensor {
  return binary("greater", a, b, null, null);
}

/**
 * 1 where `a < b`, else 0, with broadcasting; a constant mask.
 *
 * @param a The first operand.
 * @param b The second operand.
 * @returns A new tensor of 0s and 1s.
 *
 * @example
 * ```ts
 * import { less } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(less(tensor([1, 5]), 3).toArray(), [1, 0]);
 * ```
 */
export function less(a: TensorLike, b: TensorLike): Tensor {
  return binary("less", a, b, null, null);
}

/**
 * 1 where `a === b`, else 0, with broadcasting; a constant mask.
 *
 * @param a The first operand.
 * @param b The second operand.
 * @returns A new tensor of 0s and 1s.
 *
 * @example
 * ```ts
 * import { equal } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(equal(tensor([1, 3]), 3).toArray(), [0, 1]);
 * ```
 */
export function equal(a: TensorLike, b: TensorLike): Tensor {
  return binary("equal", a, b, null, null);
}

/**
 * Picks `a` where `condition` is non-zero and `b` elsewhere, with all three
 * broadcast together. Infinity and NaN in the branch not taken do not leak.
 *
 * @param condition A mask (non-zero means true); it gets no gradient.
 * @param a The values where the condition holds.
 * @param b The values elsewhere.
 * @returns A new tensor of the broadcast shape.
 *
 * @example
 * ```ts
 * import { where } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(where(tensor([1, 0]), tensor([5, 6]), Infinity).toArray(), [5, Infinity]);
 * ```
 */
export function where(condition: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkOperand("where", condition, "the condition");
  const [ta, tb] = operands("where", a, b);
  const shape = broadcastShapes("where", broadcastShapes("where", condition.shape, ta.shape), tb.shape);
  const c = broadcastTo(condition, shape).data;
  const va = broadcastTo(ta, shape).data;
  const vb = broadcastTo(tb, shape).data;
  const data = allocate(promote(ta.dtype, tb.dtype), c.length);
  for (let i = 0; i < data.length; i++) data[i] = c[i] !== 0 ? va[i] : vb[i];
  return record("where", data, shape, [ta, tb], (g) => [
    ta._node === null ? null : sumTo(where(condition, g, 0), ta.shape),
    tb._node === null ? null : sumTo(where(condition, 0, g), tb.shape),
  ]);
}

/**
 * Converts to another dtype inside the flow graph (the gradient is converted back).
 *
 * @param x The input.
 * @param dtype The target dtype.
 * @returns `x` itself when the dtype matches, else a converted copy.
 *
 * @example
 * ```ts
 * import { cast } from "./elementwise.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(cast(tensor([1]), "float32").dtype, "float32");
 * ```
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkOperand("cast", x, "the input");
  if (x.dtype === dtype) return x;
  const data = allocate(dtype, x.size);
  data.set(x.data);
  return record("cast", data, x.shape, [x], (g) => [cast(g, x.dtype)]);
}
