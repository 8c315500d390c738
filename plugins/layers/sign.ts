/**
 * The sign function (the perceptron's unit) as a layer.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { abs, customVjp, greater, sign as signOp, where } from "../../core/ops/mod.ts";
import { checkBoolean, checkKeys } from "../../core/options.ts";
import type { Tensor } from "../../core/tensor.ts";
import { activationLayer } from "./_activation.ts";

/** Options for {@linkcode sign}. */
export interface SignOptions {
  /**
   * Use the straight-through estimator in the backward pass: treat the unit
   * as the identity, so the gradient passes unchanged. @default {false}
   */
  straightThrough?: boolean;
  /**
   * With `straightThrough`, pass the gradient only where |x| ≤ 1 and zero it
   * elsewhere (the "saturating" estimator, the derivative of hard-tanh).
   * @default {false}
   */
  saturate?: boolean;
}

/**
 * The sign unit `σ(z) = sign(z) ∈ {−1, 0, 1}` applied elementwise (seed 003:
 * with σ = sign, SGD on the squared error gives the perceptron algorithm).
 * The forward value matches `torch.sign` (0 at 0).
 *
 * **Gradient.** sign is piecewise constant: its derivative is 0 everywhere
 * except at 0, where it does not exist. By default the layer reports that
 * true derivative, 0, so nothing upstream of it learns by gradient descent,
 * as in `torch.sign`. With `straightThrough: true` the
 * backward pass uses the straight-through estimator (Hinton, Coursera lecture
 * 15b, 2012; Bengio, Léonard and Courville, arXiv:1308.3432, 2013): the
 * gradient is passed through as if the unit were the identity,
 *   ∂L/∂z ≈ ∂L/∂σ.
 * With `saturate: true` as well it is cancelled where |z| > 1,
 *   ∂L/∂z ≈ ∂L/∂σ · 1{|z| ≤ 1},
 * the variant of BinaryConnect/BinaryNet (Hubara, Courbariaux et al., 2016),
 * which stops pre-activations from drifting far from the threshold. For seed
 * 003's network ŷ = sign(w·x) with loss ½(ŷ − y)², the straight-through
 * gradient is (ŷ − y)·x, so an SGD step is w ← w + ε(y − ŷ)x: the perceptron
 * rule. The
 * estimate is biased by design: finite differences of the layer give 0, not 1,
 * so a gradient check of a straight-through layer is expected to fail.
 *
 * @param options `straightThrough` (default false) and `saturate` (default false; needs `straightThrough`).
 * @returns The layer (no parameters, no state; output shape = input shape).
 * @throws {TypeError} When an option is not a boolean, or for an unknown option.
 * @throws {RangeError} When `saturate` is set without `straightThrough`.
 *
 * @example The forward value, and the two backward passes
 * ```ts
 * import { sign } from "./sign.ts";
 * import { grad } from "../../core/autodiff.ts";
 * import { sum } from "../../core/ops/mod.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor, type Tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const x = tensor([[-2, 0.5, 3]]);
 * const exact = sign(), ste = sign({ straightThrough: true, saturate: true });
 * const { params, state } = exact.init([3], new Random(0));
 * assert.deepEqual(exact.apply(params, state, x, { training: false }).output.toArray(), [[-1, 1, 1]]);
 * const g = (layer: typeof exact) => grad((v: Tensor) => sum(layer.apply(params, state, v, { training: true }).output))(x);
 * assert.deepEqual(g(exact).toArray(), [[0, 0, 0]]);
 * assert.deepEqual(g(ste).toArray(), [[0, 1, 0]]);
 * ```
 */
export function sign(options: SignOptions = {}): Layer {
  const owner = 'layer "sign"';
  checkKeys(owner, options, ["straightThrough", "saturate"]);
  const straightThrough = checkBoolean(owner, "straightThrough", options.straightThrough, false);
  const saturate = checkBoolean(owner, "saturate", options.saturate, false);
  if (saturate && !straightThrough) {
    throw new RangeError(
      `Cannot create ${owner} as saturate needs straightThrough: true (it shapes the straight-through gradient): current value is true`,
    );
  }
  if (!straightThrough) return activationLayer(signOp);
  const estimator = customVjp(
    saturate ? "sign-straight-through-saturated" : "sign-straight-through",
    (x: Tensor) => ({ output: signOp(x), saved: null }),
    (g, _saved, [x]) => [saturate ? where(greater(abs(x), 1), 0, g) : g],
  );
  return activationLayer((x) => estimator(x));
}

/** Registers {@linkcode sign} as layer "sign". */
const plugin: Plugin<"layer", SignOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "sign",
  description: "sign(z) ∈ {−1, 0, 1}, the perceptron unit (zero gradient, or straight-through).",
  defaults: { straightThrough: false, saturate: false },
  create: sign,
};
export default plugin;
