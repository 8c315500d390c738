/**
 * Reverse-mode differentiation over the flow graph (seed 001): `grad`,
 * `valueAndGrad`, `vjp`, and the exact second-order `hvp` and `hessian`.
 *
 * The backward sweep sorts the nodes between the output and the inputs once,
 * then visits each arc once in reverse, summing `∂L/∂u = Σᵢ ∂L/∂vᵢ · ∂vᵢ/∂u`.
 * Its cost is O(m) in the number of arcs, however many paths the graph has.
 *
 * @example The seed's example L = sin(a² + b/a), with two paths from a
 * ```ts
 * import { grad } from "./autodiff.ts";
 * import { add, div, sin, square } from "./ops/mod.ts";
 * import { Tensor, tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const L = ({ a, b }: { a: Tensor; b: Tensor }) => sin(add(square(a), div(b, a)));
 * const g = grad(L)({ a: tensor(2), b: tensor(3) });
 * // ∂L/∂a = cos(a² + b/a)·(2a − b/a²), ∂L/∂b = cos(a² + b/a)/a
 * const c = Math.cos(4 + 1.5);
 * assert.ok(Math.abs(g.a.item() - c * (4 - 0.75)) < 1e-12);
 * assert.ok(Math.abs(g.b.item() - c / 2) < 1e-12);
 * ```
 *
 * @module
 */

import { insideTrace, leaf, traced, withRecording } from "./graph.ts";
import { add, cast, mul, sum } from "./ops/mod.ts";
import { full, Tensor, zeros } from "./tensor.ts";
import { flattenTree, type Tree, treeMap, unflattenTree } from "./tree.ts";

/**
 * Sends `seed` (the cotangent of `root`) back to each target in one sweep.
 *
 * @returns One cotangent per target (zeros where the output does not depend on it).
 */
function backward(root: Tensor, targets: readonly Tensor[], seed: Tensor, createGraph: boolean): Tensor[] {
  const isTarget = new Set(targets);
  // Post-order DFS: inputs before the nodes that use them. `relevant` marks the
  // nodes from which some target can be reached; only they carry cotangents.
  const order: Tensor[] = [];
  const relevant = new Set<Tensor>();
  const visited = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = isTarget.has(t) ? [] : t._node!.inputs;
    if (i < inputs.length) {
      top[1]++;
      const next = inputs[i];
      if (next._node !== null && !visited.has(next)) {
        visited.add(next);
        stack.push([next, 0]);
      }
      continue;
    }
    stack.pop();
    if (isTarget.has(t) || inputs.some((x) => relevant.has(x))) relevant.add(t);
    order.push(t);
  }
  const cotangent = new Map<Tensor, Tensor>();
  cotangent.set(root, seed);
  withRecording(createGraph, () => {
    for (let n = order.length - 1; n >= 0; n--) {
      const t = order[n];
      const g = cotangent.get(t);
      if (g === undefined || isTarget.has(t) || !relevant.has(t)) continue;
      cotangent.delete(t);
      const node = t._node!;
      const parts = node.vjp(g);
      for (let i = 0; i < node.inputs.length; i++) {
        const x = node.inputs[i], part = parts[i];
        if (part === null || part === undefined || !relevant.has(x)) continue;
        const previous = cotangent.get(x);
        cotangent.set(x, previous === undefined ? part : add(previous, part));
      }
    }
  });
  return targets.map((t) => {
    const g = cotangent.get(t);
    return g === undefined ? zeros(t.shape, t.dtype) : cast(g, t.dtype);
  });
}

function checkScalar(action: string, y: unknown): Tensor {
  if (!(y instanceof Tensor)) {
    throw new TypeError(`Cannot ${action} as the function must return a Tensor: current value is ${typeof y}`);
  }
  if (y.size !== 1) {
    throw new RangeError(
      `Cannot ${action} as the function must return a scalar tensor (one element): current shape is [${y.shape}]`,
    );
  }
  return y;
}

/** The result of {@linkcode valueAndGrad}. */
export interface ValueAndGrad<T extends Tree> {
  /** The function's value, a scalar tensor. */
  value: Tensor;
  /** The gradient, with the structure of the input. */
  grad: T;
}

/** The result of {@linkcode valueAndGrad} with `hasAux`. */
export interface ValueAndGradWithAux<T extends Tree, A> extends ValueAndGrad<T> {
  /** The auxiliary data the function returned beside its value. */
  aux: A;
}

/** Options of {@linkcode valueAndGrad}. */
export interface ValueAndGradOptions {
  /** `f` returns `[value, aux]`; `aux` is passed through undifferentiated (JAX's `has_aux`). */
  hasAux?: boolean;
}

function evaluate<T extends Tree, R extends unknown[]>(
  action: string,
  f: (x: T, ...rest: R) => unknown,
  x: T,
  rest: R,
  hasAux: boolean,
): { value: Tensor; grad: T; aux: unknown } {
  const entries = flattenTree(x);
  const leaves = entries.map(([, t]) => leaf(t));
  const input = unflattenTree(x, leaves);
  const result = traced(() => f(input, ...rest));
  let y: unknown = result, aux: unknown = undefined;
  if (hasAux) {
    if (!Array.isArray(result) || result.length !== 2) {
      throw new TypeError(
        `Cannot ${action} as a function with hasAux must return [value, aux]: current value is ${typeof result}`,
      );
    }
    [y, aux] = result;
  }
  const value = checkScalar(action, y);
  const grads = value._node === null
    ? leaves.map((t) => zeros(t.shape, t.dtype))
    : backward(value, leaves, full(value.shape, 1, value.dtype), insideTrace());
  return { value, grad: unflattenTree(x, grads), aux };
}

/**
 * The gradient of a scalar function, as a function (JAX's `grad`).
 *
 * `f` takes a tensor or a tree of tensors (for example a record of named
 * parameters) and returns a scalar tensor. Further arguments pass through
 * undifferentiated (data, targets). The gradient has the structure of the input.
 *
 * @param f The scalar function.
 * @returns A function computing `∂f/∂x`.
 *
 * @example The gradient of a record of parameters, and a gradient of a gradient
 * ```ts
 * import { grad } from "./autodiff.ts";
 * import { mul, sum, square } from "./ops/mod.ts";
 * import { Tensor, tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * // f(w, b) = Σ 3·w·b  →  ∂f/∂w = 3b, ∂f/∂b = 3w
 * const f = (p: { w: Tensor; b: Tensor }) => sum(mul(mul(p.w, 3), p.b));
 * const g = grad(f)({ w: tensor([1, 2]), b: tensor([5, 7]) });
 * assert.deepEqual(g.w.toArray(), [15, 21]);
 * assert.deepEqual(g.b.toArray(), [3, 6]);
 *
 * const cube = (x: Tensor) => sum(mul(square(x), x));
 * const second = grad((x: Tensor) => sum(grad(cube)(x)));
 * assert.deepEqual(second(tensor([2])).toArray(), [12]); // d²/dx² x³ = 6x
 * ```
 */
export function grad<T extends Tree = Tensor, R extends unknown[] = []>(
  f: (x: T, ...rest: R) => Tensor,
): (x: T, ...rest: R) => T {
  return (x, ...rest) => evaluate("take the gradient", f, x, rest, false).grad;
}

/**
 * The value and the gradient of a scalar function in one pass (JAX's `value_and_grad`).
 *
 * @param f The scalar function (returning `[value, aux]` with `hasAux`).
 * @param options `hasAux`.
 * @returns A function returning `{ value, grad }` (and `aux` with `hasAux`).
 *
 * @example
 * ```ts
 * import { valueAndGrad } from "./autodiff.ts";
 * import { square, sum } from "./ops/mod.ts";
 * import { Tensor, tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const { value, grad } = valueAndGrad((x: Tensor) => sum(square(x)))(tensor([3, 4]));
 * assert.equal(value.item(), 25);
 * assert.deepEqual(grad.toArray(), [6, 8]);
 * ```
 */
export function valueAndGrad<T extends Tree = Tensor, R extends unknown[] = []>(
  f: (x: T, ...rest: R) => Tensor,
  options?: { hasAux?: false },
): (x: T, ...rest: R) => ValueAndGrad<T>;
/**
 * The value and the gradient of a scalar function that also returns auxiliary
 * data: `f` returns `[value, aux]`, and `aux` is passed through undifferentiated.
 *
 * @param f The function, returning `[value, aux]`.
 * @param options `{ hasAux: true }`.
 * @returns A function returning `{ value, grad, aux }`.
 *
 * @example Return the predictions beside the loss
 * ```ts
 * import { valueAndGrad } from "./autodiff.ts";
 * import { mul, sum } from "./ops/mod.ts";
 * import { type Tensor, tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const f = (w: Tensor): [Tensor, Tensor] => {
 *   const predictions = mul(w, 2);
 *   return [sum(predictions), predictions];
 * };
 * const { value, grad, aux } = valueAndGrad(f, { hasAux: true })(tensor([1, 3]));
 * assert.equal(value.item(), 8);
 * assert.deepEqual(grad.toArray(), [2, 2]);
 * assert.deepEqual(aux.toArray(), [2, 6]);
 * ```
 */
export function valueAndGrad<T extends Tree = Tensor, R extends unknown[] = [], A = unknown>(
  f: (x: T, ...rest: R) => [Tensor, A],
  options: { hasAux: true },
): (x: T, ...rest: R) => ValueAndGradWithAux<T, A>;
export function valueAndGrad<T extends Tree, R extends unknown[]>(
  f: (x: T, ...rest: R) => unknown,
  options: ValueAndGradOptions = {},
): (x: T, ...rest: R) => ValueAndGradWithAux<T, unknown> {
  const hasAux = options.hasAux ?? false;
  return (x, ...rest) => evaluate("take the gradient", f, x, rest, hasAux);
}

/** The result of {@linkcode vjp}. */
export interface Vjp<T extends Tree> {
  /** `f(x)`. */
  output: Tensor;
  /** Maps a cotangent of the output's shape to `cotangentᵀ · ∂f/∂x`. Callable many times. */
  vjp: (cotangent: Tensor) => T;
}

/**
 * Evaluates `f(x)` and returns its vector-Jacobian product function (JAX's `vjp`).
 * The output may have any shape; the graph is kept, so `vjp` can be called
 * repeatedly (once per row of a Jacobian, say).
 *
 * @param f A function of a tensor or tree of tensors, returning a tensor.
 * @param x The point.
 * @returns `{ output, vjp }`.
 *
 * @example Rows of the Jacobian of an elementwise square
 * ```ts
 * import { vjp } from "./autodiff.ts";
 * import { square } from "./ops/mod.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const { output, vjp: back } = vjp(square, tensor([1, 2]));
 * assert.deepEqual(output.toArray(), [1, 4]);
 * assert.deepEqual(back(tensor([0, 1])).toArray(), [0, 4]);
 * ```
 */
export function vjp<T extends Tree>(f: (x: T) => Tensor, x: T): Vjp<T> {
  const entries = flattenTree(x);
  const leaves = entries.map(([, t]) => leaf(t));
  const output = traced(() => f(unflattenTree(x, leaves)));
  if (!(output instanceof Tensor)) {
    throw new TypeError(`Cannot compute a vjp as the function must return a Tensor: current value is ${typeof output}`);
  }
  return {
    output,
    vjp: (cotangent: Tensor) => {
      if (!(cotangent instanceof Tensor) || cotangent.size !== output.size) {
        throw new RangeError(
          `Cannot apply the vjp as the cotangent must have the output's shape [${output.shape}]: current shape is [${cotangent?.shape}]`,
        );
      }
      const grads = output._node === null
        ? leaves.map((t) => zeros(t.shape, t.dtype))
        : backward(output, leaves, cotangent, insideTrace());
      return unflattenTree(x, grads);
    },
  };
}

/**
 * The inner product of two trees of the same structure, as a scalar tensor.
 *
 * @param a One tree.
 * @param b The other tree.
 * @returns `Σ aᵢ·bᵢ` over all leaves.
 *
 * @example
 * ```ts
 * import { treeDot } from "./autodiff.ts";
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(treeDot({ u: tensor([1, 2]) }, { u: tensor([3, 4]) }).item(), 11);
 * ```
 */
export function treeDot(a: Tree, b: Tree): Tensor {
  const products: Tensor[] = [];
  treeMap(
    (x, y) => {
      const p = sum(mul(x, y!));
      products.push(p);
      return p;
    },
    a,
    b,
  );
  return products.reduce((s, p) => add(s, p), full([], 0, products[0]?.dtype ?? "float64"));
}

/**
 * The Hessian-vector product `H·v` of a scalar function at `x`, exact (not a
 * finite difference): the gradient of `⟨∇f(x), v⟩`, computed by running the
 * backward pass through the flow graph a second time. Costs about two gradients.
 *
 * Curried like {@linkcode grad} — `hvp(f)(x, v)` (JAX's `jvp(grad(f), …)`
 * idiom) — or called at once, `hvp(f, x, v)`; both give the same.
 *
 * @param f The scalar function.
 * @returns `(x, v) ⇒ H(x)·v`, with the structure of `x`.
 *
 * @example For f(x) = Σ x³, H = diag(6x)
 * ```ts
 * import { hvp } from "./autodiff.ts";
 * import { mul, square, sum } from "./ops/mod.ts";
 * import { Tensor, tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const f = (x: Tensor) => sum(mul(square(x), x));
 * assert.deepEqual(hvp(f)(tensor([1, 2]), tensor([1, 1])).toArray(), [6, 12]);
 * assert.deepEqual(hvp(f, tensor([1, 2]), tensor([1, 1])).toArray(), [6, 12]);
 * ```
 */
export function hvp<T extends Tree>(f: (x: T) => Tensor): (x: T, v: T) => T;
/**
 * The Hessian-vector product `H(x)·v` at once (see the curried form).
 *
 * @param f The scalar function.
 * @param x The point.
 * @param v The direction, with the structure of `x`.
 * @returns `H(x)·v`, with the structure of `x`.
 */
export function hvp<T extends Tree>(f: (x: T) => Tensor, x: T, v: T): T;
export function hvp<T extends Tree>(f: (x: T) => Tensor, ...point: T[]): T | ((x: T, v: T) => T) {
  if (typeof f !== "function") {
    throw new TypeError(
      `Cannot compute a Hessian-vector product as f must be a function: current value is ${typeof f}`,
    );
  }
  const at = (x: T, v: T): T => {
    if (x === undefined || v === undefined) {
      throw new TypeError(
        "Cannot compute a Hessian-vector product as it needs a point x and a direction v: call hvp(f)(x, v) or hvp(f, x, v)",
      );
    }
    return grad((y: T) => treeDot(grad(f)(y), v))(x);
  };
  if (point.length === 0) return at;
  if (point.length !== 2) {
    throw new TypeError(
      `Cannot compute a Hessian-vector product as it takes f, then x and v: call hvp(f)(x, v) or hvp(f, x, v): current number of arguments is ${
        point.length + 1
      }`,
    );
  }
  return at(point[0], point[1]);
}

/**
 * The Hessian of a scalar function of one tensor, exact, built row by row from
 * the gradient's own VJP (reverse over reverse).
 *
 * @param f The scalar function.
 * @returns A function giving the Hessian at `x`, of shape `[...x.shape, ...x.shape]`.
 *
 * @example
 * ```ts
 * import { hessian } from "./autodiff.ts";
 * import { mul, slice, square, sum } from "./ops/mod.ts";
 * import { Tensor, tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * // f(x, y) = x²y  →  H = [[2y, 2x], [2x, 0]]
 * const f = (v: Tensor) => sum(mul(square(slice(v, [0], [1])), slice(v, [1], [1])));
 * assert.deepEqual(hessian(f)(tensor([1, 3])).toArray(), [[6, 2], [2, 0]]);
 * ```
 */
export function hessian(f: (x: Tensor) => Tensor): (x: Tensor) => Tensor {
  return (x: Tensor) => {
    if (!(x instanceof Tensor)) {
      throw new TypeError(`Cannot compute a Hessian as the input must be a Tensor: current value is ${typeof x}`);
    }
    const n = x.size;
    const { vjp: back } = vjp((y: Tensor) => grad(f)(y), x);
    const out = zeros([...x.shape, ...x.shape], x.dtype);
    const e = zeros(x.shape, x.dtype);
    for (let i = 0; i < n; i++) {
      e.data.fill(0);
      e.data[i] = 1;
      out.data.set(back(e).data, i * n);
    }
    return out;
  };
}
