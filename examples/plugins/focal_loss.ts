/**
 * The focal loss as a third-party plugin: written only against gradflow's
 * public API (`../../mod.ts`), so it loads by URL from any copy of the
 * repository (`--plugin https://…/examples/plugins/focal_loss.ts`).
 *
 * @module
 */

import {
  abs,
  add,
  checkChoice,
  checkKeys,
  checkNumber,
  exp,
  log,
  type Loss,
  maximum,
  mean,
  mul,
  neg,
  type Plugin,
  pow,
  shapesEqual,
  sigmoid,
  sub,
  sum,
  Tensor,
} from "../../mod.ts";

/** Options for {@linkcode focalLoss}. */
export interface FocalLossOptions {
  /** Weight α of the positive class (1 − α for the negative), in [0, 1], or `null` for no weighting. @default {0.25} */
  alpha?: number | null;
  /** Focusing exponent γ ≥ 0 (0 gives the α-weighted cross-entropy). @default {2} */
  gamma?: number;
  /** Combine the per-element losses by `"mean"`, `"sum"`, or `"none"`. @default {"mean"} */
  reduction?: "mean" | "sum" | "none";
}

/**
 * The focal loss (Lin, Goyal, Girshick, He and Dollár, ICCV 2017, "Focal Loss
 * for Dense Object Detection", eq. 5) on logits x with targets t ∈ [0, 1]:
 *   p = σ(x),  p_t = p·t + (1 − p)·(1 − t),  α_t = α·t + (1 − α)·(1 − t)
 *   FL = α_t·(1 − p_t)^γ·CE,  CE = max(x, 0) − x·t + log(1 + e^{−|x|})
 * CE is the binary cross-entropy −log p_t in its stable form, and
 * 1 − p_t = t·σ(−x) + (1 − t)·σ(x) is computed without cancellation. The factor
 * (1 − p_t)^γ shrinks the loss of well-classified elements, so training
 * focuses on the hard ones. It is `torchvision.ops.sigmoid_focal_loss` (same
 * α = 0.25, γ = 2), except that the default reduction is `"mean"` as for
 * every gradflow loss (torchvision's is `"none"`) and no weighting is
 * `alpha: null` (torchvision's is any α < 0).
 *
 * @param options `alpha`, `gamma`, `reduction`.
 * @returns The loss, a function of logits and targets of the same shape.
 * @throws {TypeError} For an unknown option or an option of the wrong type.
 * @throws {RangeError} For an option out of range; from the loss, for shapes that differ (both are named).
 *
 * @example An easy example costs far less than a hard one
 * ```ts
 * import { focalLoss } from "./focal_loss.ts";
 * import { tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 *
 * const loss = focalLoss({ reduction: "none" });
 * const [easy, hard] = loss(tensor([3, -3]), tensor([1, 1])).toArray() as number[];
 * assert.ok(hard / easy > 1e4);
 * ```
 */
export function focalLoss(options: FocalLossOptions = {}): Loss {
  const owner = 'loss "focal-loss"';
  checkKeys(owner, options, ["alpha", "gamma", "reduction"]);
  const alpha = options.alpha === null ? null : checkNumber(owner, "alpha", options.alpha, 0.25, { min: 0, max: 1 });
  const gamma = checkNumber(owner, "gamma", options.gamma, 2, { min: 0 });
  const reduction = checkChoice(owner, "reduction", options.reduction, "mean", ["mean", "sum", "none"] as const);
  return (logits, targets) => {
    if (!(logits instanceof Tensor) || !(targets instanceof Tensor)) {
      throw new TypeError(`Cannot compute ${owner} as predictions and targets must be Tensors`);
    }
    if (!shapesEqual(logits.shape, targets.shape)) {
      throw new RangeError(
        `Cannot compute ${owner} for predictions of shape [${logits.shape}] and targets of shape [${targets.shape}]: the shapes must be equal`,
      );
    }
    const crossEntropy = add(sub(maximum(logits, 0), mul(logits, targets)), log(add(1, exp(neg(abs(logits))))));
    let loss = crossEntropy;
    if (gamma !== 0) {
      const miss = add(mul(targets, sigmoid(neg(logits))), mul(sub(1, targets), sigmoid(logits)));
      loss = mul(pow(miss, gamma), loss);
    }
    if (alpha !== null) loss = mul(add(mul(targets, alpha), mul(sub(1, targets), 1 - alpha)), loss);
    return reduction === "mean" ? mean(loss) : reduction === "sum" ? sum(loss) : loss;
  };
}

/** Registers {@linkcode focalLoss} as loss "focal-loss". */
const plugin: Plugin<"loss", FocalLossOptions> = {
  apiVersion: 1,
  kind: "loss",
  name: "focal-loss",
  description: "Focal loss α_t·(1 − p_t)^γ·(−log p_t) on logits (Lin et al. 2017; torchvision sigmoid_focal_loss).",
  defaults: { alpha: 0.25, gamma: 2, reduction: "mean" },
  create: focalLoss as Plugin<"loss", FocalLossOptions>["create"],
};
export default plugin;
