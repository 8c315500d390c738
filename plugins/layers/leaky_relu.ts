/**
 * The leaky rectified linear unit as a layer.
 *
 * @module
 */

import type { Layer, Plugin } from "../../core/interfaces.ts";
import { leakyRelu as leakyReluOp } from "../../core/ops/mod.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import { activationLayer } from "./_activation.ts";

/** Options for {@linkcode leakyRelu}. */
export interface LeakyReluOptions {
  /** The slope a for x ≤ 0 (PyTorch's `negative_slope`). @default {0.01} */
  negativeSlope?: number;
}

/**
 * The leaky ReLU `φ(x) = x if x > 0, else a·x` applied elementwise (Maas,
 * Hannun and Ng, 2013), as `torch.nn.LeakyReLU(a)`: it keeps a small gradient
 * a for negative inputs, where ReLU's is 0. At the kink x = 0 the derivative
 * is taken as a, as in PyTorch. Pair it with `he-uniform` of gain √(2/(1 + a²)).
 *
 * @param options `negativeSlope` (a finite number, default 0.01).
 * @returns The layer (no parameters, no state; output shape = input shape).
 * @throws {TypeError} For an unknown option or a non-finite slope.
 *
 * @example
 * ```ts
 * import { leakyRelu } from "./leaky_relu.ts";
 * import { Random } from "../../core/random.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const layer = leakyRelu({ negativeSlope: 0.1 });
 * const { params, state } = layer.init([2], new Random(0));
 * assert.deepEqual(layer.apply(params, state, tensor([[-2, 3]]), { training: false }).output.toArray(), [[-0.2, 3]]);
 * ```
 */
export function leakyRelu(options: LeakyReluOptions = {}): Layer {
  const owner = 'layer "leaky-relu"';
  checkKeys(owner, options, ["negativeSlope"]);
  const slope = checkNumber(owner, "negativeSlope", options.negativeSlope, 0.01);
  return activationLayer((x) => leakyReluOp(x, slope));
}

/** Registers {@linkcode leakyRelu} as layer "leaky-relu". */
const plugin: Plugin<"layer", LeakyReluOptions> = {
  apiVersion: 1,
  kind: "layer",
  name: "leaky-relu",
  description: "Leaky ReLU: x if x > 0, else negativeSlope·x (PyTorch's LeakyReLU, slope 0.01).",
  defaults: { negativeSlope: 0.01 },
  create: leakyRelu,
};
export default plugin;
