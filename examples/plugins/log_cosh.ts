/**
 * The log-cosh loss as a third-party plugin that imports nothing at run
 * time: it computes with the gradflow its host passes to `create`
 * (`context.gradflow`), so it loads by URL from any web server, next to no
 * copy of gradflow, and runs on the host's own copy (its backend, its flow
 * graph). Its only import is of types, which are erased before it runs.
 *
 *   deno run … cli/main.ts train exp.json --plugin https://example.org/log_cosh.ts --loss log-cosh
 *
 * @module
 */

import type { GradflowApi, Loss, Plugin } from "../../mod.ts"; // types only: erased at run time

/** Options for {@linkcode logCosh}. */
export interface LogCoshOptions {
  /** Combine the per-element losses by "mean", "sum" or "none". @default {"mean"} */
  reduction?: "mean" | "sum" | "none";
}

/**
 * log(cosh(o − t)): about (o − t)²/2 near 0 and |o − t| − log 2 far away, so
 * it is smooth like the squared error and robust like the absolute one
 * (Keras's `LogCosh`). Computed as |d| + log(1 + e^{−2|d|}) − log 2, which
 * never overflows. Built from ops, so the flow graph differentiates it, twice
 * even: second-order optimizers can use it.
 *
 * @param gradflow The host's gradflow API (what `create` receives as `context.gradflow`).
 * @param options `reduction`.
 * @returns The loss.
 * @throws {TypeError | RangeError} For an unknown option or a reduction that is not one of the three.
 *
 * @example
 * ```ts
 * import { logCosh } from "./log_cosh.ts";
 * import * as gradflow from "../../core/api.ts";
 * import assert from "node:assert/strict";
 *
 * const loss = logCosh(gradflow);
 * const { tensor } = gradflow;
 * assert.ok(Math.abs(loss(tensor([3]), tensor([1])).item() - Math.log(Math.cosh(2))) < 1e-15);
 * ```
 */
export function logCosh(gradflow: GradflowApi, options: LogCoshOptions = {}): Loss {
  const { abs, add, checkChoice, checkKeys, exp, log, mean, mul, sub, sum } = gradflow;
  const owner = 'loss "log-cosh"';
  checkKeys(owner, options, ["reduction"]); // unknown options are errors, not silent defaults
  const reduction = checkChoice(owner, "reduction", options.reduction, "mean", ["mean", "sum", "none"] as const);
  return (predictions, targets) => {
    if (predictions.shape.join() !== targets.shape.join()) {
      throw new RangeError(
        `Cannot compute ${owner} as predictions and targets must have the same shape: current shapes are [${predictions.shape}] and [${targets.shape}]`,
      );
    }
    const d = abs(sub(predictions, targets));
    const values = sub(add(d, log(add(exp(mul(d, -2)), 1))), Math.LN2);
    return reduction === "mean" ? mean(values) : reduction === "sum" ? sum(values) : values;
  };
}

/** Registers {@linkcode logCosh} as loss "log-cosh". */
const plugin: Plugin<"loss", LogCoshOptions> = {
  apiVersion: 1,
  kind: "loss",
  name: "log-cosh",
  description: "log(cosh(o − t)): quadratic near 0, linear far away (Keras's LogCosh).",
  defaults: { reduction: "mean" },
  create: (options, { gradflow }) => logCosh(gradflow, options),
};
export default plugin;
