/**
 * The Kullback–Leibler divergence, and its symmetric form.
 *
 * @module
 */

import type { Loss, Plugin } from "../../core/interfaces.ts";
import { cast, div, exp, greater, log, maximum, mul, sub, sum, where } from "../../core/ops/mod.ts";
import { checkBoolean, checkChoice, checkKeys } from "../../core/options.ts";
import type { Tensor } from "../../core/tensor.ts";
import { checkSameShape, reduceLoss } from "./_reduction.ts";

/** How {@linkcode klDivergence} combines the pointwise terms: PyTorch's `reduction`, with `"batchmean"`. */
export type KlReduction = "mean" | "sum" | "none" | "batchmean";

/** Options for {@linkcode klDivergence}. */
export interface KlDivergenceOptions {
  /**
   * `"mean"` over all elements (PyTorch's default), `"batchmean"` (the sum
   * divided by the batch size `shape[0]`: the true divergence per sample),
   * `"sum"`, or `"none"` (the predictions' shape). @default {"mean"}
   */
  reduction?: KlReduction;
  /** Targets are log-probabilities too (PyTorch's `log_target`). @default {false} */
  logTarget?: boolean;
  /** Seed 000's symmetric form D(p‖q) + D(q‖p) instead of D(p‖q). @default {false} */
  symmetric?: boolean;
}

/** The floor of ln p in the symmetric form, so a target of exactly 0 stays finite (as in BCE). */
const LOG_FLOOR = -100;

/**
 * The Kullback–Leibler divergence of seed 000 between a target distribution
 * p and the model's distribution q, pointwise:
 *   D(p‖q) = Σ p·ln(p/q) = Σ p·(ln p − ln q)
 * with 0·ln 0 = 0, so a target of exactly 0 adds nothing (and no NaN).
 *
 * The convention is exactly PyTorch's `KLDivLoss`: the predictions are
 * **log-probabilities** ln q (for instance `logSoftmax` of logits, which is
 * stable where q itself would underflow) and the targets are probabilities p
 * (or log-probabilities with `logTarget: true`); the pointwise term is
 * p·(ln p − x). PyTorch's default `"mean"` divides by the number of elements,
 * which is not the divergence; `"batchmean"` gives the divergence per sample.
 * The gradient with respect to the predictions x is −p (divided as the
 * reduction divides).
 *
 * With `symmetric: true`, seed 000's symmetric divergence
 *   D(p‖q) + D(q‖p) = Σ (p − q)·(ln p − ln q),   q = e^x
 * (Jeffreys' divergence; PyTorch has no such option). It is infinite when p
 * is 0 where q is not; here ln p is clamped at −100, as PyTorch's
 * `BCELoss` clamps its logarithms, so targets of exactly 0 give a large but
 * finite loss and gradient.
 *
 * @param options `reduction`, `logTarget`, `symmetric`.
 * @returns The loss `(logProbabilities, targets) → Tensor`.
 *
 * @example
 * ```ts
 * import { klDivergence } from "./kl_divergence.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const q = tensor([[Math.log(0.5), Math.log(0.5)]]);
 * const p = tensor([[1, 0]]);
 * const kl = klDivergence({ reduction: "batchmean" })(q, p).item();
 * assert.ok(Math.abs(kl - Math.log(2)) < 1e-12); // 1·ln(1/0.5) + 0·ln 0 = ln 2
 * ```
 */
export function klDivergence(options: KlDivergenceOptions = {}): Loss {
  const owner = 'loss "kl-divergence"';
  checkKeys(owner, options, ["reduction", "logTarget", "symmetric"]);
  const reduction = checkChoice(
    owner,
    "reduction",
    options.reduction,
    "mean",
    ["mean", "sum", "none", "batchmean"] as const,
  );
  const logTarget = checkBoolean(owner, "logTarget", options.logTarget, false);
  const symmetric = checkBoolean(owner, "symmetric", options.symmetric, false);
  return (predictions, targets) => {
    checkSameShape(owner, predictions, targets);
    const t = cast(targets, predictions.dtype);
    let p: Tensor, logP: Tensor;
    if (logTarget) {
      p = exp(t);
      logP = t;
    } else {
      // ln p where p > 0 and the floor −100 elsewhere; the inner where keeps log's gradient finite at p = 0.
      const positive = greater(t, 0);
      p = t;
      logP = where(positive, log(where(positive, t, 1)), LOG_FLOOR);
    }
    let pointwise: Tensor;
    if (symmetric) {
      pointwise = mul(sub(p, exp(predictions)), sub(maximum(logP, LOG_FLOOR), predictions));
    } else {
      // p·(ln p − x), and 0 where p = 0 (0·ln 0 = 0, as PyTorch's xlogy).
      pointwise = where(greater(p, 0), mul(p, sub(logP, predictions)), 0);
    }
    if (reduction === "batchmean") return div(sum(pointwise), predictions.rank === 0 ? 1 : predictions.shape[0]);
    return reduceLoss(pointwise, reduction);
  };
}

/** Registers {@linkcode klDivergence} as loss "kl-divergence". */
const plugin: Plugin<"loss", KlDivergenceOptions> = {
  apiVersion: 1,
  kind: "loss",
  name: "kl-divergence",
  description: "D(p‖q) = Σ p·(ln p − x) for log-probabilities x, like PyTorch's KLDivLoss; symmetric option.",
  defaults: { reduction: "mean", logTarget: false, symmetric: false },
  create: klDivergence,
};
export default plugin;
