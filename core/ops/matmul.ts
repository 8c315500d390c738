/**
 * Matrix multiplication, with transposition flags so that the backward pass
 * never materializes a transposed copy through the graph.
 *
 * @module
 */

import { getBackend } from "../backend.ts";
import { record } from "../graph.ts";
import { allocate, Tensor } from "../tensor.ts";
import { cast } from "./elementwise.ts";

/** Options of {@linkcode matmul}. */
export interface MatmulOptions {
  /** Use `aᵀ` in place of `a`. @default {false} */
  transposeA?: boolean;
  /** Use `bᵀ` in place of `b`. @default {false} */
  transposeB?: boolean;
}

/**
 * The matrix product `op(a) · op(b)` of two rank-2 tensors, where `op`
 * transposes when the matching option is set. Runs on the active backend.
 *
 * The VJP of `C = A·B` is `∂A = G·Bᵀ` and `∂B = Aᵀ·G`, each one more matmul
 * with flags, so gradients of gradients work too.
 *
 * @param a The left matrix.
 * @param b The right matrix.
 * @param options `transposeA`, `transposeB`.
 * @returns A new `m×n` tensor.
 * @throws {RangeError} When either input is not rank 2 or the inner lengths differ.
 *
 * @example
 * ```ts
 * import { matmul } from "./matmul.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const a = tensor([[1, 2], [3, 4]]);
 * assert.deepEqual(matmul(a, tensor([[1], [1]])).toArray(), [[3], [7]]);
 * assert.deepEqual(matmul(a, a, { transposeA: true }).toArray(), [[10, 14], [14, 20]]);
 * ```
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) {
    throw new TypeError(
      `Cannot matmul as both operands must be Tensors: current values are ${typeof a} and ${typeof b}`,
    );
  }
  const ta = options.transposeA ?? false;
  const tb = options.transposeB ?? false;
  if (a.rank !== 2 || b.rank !== 2) {
    throw new RangeError(
      `Cannot matmul shapes [${a.shape}] and [${b.shape}] as both must be rank 2 (use reshape for vectors)`,
    );
  }
  const [m, k] = ta ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [k2, n] = tb ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (k !== k2) {
    const show = (s: readonly number[], t: boolean) => `[${s}]${t ? "ᵀ" : ""}`;
    throw new RangeError(
      `Cannot matmul ${show(a.shape, ta)} and ${
        show(b.shape, tb)
      } as the inner lengths must match: current values are ${k} and ${k2}`,
    );
  }
  const dtype = a.dtype === "float64" || b.dtype === "float64" ? "float64" : "float32";
  const x = cast(a, dtype), y = cast(b, dtype);
  const data = allocate(dtype, m * n, false); // the kernel writes every element
  getBackend().matmul(x.data, y.data, data, m, n, k, ta, tb);
  return record("matmul", data, [m, n], [x, y], (g) => [
    x._node === null
      ? null
      : ta
      ? matmul(y, g, { transposeA: tb, transposeB: true })
      : matmul(g, y, { transposeB: !tb }),
    y._node === null
      ? null
      : tb
      ? matmul(g, x, { transposeA: true, transposeB: ta })
      : matmul(x, g, { transposeA: !ta }),
  ]);
}
