/**
 * Fused ops: several primitive ops computed in one pass over the data, with a
 * hand-written vector-Jacobian product ({@linkcode customVjp}) built from
 * primitive ops, so gradients of gradients still work. Layers, losses and
 * optimizers may call them in place of the compositions they replace; the
 * results agree up to rounding.
 *
 * @module
 */

import { type AdamStepScalars, type FusedActivation, getBackend, jsBackend } from "../backend.ts";
import { isRecording } from "../graph.ts";
import { allocate, type DType, exclusiveMemory, Tensor } from "../tensor.ts";
import * as libm from "../libm.ts";
import { customVjp } from "./custom.ts";
import { cast, mul, step, sub } from "./elementwise.ts";
import { matmul } from "./matmul.ts";
import { softmax, sum } from "./reduce.ts";
import { reshape } from "./shape.ts";

export type { AdamStepScalars, FusedActivation } from "../backend.ts";

/** Options of {@linkcode linear}. */
export interface LinearOptions {
  /** Applied to `x·W + b`: `"none"` or `"relu"`. @default {"none"} */
  activation?: FusedActivation;
  /** The weight is stored `[out, in]` (PyTorch's `nn.Linear` layout): the product is `x·Wᵀ`. @default {false} */
  transposeWeight?: boolean;
}

function checkTensor(action: string, what: string, x: unknown): void {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`Cannot ${action} as ${what} must be a Tensor: current value is ${typeof x}`);
  }
}

const linearOps = {
  none: makeLinear("none", false),
  relu: makeLinear("relu", false),
};

const linearTransposedOps = {
  none: makeLinear("none", true),
  relu: makeLinear("relu", true),
};

function makeLinear(activation: FusedActivation, transposed: boolean) {
  return customVjp(
    `linear(${activation}${transposed ? ", Wᵀ" : ""})`,
    (x: Tensor, w: Tensor, b: Tensor) => {
      const [rows, cols, inner] = [x.shape[0], w.shape[transposed ? 0 : 1], x.shape[1]];
      const data = allocate(x.dtype, rows * cols);
      const backend = getBackend();
      backend.matmul(x.data, w.data, data, rows, cols, inner, false, transposed);
      (backend.biasActivation ?? jsBackend.biasActivation!)(data, b.data, data, rows, cols, activation);
      const output = new Tensor(data, [rows, cols]);
      return { output, saved: output };
    },
    (g, output, [x, w]) => {
      // ReLU's mask is a constant: its derivative is zero wherever it is defined.
      const gz = activation === "relu" ? mul(g, step(output)) : g;
      return [
        x._node === null ? null : matmul(gz, w, { transposeB: !transposed }),
        w._node === null
          ? null
          : transposed
          ? matmul(gz, x, { transposeA: true })
          : matmul(x, gz, { transposeA: true }),
        sum(gz, { axis: 0 }),
      ];
    },
  );
}

/**
 * A fully connected layer's arithmetic in one op: `act(x·W + b)` with `x` of
 * shape `[batch, in]`, `W` `[in, out]` and `b` `[out]` (with `transposeWeight`,
 * `act(x·Wᵀ + b)` with `W` `[out, in]`, PyTorch's `F.linear`). The product runs on the
 * backend's matmul kernel; the bias and the activation are added in one pass
 * over its output. The backward pass computes `g ⊙ act'` once and gives
 * `∂x = (g ⊙ act')·Wᵀ` (skipped when `x` needs no gradient), `∂W = xᵀ·(g ⊙ act')`
 * and `∂b = Σ_batch (g ⊙ act')` — the same values as `relu(add(matmul(x, W), b))`.
 *
 * @param x The input, `[batch, in]`.
 * @param weight The weight, `[in, out]`.
 * @param bias The bias, `[out]`.
 * @param options `activation`, `transposeWeight`.
 * @returns A new `[batch, out]` tensor.
 * @throws {TypeError} When an input is not a Tensor or the activation is unknown.
 * @throws {RangeError} When the shapes do not fit (the message names them).
 *
 * @example The same value as the composition, in one op
 * ```ts
 * import { linear } from "./fused.ts";
 * import { add, matmul, relu } from "./mod.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const x = tensor([[1, -2], [3, 4]]), w = tensor([[1, 0, -1], [0.5, 1, 1]]), b = tensor([0, 1, -1]);
 * assert.deepEqual(linear(x, w, b, { activation: "relu" }).toArray(), relu(add(matmul(x, w), b)).toArray());
 * ```
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor, options: LinearOptions = {}): Tensor {
  const action = "apply linear";
  checkTensor(action, "x", x);
  checkTensor(action, "weight", weight);
  checkTensor(action, "bias", bias);
  const activation = options.activation ?? "none";
  if (activation !== "none" && activation !== "relu") {
    throw new TypeError(
      `Cannot ${action} as activation must be one of "none", "relu": current value is ${JSON.stringify(activation)}`,
    );
  }
  const transposed = options.transposeWeight ?? false;
  const [inAxis, outAxis] = transposed ? [1, 0] : [0, 1];
  if (x.rank !== 2 || weight.rank !== 2 || bias.rank !== 1 || x.shape[1] !== weight.shape[inAxis]) {
    throw new RangeError(
      `Cannot ${action} to x of shape [${x.shape}], weight [${weight.shape}] and bias [${bias.shape}] as they must be [batch, in], ${
        transposed ? "[out, in]" : "[in, out]"
      } and [out]`,
    );
  }
  if (bias.shape[0] !== weight.shape[outAxis]) {
    throw new RangeError(
      `Cannot ${action} as the bias must have one entry per output (${
        weight.shape[outAxis]
      } for weight [${weight.shape}]): current shape is [${bias.shape}]`,
    );
  }
  const dtype: DType = [x, weight, bias].some((t) => t.dtype === "float64") ? "float64" : "float32";
  return (transposed ? linearTransposedOps : linearOps)[activation](
    cast(x, dtype),
    cast(weight, dtype),
    cast(bias, dtype),
  );
}

const sparseCrossEntropy = customVjp(
  "sparseSoftmaxCrossEntropy",
  (logits: Tensor, labels: Tensor) => {
    const [rows, classes] = logits.shape;
    const z = logits.data, y = labels.data;
    const losses = allocate(logits.dtype, rows);
    const oneHot = allocate(logits.dtype, rows * classes);
    for (let r = 0; r < rows; r++) {
      const o = r * classes;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) if (z[o + c] > max || z[o + c] !== z[o + c]) max = z[o + c];
      let total = 0;
      for (let c = 0; c < classes; c++) total += libm.exp(z[o + c] - max);
      losses[r] = max + libm.log(total) - z[o + y[r]];
      oneHot[o + y[r]] = 1;
    }
    return { output: new Tensor(losses, [rows]), saved: new Tensor(oneHot, [rows, classes]) };
  },
  // softmax(z) − onehot, scaled per row: built from ops on the logits, so it is twice differentiable. A backward
  // pass that records nothing (first-order gradients) computes the same bits in one pass.
  (g, oneHot, [logits]) => [
    !isRecording() && g.dtype === logits.dtype
      ? softmaxMinusOneHot(logits, oneHot, g)
      : mul(sub(softmax(logits, 1), oneHot), reshape(g, [g.size, 1])),
    null,
  ],
);

/**
 * `(softmax(z) − onehot)·g` row by row in one pass, with the bits of the ops of the recorded backward,
 * `mul(sub(softmax(z, 1), onehot), reshape(g, [rows, 1]))`: the row maximum (NaN if the row holds one),
 * replaced by 0 unless finite; each `exp(z − max)`; their sum in double, in order; the quotient, the
 * difference and the product; each rounded to the dtype where the op stores it.
 */
function softmaxMinusOneHot(logits: Tensor, oneHot: Tensor, g: Tensor): Tensor {
  const [rows, classes] = logits.shape;
  const z = logits.data, hot = oneHot.data, gv = g.data;
  const out = allocate(logits.dtype, rows * classes, false);
  const round = logits.dtype === "float32" ? Math.fround : (v: number) => v;
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) {
      const v = z[o + c];
      if (v > max || v !== v) max = v;
      if (max !== max) break;
    }
    const shift = Number.isFinite(max) ? max : 0;
    let total = 0;
    for (let c = 0; c < classes; c++) {
      const e = round(libm.exp(round(z[o + c] - shift)));
      out[o + c] = e;
      total += e;
    }
    const sum = round(total), scale = gv[r];
    for (let c = 0; c < classes; c++) out[o + c] = round(round(round(out[o + c] / sum) - hot[o + c]) * scale);
  }
  return new Tensor(out, [rows, classes]);
}

/**
 * Softmax cross-entropy against integer class labels, per sample:
 * `ℓᵢ = log Σ_c e^{z_ic} − z_{i,yᵢ}` (seed 000's cross-entropy of the softmax),
 * computed stably (the row maximum is subtracted before `exp`) in one pass
 * without building log-probabilities or a one-hot matrix in the graph. Its
 * gradient is `(softmax(z) − onehot(y)) · g`, built from ops so that Hessian-vector
 * products work. TensorFlow calls it `sparse_softmax_cross_entropy_with_logits`;
 * PyTorch's `cross_entropy(z, y, reduction="none")` gives the same values.
 *
 * @param logits Logits of shape `[batch, classes]`.
 * @param labels Class indices of shape `[batch]` or `[batch, 1]`, integers in `[0, classes)` (no gradient).
 * @returns The per-sample losses, shape `[batch]`.
 * @throws {TypeError} When an input is not a Tensor.
 * @throws {RangeError} When the shapes do not fit or a label is not a class index.
 *
 * @example
 * ```ts
 * import { sparseSoftmaxCrossEntropy } from "./fused.ts";
 * import { tensor } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const loss = sparseSoftmaxCrossEntropy(tensor([[0, 0], [2, 0]]), tensor([1, 0]));
 * assert.ok(Math.abs(loss.data[0] - Math.log(2)) < 1e-12);
 * assert.ok(Math.abs(loss.data[1] - Math.log(1 + Math.exp(-2))) < 1e-12);
 * ```
 */
export function sparseSoftmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor {
  const action = "compute sparseSoftmaxCrossEntropy";
  checkTensor(action, "logits", logits);
  checkTensor(action, "labels", labels);
  const [rows, classes] = logits.shape;
  if (
    logits.rank !== 2 || classes < 1 ||
    !((labels.rank === 1 && labels.shape[0] === rows) ||
      (labels.rank === 2 && labels.shape[0] === rows && labels.shape[1] === 1))
  ) {
    throw new RangeError(
      `Cannot ${action} for logits of shape [${logits.shape}] and labels of shape [${labels.shape}] as they must be [batch, classes] and [batch] (or [batch, 1])`,
    );
  }
  const y = labels.data;
  for (let i = 0; i < y.length; i++) {
    if (!Number.isInteger(y[i]) || y[i] < 0 || y[i] >= classes) {
      throw new RangeError(
        `Cannot ${action} as every label must be an integer in [0, ${classes}): current value is ${y[i]} (sample ${i})`,
      );
    }
  }
  return sparseCrossEntropy(logits, new Tensor(labels.data, [rows]));
}

/** Options of {@linkcode adamStep}. */
export interface AdamStepOptions {
  /**
   * The caller donates `grad`, `m` and `v` (it will not read them again): the
   * new `m` and `v` are written over the old ones and the update over the
   * gradient, so the step allocates nothing. Ignored when two of the three
   * share memory. @default {false}
   */
  donate?: boolean;
}

/** What {@linkcode adamStep} returns. */
export interface AdamStepResult {
  /** The update to add to the parameter. */
  update: Tensor;
  /** The new first-moment estimate. */
  m: Tensor;
  /** The new second-moment estimate. */
  v: Tensor;
}

/**
 * One Adam step for one parameter in a single pass over its elements (the
 * active backend's `adamStep` kernel, else the default one), in place of the
 * dozen elementwise ops of the composition:
 *   m ← m + (1 − β₁)·(g − m),  v ← β₂·v + (1 − β₂)·g²,
 *   update = −stepSize·m / (√v / √(1 − β₂ᵗ) + ε),  stepSize = α / (1 − β₁ᵗ)
 * (Kingma and Ba, 2015, in PyTorch's arrangement of the bias corrections).
 * Not recorded in the flow graph: optimizer updates are not differentiated.
 * With `donate`, the results reuse the three inputs' buffers (JAX's buffer
 * donation); the values are the same either way.
 *
 * @param grad The gradient g.
 * @param m The first-moment estimate (same shape and dtype as `grad`).
 * @param v The second-moment estimate (same shape and dtype).
 * @param scalars β₁, β₂, stepSize, biasCorrection2Sqrt, ε.
 * @param options `donate`.
 * @returns Tensors `{ update, m, v }`: new ones, or over the donated buffers.
 * @throws {RangeError} When the shapes or dtypes differ.
 *
 * @example The first step of Adam moves every weight by about the learning rate
 * ```ts
 * import { adamStep } from "./fused.ts";
 * import { tensor, zeros } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const g = tensor([0.5, -2]);
 * const { update } = adamStep(g, zeros([2]), zeros([2]), {
 *   beta1: 0.9, beta2: 0.999, stepSize: 1e-3 / (1 - 0.9), biasCorrection2Sqrt: Math.sqrt(1 - 0.999), epsilon: 1e-8,
 * });
 * assert.ok(Math.abs(update.data[0] + 1e-3) < 1e-9 && Math.abs(update.data[1] - 1e-3) < 1e-9);
 * ```
 *
 * @example A donated step writes over its inputs instead of allocating
 * ```ts
 * import { adamStep } from "./fused.ts";
 * import { tensor, zeros } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const g = tensor([0.5, -2]), m = zeros([2]), v = zeros([2]);
 * const scalars = { beta1: 0.9, beta2: 0.999, stepSize: 0.01, biasCorrection2Sqrt: Math.sqrt(0.001), epsilon: 1e-8 };
 * const r = adamStep(g, m, v, scalars, { donate: true });
 * assert.equal(r.m.data, m.data);
 * assert.equal(r.update.data, g.data);
 * ```
 */
export function adamStep(
  grad: Tensor,
  m: Tensor,
  v: Tensor,
  scalars: AdamStepScalars,
  options: AdamStepOptions = {},
): AdamStepResult {
  const r = fusedAdam("apply adamStep", grad, m, v, null, scalars, options.donate === true);
  return { update: r.result, m: r.m, v: r.v };
}

/** What {@linkcode adamApply} returns. */
export interface AdamApplyResult {
  /** The new parameter, `param + update`. */
  param: Tensor;
  /** The new first-moment estimate. */
  m: Tensor;
  /** The new second-moment estimate. */
  v: Tensor;
}

/**
 * {@linkcode adamStep} and the addition of its update to the parameter in
 * one pass (what PyTorch's `fused=True` Adam does): the new parameter is
 * `param + update`, rounded once more to the dtype, the same value as
 * `add(param, adamStep(…).update)`. With `donate`, the caller also gives up
 * `param`, and the new parameter is written over it.
 *
 * @param grad The gradient g.
 * @param m The first-moment estimate (same shape and dtype as `grad`).
 * @param v The second-moment estimate (same shape and dtype).
 * @param param The parameter θ (same shape and dtype).
 * @param scalars β₁, β₂, stepSize, biasCorrection2Sqrt, ε.
 * @param options `donate` (of all four inputs).
 * @returns Tensors `{ param, m, v }`: new ones, or over the donated buffers.
 * @throws {RangeError} When the shapes or dtypes differ.
 *
 * @example The same parameter as adding the update
 * ```ts
 * import { adamApply, adamStep } from "./fused.ts";
 * import { tensor, zeros } from "../tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const g = tensor([0.5, -2]), theta = tensor([1, 1]);
 * const scalars = { beta1: 0.9, beta2: 0.999, stepSize: 0.01, biasCorrection2Sqrt: Math.sqrt(0.001), epsilon: 1e-8 };
 * const { update } = adamStep(g, zeros([2]), zeros([2]), scalars);
 * const { param } = adamApply(g, zeros([2]), zeros([2]), theta, scalars);
 * assert.deepEqual(param.toArray(), [1 + update.data[0], 1 + update.data[1]]);
 * ```
 */
export function adamApply(
  grad: Tensor,
  m: Tensor,
  v: Tensor,
  param: Tensor,
  scalars: AdamStepScalars,
  options: AdamStepOptions = {},
): AdamApplyResult {
  const r = fusedAdam("apply adamApply", grad, m, v, param, scalars, options.donate === true);
  return { param: r.result, m: r.m, v: r.v };
}

/** The shared body of adamStep and adamApply: `result` is the update, or with `param` the new parameter. */
function fusedAdam(
  action: string,
  grad: Tensor,
  m: Tensor,
  v: Tensor,
  param: Tensor | null,
  scalars: AdamStepScalars,
  donate: boolean,
): { result: Tensor; m: Tensor; v: Tensor } {
  checkTensor(action, "grad", grad);
  checkTensor(action, "m", m);
  checkTensor(action, "v", v);
  if (param !== null) checkTensor(action, "param", param);
  const others = param === null ? [["m", m], ["v", v]] as const : [["m", m], ["v", v], ["param", param]] as const;
  for (const [name, t] of others) {
    if (t.size !== grad.size || t.dtype !== grad.dtype || t.rank !== grad.rank) {
      throw new RangeError(
        `Cannot ${action} as ${name} must match the gradient (${grad.dtype} [${grad.shape}]): current value is ${t.dtype} [${t.shape}]`,
      );
    }
  }
  const n = grad.size;
  const inputs = param === null ? [grad, m, v] : [grad, m, v, param];
  const inPlace = donate && exclusiveMemory(inputs).every((own) => own);
  const outM = inPlace ? m.data : allocate(grad.dtype, n);
  const outV = inPlace ? v.data : allocate(grad.dtype, n);
  const result = inPlace ? (param ?? grad).data : allocate(grad.dtype, n);
  const backend = getBackend();
  (backend.adamStep ?? jsBackend.adamStep!)(grad.data, m.data, v.data, outM, outV, result, scalars, param?.data);
  return {
    result: new Tensor(result, grad.shape),
    m: new Tensor(outM, grad.shape),
    v: new Tensor(outV, grad.shape),
  };
}
