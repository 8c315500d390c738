/**
 * What the second-order optimizers share: the view of a parameter tree as one
 * float64 vector (and back), the checks they make on the update context, and
 * dense symmetric solves (Cholesky, Bunch–Kaufman LDLᵀ) that never form an
 * explicit inverse.
 *
 * @module
 */

import type { UpdateContext } from "../../core/interfaces.ts";
import { cos, sin } from "../../core/libm.ts";
import { Tensor } from "../../core/tensor.ts";
import { flattenTree, type Tree, treeMap } from "../../core/tree.ts";

// ---------------------------------------------------------------------------
// A parameter tree as one vector
// ---------------------------------------------------------------------------

/**
 * Concatenates the leaves of a tree, in {@linkcode flattenTree} order, into one
 * float64 vector (a copy).
 *
 * @param tree A tensor or a tree of tensors.
 * @returns The vector of all elements.
 *
 * @example
 * ```ts
 * import { toVector } from "./_linear_algebra.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...toVector({ w: tensor([[1, 2]]), b: tensor([3]) })], [1, 2, 3]);
 * ```
 */
export function toVector(tree: Tree): Float64Array {
  const leaves = flattenTree(tree);
  const out = new Float64Array(leaves.reduce((n, [, t]) => n + t.size, 0));
  let offset = 0;
  for (const [, t] of leaves) {
    out.set(t.data, offset);
    offset += t.size;
  }
  return out;
}

/**
 * Splits a vector into a tree shaped like `like`: each leaf gets its shape and
 * dtype back (float32 leaves are rounded).
 *
 * @param like The tree that gives the structure, shapes and dtypes.
 * @param vector As many elements as `like` has.
 * @returns A new tree.
 * @throws {RangeError} When the lengths differ.
 *
 * @example
 * ```ts
 * import { fromVector } from "./_linear_algebra.ts";
 * import { tensor, type Tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const t = fromVector({ w: tensor([[0, 0]]), b: tensor([0]) }, new Float64Array([1, 2, 3])) as { w: Tensor; b: Tensor };
 * assert.deepEqual(t.w.toArray(), [[1, 2]]);
 * assert.deepEqual(t.b.toArray(), [3]);
 * ```
 */
export function fromVector<T extends Tree>(like: T, vector: Float64Array): T {
  const size = flattenTree(like).reduce((n, [, t]) => n + t.size, 0);
  if (size !== vector.length) {
    throw new RangeError(
      `Cannot map a vector onto the parameters as its length must equal their ${size} elements: current length is ${vector.length}`,
    );
  }
  let offset = 0;
  return treeMap((leaf) => {
    const data = leaf.dtype === "float32" ? new Float32Array(leaf.size) : new Float64Array(leaf.size);
    data.set(vector.subarray(offset, offset + leaf.size));
    offset += leaf.size;
    return new Tensor(data, leaf.shape);
  }, like);
}

/**
 * Stores a vector as a float64 tensor (for optimizer state).
 *
 * @param vector The values (copied).
 * @param shape The shape. @default {[vector.length]}
 * @returns A tensor of that shape.
 *
 * @example
 * ```ts
 * import { vectorTensor } from "./_linear_algebra.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(vectorTensor(new Float64Array([1, 2])).shape, [2]);
 * ```
 */
export function vectorTensor(vector: Float64Array, shape: readonly number[] = [vector.length]): Tensor {
  return new Tensor(Float64Array.from(vector), shape);
}

/**
 * The inner product `aᵀb`.
 *
 * @param a A vector.
 * @param b A vector of the same length.
 * @returns `Σ aᵢbᵢ`.
 *
 * @example
 * ```ts
 * import { dot } from "./_linear_algebra.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(dot(new Float64Array([1, 2]), new Float64Array([3, 4])), 11);
 * ```
 */
export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * `x + α·y` as a new vector.
 *
 * @param x A vector.
 * @param alpha The scale of `y`.
 * @param y A vector of the same length.
 * @returns The sum.
 *
 * @example
 * ```ts
 * import { addScaled } from "./_linear_algebra.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...addScaled(new Float64Array([1, 1]), 2, new Float64Array([1, -1]))], [3, -1]);
 * ```
 */
export function addScaled(x: Float64Array, alpha: number, y: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + alpha * y[i];
  return out;
}

/**
 * `α·x` as a new vector.
 *
 * @param alpha The scale.
 * @param x A vector.
 * @returns The scaled vector.
 *
 * @example
 * ```ts
 * import { scaled } from "./_linear_algebra.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...scaled(-1, new Float64Array([1, 2]))], [-1, -2]);
 * ```
 */
export function scaled(alpha: number, x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = alpha * x[i];
  return out;
}

// ---------------------------------------------------------------------------
// Reading the update context
// ---------------------------------------------------------------------------

/** What each context field is, for the error that says it is missing. */
const FIELD_SIGNATURES: Record<string, string> = {
  loss: "loss (the loss at the current parameters, a number)",
  evaluate: "evaluate(params) → { loss, grads }",
  hvp: "hvp(params, v) → H·v",
  gaussNewtonVp: "gaussNewtonVp(params, v) → G·v",
};

/**
 * The update context with the fields a method needs, or a clear error naming
 * the first missing one.
 *
 * @param owner Who is asking, e.g. `optimizer "bfgs"`.
 * @param context The context given to `update` (maybe undefined).
 * @param fields The fields required, with what each is for.
 * @returns The context, typed with those fields present.
 * @throws {TypeError} When the context or a required field is missing or not of its type.
 *
 * @example
 * ```ts
 * import { requireContext } from "./_linear_algebra.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(
 *   () => requireContext('optimizer "bfgs"', { loss: 1 }, { loss: "", evaluate: "for the line search" }),
 *   /evaluate\(params\) → \{ loss, grads \} \(for the line search\), a function: current value is undefined/,
 * );
 * ```
 */
export function requireContext<K extends keyof UpdateContext>(
  owner: string,
  context: UpdateContext | undefined,
  fields: Record<K, string>,
): UpdateContext & Required<Pick<UpdateContext, K>> {
  for (const [field, purpose] of Object.entries(fields) as [K, string][]) {
    const value = context?.[field];
    const wanted = field === "loss" ? "number" : "function";
    const present = field === "loss"
      ? typeof value === "number" || value instanceof Tensor
      : typeof value === "function";
    if (!present) {
      const shown = context === undefined || context === null
        ? "undefined (no update context was given)"
        : value === null
        ? "null"
        : typeof value;
      throw new TypeError(
        `Cannot update with ${owner} as the update context must provide ${FIELD_SIGNATURES[field]}${
          purpose ? ` (${purpose})` : ""
        }, a ${wanted}: current value is ${shown}`,
      );
    }
  }
  return context as UpdateContext & Required<Pick<UpdateContext, K>>;
}

/**
 * Reads a loss value: a finite number, or a one-element tensor.
 *
 * @param owner Who is asking.
 * @param what Where the loss came from, e.g. `the loss in the update context`.
 * @param loss The value.
 * @returns The loss as a number.
 * @throws {RangeError} When it is a tensor with more than one element, or not finite.
 * @throws {TypeError} When it is neither a number nor a tensor.
 *
 * @example
 * ```ts
 * import { readLoss } from "./_linear_algebra.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(readLoss('optimizer "newton"', "the loss", tensor(2)), 2);
 * assert.throws(() => readLoss('optimizer "newton"', "the loss", tensor([1, 2])), /must be a scalar \(one element\): current shape is \[2\]/);
 * ```
 */
export function readLoss(owner: string, what: string, loss: unknown): number {
  let value: number;
  if (loss instanceof Tensor) {
    if (loss.size !== 1) {
      throw new RangeError(
        `Cannot update with ${owner} as ${what} must be a scalar (one element): current shape is [${loss.shape}]`,
      );
    }
    value = loss.data[0];
  } else if (typeof loss === "number") {
    value = loss;
  } else {
    throw new TypeError(
      `Cannot update with ${owner} as ${what} must be a number: current value is ${
        loss === null ? "null" : typeof loss
      }`,
    );
  }
  if (Number.isNaN(value)) {
    throw new RangeError(`Cannot update with ${owner} as ${what} must not be NaN: current value is NaN`);
  }
  return value;
}

/**
 * Flattens a gradient (or any derivative tree) to a vector, checking that it
 * matches the parameters element for element and is finite.
 *
 * @param owner Who is asking.
 * @param what What the tree is, e.g. `the gradient`.
 * @param tree The derivative, with the structure of `params`.
 * @param size The number of parameter elements.
 * @returns The vector.
 * @throws {RangeError} When the sizes differ or an element is NaN or ±∞ (its path and index are named).
 *
 * @example
 * ```ts
 * import { finiteVector } from "./_linear_algebra.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => finiteVector('optimizer "bfgs"', "the gradient", { w: tensor([1, NaN]) }, 2), /"w" element 1 is NaN/);
 * ```
 */
export function finiteVector(owner: string, what: string, tree: Tree, size: number): Float64Array {
  const leaves = flattenTree(tree);
  const count = leaves.reduce((n, [, t]) => n + t.size, 0);
  if (count !== size) {
    throw new RangeError(
      `Cannot update with ${owner} as ${what} must have as many elements as the parameters (${size}): current count is ${count}`,
    );
  }
  for (const [path, t] of leaves) {
    const i = t.data.findIndex((v) => !Number.isFinite(v));
    if (i !== -1) {
      throw new RangeError(
        `Cannot update with ${owner} as ${what} must be finite: current value at ${
          path === "" ? "element" : `"${path}" element`
        } ${i} is ${t.data[i]}`,
      );
    }
  }
  return toVector(tree);
}

// ---------------------------------------------------------------------------
// Dense symmetric solves
// ---------------------------------------------------------------------------

/** The threshold below which a pivot counts as zero: n·ε·max|aᵢⱼ|. */
function zeroPivot(a: Float64Array, n: number): number {
  let biggest = 0;
  for (let i = 0; i < a.length; i++) biggest = Math.max(biggest, Math.abs(a[i]));
  return n * Number.EPSILON * biggest;
}

/**
 * The Cholesky factor `L` of a symmetric matrix `A = L·Lᵀ` (row-major, n×n),
 * or `null` when `A` is not positive definite (a pivot at or below n·ε·max|aᵢⱼ|).
 *
 * @param a The matrix, row-major (only the lower triangle is read).
 * @param n Its order.
 * @returns The lower-triangular factor, row-major, or `null`.
 *
 * @example
 * ```ts
 * import { cholesky } from "./_linear_algebra.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([...cholesky(new Float64Array([4, 2, 2, 5]), 2)!], [2, 0, 1, 2]);
 * assert.equal(cholesky(new Float64Array([1, 2, 2, 1]), 2), null);
 * ```
 */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const tol = zeroPivot(a, n);
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (!(d > tol)) return null;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/**
 * Solves `L·Lᵀ·x = b` by forward and back substitution.
 *
 * @param l The Cholesky factor from {@linkcode cholesky}.
 * @param n The order.
 * @param b The right-hand side.
 * @returns `x`.
 *
 * @example
 * ```ts
 * import { cholesky, choleskySolve } from "./_linear_algebra.ts";
 * import assert from "node:assert/strict";
 *
 * const l = cholesky(new Float64Array([4, 2, 2, 5]), 2)!;
 * assert.deepEqual([...choleskySolve(l, 2, new Float64Array([6, 7]))], [1, 1]);
 * ```
 */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/** A symmetric indefinite factorization `P·A·Pᵀ = L·D·Lᵀ` from {@linkcode bunchKaufman}. */
export interface LdlFactor {
  /** The order. */
  n: number;
  /** Unit lower-triangular `L` below the diagonal, `D`'s blocks on and next to it (row-major). */
  ld: Float64Array;
  /** `perm[i]` is the row of `A` that became row `i`. */
  perm: Int32Array;
  /** The size of the `D` block starting at each index (1 or 2; 0 for the second row of a 2×2 block). */
  blocks: Int8Array;
  /** The number of negative eigenvalues of `A` (Sylvester's inertia, read from `D`). */
  negative: number;
}

/**
 * The Bunch–Kaufman factorization of a symmetric, possibly indefinite matrix
 * (Bunch and Kaufman 1977; Golub and Van Loan §4.4): `P·A·Pᵀ = L·D·Lᵀ`, with
 * `D` block diagonal (1×1 and 2×2 blocks) and partial pivoting with
 * α = (1 + √17)/8, which bounds the growth of `L`. `null` when `A` is singular
 * (a pivot at or below n·ε·max|aᵢⱼ|), unless `allowSingular`, which records
 * such a pivot as a zero 1×1 block with no multipliers (for
 * {@linkcode ldlSolve}'s modified solve).
 *
 * @param a The symmetric matrix, row-major (n×n).
 * @param n Its order.
 * @param allowSingular Keep going past zero pivots. @default {false}
 * @returns The factor, or `null` when singular.
 *
 * @example An indefinite matrix: one positive and one negative eigenvalue
 * ```ts
 * import { bunchKaufman } from "./_linear_algebra.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(bunchKaufman(new Float64Array([0, 1, 1, 0]), 2)!.negative, 1);
 * assert.equal(bunchKaufman(new Float64Array([1, 1, 1, 1]), 2), null);
 * ```
 */
export function bunchKaufman(a: Float64Array, n: number, allowSingular = false): LdlFactor | null {
  const alpha = (1 + Math.sqrt(17)) / 8;
  const tol = zeroPivot(a, n);
  const w = Float64Array.from(a);
  const perm = new Int32Array(n).map((_, i) => i);
  const blocks = new Int8Array(n);
  let negative = 0;
  // Swap rows and columns p and q (both ≥ k) of the trailing block, and rows p, q of L's finished columns.
  const swap = (k: number, p: number, q: number) => {
    if (p === q) return;
    for (let j = 0; j < n; j++) {
      const t = w[p * n + j];
      w[p * n + j] = w[q * n + j];
      w[q * n + j] = t;
    }
    for (let i = k; i < n; i++) {
      const t = w[i * n + p];
      w[i * n + p] = w[i * n + q];
      w[i * n + q] = t;
    }
    const t = perm[p];
    perm[p] = perm[q];
    perm[q] = t;
  };
  let k = 0;
  while (k < n) {
    const akk = Math.abs(w[k * n + k]);
    let r = k, colmax = 0;
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(w[i * n + k]);
      if (v > colmax) [colmax, r] = [v, i];
    }
    if (Math.max(akk, colmax) <= tol) {
      if (!allowSingular) return null;
      // A (numerically) zero column: a zero 1×1 pivot, its tiny off-diagonal entries dropped.
      blocks[k] = 1;
      w[k * n + k] = 0;
      for (let i = k + 1; i < n; i++) w[i * n + k] = 0;
      k++;
      continue;
    }
    let size = 1;
    if (akk < alpha * colmax) {
      let rowmax = 0;
      for (let j = k; j < n; j++) if (j !== r) rowmax = Math.max(rowmax, Math.abs(w[r * n + j]));
      if (akk * rowmax >= alpha * colmax * colmax) {
        // 1×1 pivot at k, no interchange
      } else if (Math.abs(w[r * n + r]) >= alpha * rowmax) {
        swap(k, k, r);
      } else {
        swap(k, k + 1, r);
        size = 2;
      }
    }
    if (size === 1) {
      const d = w[k * n + k];
      if (Math.abs(d) <= tol) {
        if (!allowSingular) return null;
        blocks[k] = 1;
        w[k * n + k] = 0;
        for (let i = k + 1; i < n; i++) w[i * n + k] = 0;
        k++;
        continue;
      }
      if (d < 0) negative++;
      blocks[k] = 1;
      for (let i = k + 1; i < n; i++) {
        const li = w[i * n + k] / d;
        for (let j = k + 1; j <= i; j++) {
          w[i * n + j] -= li * w[j * n + k];
          w[j * n + i] = w[i * n + j];
        }
      }
      for (let i = k + 1; i < n; i++) w[i * n + k] /= d;
    } else {
      const d11 = w[k * n + k], d21 = w[(k + 1) * n + k], d22 = w[(k + 1) * n + k + 1];
      const det = d11 * d22 - d21 * d21;
      if (Math.abs(det) <= tol * Math.abs(d21)) return null;
      // A 2×2 Bunch–Kaufman pivot has det < 0: one eigenvalue of each sign.
      negative += det < 0 ? 1 : d11 + d22 < 0 ? 2 : 0;
      blocks[k] = 2;
      const m = n - k - 2, l1 = new Float64Array(m), l2 = new Float64Array(m);
      for (let t = 0; t < m; t++) {
        const i = k + 2 + t, c1 = w[i * n + k], c2 = w[i * n + k + 1];
        l1[t] = (c1 * d22 - c2 * d21) / det;
        l2[t] = (c2 * d11 - c1 * d21) / det;
      }
      for (let t = 0; t < m; t++) {
        const i = k + 2 + t;
        for (let u = 0; u <= t; u++) {
          const j = k + 2 + u;
          w[i * n + j] -= l1[t] * w[j * n + k] + l2[t] * w[j * n + k + 1];
          w[j * n + i] = w[i * n + j];
        }
      }
      for (let t = 0; t < m; t++) {
        const i = k + 2 + t;
        w[i * n + k] = l1[t];
        w[i * n + k + 1] = l2[t];
      }
    }
    k += size;
  }
  return { n, ld: w, perm, blocks, negative };
}

/**
 * Solves `A·x = b` with a factor from {@linkcode bunchKaufman}; or, given a
 * `floor` δ > 0, the modified system `Pᵀ·L·|D|_δ·Lᵀ·P·x = b`, where `|D|_δ`
 * replaces each eigenvalue λ of every block of `D` by max(|λ|, δ): a positive
 * definite matrix equal to `A` when `A` is positive definite with eigenvalues
 * of `D` above δ (Cheng and Higham 1998; Nocedal and Wright §3.4).
 *
 * @param factor The factorization of `A`.
 * @param b The right-hand side.
 * @param floor δ for the modified solve; omitted, the exact solve.
 * @returns `x`.
 *
 * @example
 * ```ts
 * import { bunchKaufman, ldlSolve } from "./_linear_algebra.ts";
 * import assert from "node:assert/strict";
 *
 * const f = bunchKaufman(new Float64Array([0, 1, 1, 0]), 2)!;
 * assert.deepEqual([...ldlSolve(f, new Float64Array([2, 3]))], [3, 2]);
 * ```
 */
export function ldlSolve(factor: LdlFactor, b: Float64Array, floor?: number): Float64Array {
  const { n, ld: w, perm, blocks } = factor;
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = b[perm[i]];
  // L·y = P·b (unit lower; a 2×2 block's own rows have no multiplier between them)
  for (let k = 0; k < n; k += blocks[k]) {
    for (let c = k; c < k + blocks[k]; c++) {
      for (let i = k + blocks[k]; i < n; i++) z[i] -= w[i * n + c] * z[c];
    }
  }
  // D·v = y (or |D|_δ·v = y)
  for (let k = 0; k < n; k += blocks[k]) {
    if (blocks[k] === 1) {
      const d = w[k * n + k];
      z[k] /= floor === undefined ? d : Math.max(Math.abs(d), floor);
    } else {
      const d11 = w[k * n + k], d21 = w[(k + 1) * n + k], d22 = w[(k + 1) * n + k + 1];
      const y1 = z[k], y2 = z[k + 1];
      if (floor === undefined) {
        const det = d11 * d22 - d21 * d21;
        z[k] = (d22 * y1 - d21 * y2) / det;
        z[k + 1] = (d11 * y2 - d21 * y1) / det;
      } else {
        // The block's eigenpairs: λ = m ± r, eigenvector (cos φ, sin φ) for m + r.
        const m = 0.5 * (d11 + d22), r = Math.hypot(0.5 * (d11 - d22), d21);
        const phi = 0.5 * Math.atan2(2 * d21, d11 - d22), c = cos(phi), s = sin(phi);
        const u1 = (c * y1 + s * y2) / Math.max(Math.abs(m + r), floor);
        const u2 = (-s * y1 + c * y2) / Math.max(Math.abs(m - r), floor);
        z[k] = c * u1 - s * u2;
        z[k + 1] = s * u1 + c * u2;
      }
    }
  }
  // Lᵀ·u = v
  const starts: number[] = [];
  for (let k = 0; k < n; k += blocks[k]) starts.push(k);
  for (let s = starts.length - 1; s >= 0; s--) {
    const k = starts[s];
    for (let c = k; c < k + blocks[k]; c++) {
      for (let i = k + blocks[k]; i < n; i++) z[c] -= w[i * n + c] * z[i];
    }
  }
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[perm[i]] = z[i];
  return x;
}

/** The result of {@linkcode solveSymmetric}. */
export interface SymmetricSolve {
  /** The solution of `A·x = b`. */
  x: Float64Array;
  /** `"cholesky"` when `A` was positive definite, `"bunch-kaufman"` otherwise. */
  method: "cholesky" | "bunch-kaufman";
  /** The number of negative eigenvalues of `A` (0 for Cholesky). */
  negative: number;
}

/**
 * Solves a symmetric system `A·x = b` without forming `A⁻¹`: Cholesky when `A`
 * is positive definite, Bunch–Kaufman `LDLᵀ` when it is indefinite. Given a
 * `floor` δ, an indefinite or singular `A` is replaced by the positive
 * definite `Pᵀ·L·|D|_δ·Lᵀ·P` (see {@linkcode ldlSolve}) and never fails.
 *
 * @param a The symmetric matrix, row-major (n×n).
 * @param n Its order.
 * @param b The right-hand side.
 * @param floor δ > 0 for the modified solve of an indefinite `A`; omitted, the exact solve.
 * @returns The solution and the method used, or `null` when `A` is singular (and no floor was given).
 *
 * @example
 * ```ts
 * import { solveSymmetric } from "./_linear_algebra.ts";
 * import assert from "node:assert/strict";
 *
 * const r = solveSymmetric(new Float64Array([2, 0, 0, -1]), 2, new Float64Array([4, 3]))!;
 * assert.deepEqual([...r.x], [2, -3]);
 * assert.equal(r.method, "bunch-kaufman");
 * ```
 */
export function solveSymmetric(a: Float64Array, n: number, b: Float64Array, floor?: number): SymmetricSolve | null {
  const l = cholesky(a, n);
  if (l !== null) return { x: choleskySolve(l, n, b), method: "cholesky", negative: 0 };
  const f = bunchKaufman(a, n, floor !== undefined);
  return f === null ? null : { x: ldlSolve(f, b, floor), method: "bunch-kaufman", negative: f.negative };
}

/**
 * Assembles the dense Hessian column by column from Hessian-vector products,
 * `H·eᵢ`, and symmetrizes it, `(H + Hᵀ)/2`. Costs n products.
 *
 * @param n The number of parameters.
 * @param product Maps a vector `v` to `H·v`.
 * @returns `H`, row-major.
 *
 * @example
 * ```ts
 * import { assembleHessian } from "./_linear_algebra.ts";
 * import assert from "node:assert/strict";
 *
 * const h = assembleHessian(2, (v) => new Float64Array([2 * v[0] + v[1], v[0] + 4 * v[1]]));
 * assert.deepEqual([...h], [2, 1, 1, 4]);
 * ```
 */
export function assembleHessian(n: number, product: (v: Float64Array) => Float64Array): Float64Array {
  const h = new Float64Array(n * n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    const column = product(e);
    for (let i = 0; i < n; i++) h[i * n + j] = column[i];
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const m = 0.5 * (h[i * n + j] + h[j * n + i]);
      h[i * n + j] = m;
      h[j * n + i] = m;
    }
  }
  return h;
}

/** Formats a small matrix for an error message, or names its order. */
function showMatrix(h: Float64Array, n: number): string {
  if (n > 4) return `a ${n}×${n} matrix`;
  const rows = Array.from({ length: n }, (_, i) => `[${Array.from(h.subarray(i * n, i * n + n)).join(", ")}]`);
  return `[${rows.join(", ")}]`;
}

/**
 * Solves `A·p = g` for a dense symmetric `A` assembled from `context`, or
 * throws the singular-matrix error. Shared by `newton` and `damped-newton`.
 *
 * @param owner Who is asking.
 * @param what The matrix's name in the error, e.g. `the Hessian`.
 * @param a The matrix, row-major.
 * @param n Its order.
 * @param g The right-hand side.
 * @param advice What to do instead, appended to the error.
 * @returns The solution, method and inertia.
 * @throws {RangeError} When `A` is singular.
 *
 * @example
 * ```ts
 * import { solveNewtonSystem } from "./_linear_algebra.ts";
 * import assert from "node:assert/strict";
 *
 * assert.throws(
 *   () => solveNewtonSystem('optimizer "newton"', "the Hessian", new Float64Array([2, 2, 2, 2]), 2, new Float64Array([1, 1]), ""),
 *   /the Hessian must not be singular/,
 * );
 * ```
 */
export function solveNewtonSystem(
  owner: string,
  what: string,
  a: Float64Array,
  n: number,
  g: Float64Array,
  advice: string,
): { x: Float64Array; method: string; negative: number } {
  const solved = solveSymmetric(a, n, g);
  if (solved === null) {
    throw new RangeError(
      `Cannot update with ${owner} as ${what} must not be singular (a Cholesky and a Bunch–Kaufman pivot fell below n·ε·max|Hᵢⱼ|)${advice}: current value is ${
        showMatrix(a, n)
      }`,
    );
  }
  return solved;
}

/**
 * Assembles the Hessian at `params` from the context's exact Hessian-vector
 * products, one column per parameter (n products, each about two gradients).
 *
 * @param owner Who is asking.
 * @param context The update context (with `hvp`).
 * @param params The parameters.
 * @param n The number of parameter elements.
 * @returns `H`, row-major, symmetrized.
 * @throws {RangeError} When a product is not finite.
 *
 * @example H of f(x) = x₀² + x₀x₁ + 2x₁²
 * ```ts
 * import { contextHessian } from "./_linear_algebra.ts";
 * import { hvp, add, mul, square, sum, slice, tensor, type Tensor } from "../../core/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const f = (x: Tensor) => {
 *   const a = slice(x, [0], [1]), b = slice(x, [1], [1]);
 *   return sum(add(add(square(a), mul(a, b)), mul(square(b), 2)));
 * };
 * const h = contextHessian('optimizer "newton"', { hvp: (p, v) => hvp(f, p as Tensor, v as Tensor) }, tensor([0, 0]), 2);
 * assert.deepEqual([...h], [2, 1, 1, 4]);
 * ```
 */
export function contextHessian(owner: string, context: UpdateContext, params: Tree, n: number): Float64Array {
  const hvp = context.hvp!;
  return assembleHessian(
    n,
    (v) => finiteVector(owner, "the Hessian-vector product from hvp(params, v)", hvp(params, fromVector(params, v)), n),
  );
}

/** What a step with the exact Hessian reads from an update, from {@linkcode newtonInputs}. */
export interface NewtonInputs {
  /** The update context, checked to provide `hvp` (and `loss` and `evaluate` when asked for). */
  readonly context: UpdateContext & Required<Pick<UpdateContext, "hvp">>;
  /** The loss at `params` from the context, or NaN where the context gives none. */
  readonly loss: number;
  /** The number of parameter elements. */
  readonly n: number;
  /** The gradient as one vector, checked finite. */
  readonly g: Float64Array;
  /** The Hessian at `params`, row-major, symmetrized (n Hessian-vector products). */
  readonly h: Float64Array;
}

/**
 * Checks and reads what `newton` and `damped-newton` need before they solve:
 * the context (with `hvp`, and with `loss` and `evaluate` where the method
 * tries steps), the loss, the gradient and the exact Hessian, in that order,
 * so the first thing wrong is the one named.
 *
 * @param owner Who is asking, e.g. `optimizer "newton"`.
 * @param grads The gradient, with the structure of `params`.
 * @param params The parameters.
 * @param context The context given to `update` (maybe undefined).
 * @param trials Where the method tries steps (a line search, adaptive damping): what it needs `loss` and
 *   `evaluate` for, which makes both required. Without it only `hvp` is.
 * @returns The checked context, the loss, n, g and H.
 * @throws {TypeError} When the context or a required field is missing.
 * @throws {RangeError} When the loss is not a scalar, or the gradient or a Hessian-vector product is not finite.
 *
 * @example H of f(x) = x₀² + x₀x₁ + 2x₁² at (1, 0)
 * ```ts
 * import { newtonInputs } from "./_linear_algebra.ts";
 * import { add, hvp, mul, slice, square, sum, tensor, type Tensor } from "../../core/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const f = (x: Tensor) => {
 *   const a = slice(x, [0], [1]), b = slice(x, [1], [1]);
 *   return sum(add(add(square(a), mul(a, b)), mul(square(b), 2)));
 * };
 * const context = { hvp: (p: unknown, v: unknown) => hvp(f, p as Tensor, v as Tensor) };
 * const { loss, n, g, h } = newtonInputs('optimizer "newton"', tensor([2, 1]), tensor([1, 0]), context);
 * assert.ok(Number.isNaN(loss)); // the context gives no loss
 * assert.equal(n, 2);
 * assert.deepEqual([...g], [2, 1]);
 * assert.deepEqual([...h], [2, 1, 1, 4]);
 * assert.throws(
 *   () => newtonInputs('optimizer "newton"', tensor([2, 1]), tensor([1, 0]), context, { loss: "", evaluate: "" }),
 *   /must provide loss/,
 * );
 * ```
 */
export function newtonInputs(
  owner: string,
  grads: Tree,
  params: Tree,
  context: UpdateContext | undefined,
  trials?: { readonly loss: string; readonly evaluate: string },
): NewtonInputs {
  const checked = requireContext<"hvp">(owner, context, { hvp: "for the exact Hessian", ...trials });
  const loss = checked.loss === undefined ? NaN : readLoss(owner, "the loss in the update context", checked.loss);
  const n = toVector(params).length;
  const g = finiteVector(owner, "the gradient", grads, n);
  return { context: checked, loss, n, g, h: contextHessian(owner, checked, params, n) };
}
