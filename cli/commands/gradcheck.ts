/**
 * `gradflow gradcheck <kind> <name>`: checks a plugin's gradients against
 * central finite differences (the checker of `./testing`) on small random
 * inputs.
 *
 * @module
 */

import type { Layer, Loss, Regularizer } from "../../core/interfaces.ts";
import { mul, sum } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import type { Registry } from "../../core/registry.ts";
import { Tensor } from "../../core/tensor.ts";
import type { Tree } from "../../core/tree.ts";
import { gradcheck, type GradcheckReport, gradgradcheck } from "../../tests/kit/gradcheck.ts";
import { resolveModel } from "../../train/model.ts";
import { COMMAND_FLAGS, listFlag, numberFlag, parseFlags } from "../_args.ts";
import { _prepare, UsageError } from "../_errors.ts";
import { buildRegistry } from "../_setup.ts";
import { parseKind } from "./list.ts";

/** The help text of `gradflow gradcheck`. */
export const GRADCHECK_HELP = `Usage: gradflow gradcheck <kind> <name> [flags]

Check a plugin's gradient against central finite differences (float64,
eps 1e-6, atol 1e-5, rtol 1e-3, as PyTorch's gradcheck) on small random
inputs kept away from kinks. Exit 0 when it matches, 1 when it does not.

  layer        d/d(params, input) of Σ r ⊙ layer(params, x), x: [4, ...input-shape]
  loss         d/d(predictions) of loss(predictions, targets), with one-hot, class-label, then ±1 targets
  regularizer  d/d(params) of its penalty

Flags:
  --options <json>       the plugin's options, e.g. '{"units": 3}' (dense gets units 3 by default)
  --input-shape <dims>   one sample's shape for a layer, e.g. 3 or 2x3 (default 3)
  --second-order         also check Hessian-vector products (gradgradcheck)
  --seed <n>             seed of the random inputs (default 0)
  --plugin <url|path>    load a third-party plugin first (repeatable; #sha256=<hex> pins it)
  -h, --help             show this help

Examples:
  gradflow gradcheck layer tanh
  gradflow gradcheck loss softmax-cross-entropy --second-order
  gradflow gradcheck --plugin ./examples/plugins/focal_loss.ts loss focal-loss
`;

/** Options that let a built-in that requires some be checked without `--options`. */
const SAMPLE_OPTIONS: Record<string, Record<string, unknown>> = {
  "layer/dense": { units: 3 },
  "layer/sequential": { layers: [{ name: "dense", units: 4 }, { name: "tanh" }, { name: "dense", units: 2 }] },
};

/** Values in ±[0.2, 1.5]: away from the kinks at 0 (ReLU, |x|, L1). */
function awayFromZero(n: number, rng: Random): Float64Array {
  return Float64Array.from({ length: n }, () => (rng.uniform() < 0.5 ? -1 : 1) * rng.uniform(0.2, 1.5));
}

interface Check {
  /** What was differentiated, for the report. */
  what: string;
  /** The scalar function. */
  f: (x: Tree) => Tensor;
  /** The point. */
  at: Tree;
}

function layerCheck(layer: Layer, inputShape: number[], rng: Random): Check {
  const { params, state, outputShape } = layer.init(inputShape, rng);
  const size = inputShape.reduce((a, b) => a * b, 1);
  const x = new Tensor(awayFromZero(4 * size, rng), [4, ...inputShape]);
  const r = new Tensor(awayFromZero(4 * outputShape.reduce((a, b) => a * b, 1), rng), [4, ...outputShape]);
  const f = (t: Tree) => {
    const { params: p, x: input } = t as { params: Tree; x: Tensor };
    return sum(mul(layer.apply(p, state, input, { training: false }).output, r));
  };
  return { what: "params and input", f, at: { params, x } };
}

function lossCheck(loss: Loss, rng: Random): Check {
  const candidates: { label: string; predictions: Tensor; targets: Tensor }[] = [];
  // One-hot targets with predictions in (0.1, 0.9): fits MSE, cross-entropies, KL, multiclass hinge.
  const classes = [0, 2, 1, 2];
  candidates.push({
    label: "one-hot targets",
    predictions: new Tensor(Float64Array.from({ length: 12 }, () => rng.uniform(0.1, 0.9)), [4, 3]),
    targets: new Tensor(Float64Array.from({ length: 12 }, (_, i) => (classes[Math.floor(i / 3)] === i % 3 ? 1 : 0)), [
      4,
      3,
    ]),
  });
  // The same classes as integer labels (multiclass hinge takes no one-hot targets).
  candidates.push({
    label: "class labels",
    predictions: candidates[0].predictions,
    targets: new Tensor(Float64Array.from(classes), [4]),
  });
  // ±1 targets with margins away from 1 (hinge).
  candidates.push({
    label: "±1 targets",
    predictions: new Tensor(Float64Array.from([-1.7, -0.4, 0.3, 1.6]), [4, 1]),
    targets: new Tensor(Float64Array.from([-1, 1, 1, -1]), [4, 1]),
  });
  const errors: string[] = [];
  for (const c of candidates) {
    try {
      const value = loss(c.predictions, c.targets);
      if (value.size !== 1) throw new RangeError(`it returned shape [${value.shape}], not a scalar`);
      return { what: `predictions (${c.label})`, f: (p) => loss(p as Tensor, c.targets), at: c.predictions };
    } catch (error) {
      errors.push(`${c.label}: ${(error as Error).message}`);
    }
  }
  throw new UsageError(`Cannot gradcheck the loss as it accepts none of the sample inputs: ${errors.join("; ")}`);
}

function regularizerCheck(regularizer: Regularizer, rng: Random): Check | null {
  if (typeof regularizer.penalty !== "function") return null;
  const params = [{
    weight: new Tensor(awayFromZero(6, rng), [3, 2]),
    bias: new Tensor(awayFromZero(2, rng), [2]),
  }];
  return { what: "params", f: (p) => regularizer.penalty!(p), at: params };
}

function parseShape(text: string | undefined): number[] {
  if (text === undefined) return [3];
  const dims = text.split(/[x,×]/).map((d) => Number(d.trim()));
  if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new UsageError(
      `Cannot use --input-shape as it must be positive integers such as 3 or 2x3: current value is "${text}"`,
    );
  }
  return dims;
}

function parseOptions(text: string | undefined, kind: string, name: string): Record<string, unknown> {
  if (text === undefined) return { ...(SAMPLE_OPTIONS[`${kind}/${name}`] ?? {}) };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError(
      `Cannot use --options as it must be a JSON object such as '{"units": 3}': current value is ${text}`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UsageError(`Cannot use --options as it must be a JSON object: current value is ${text}`);
  }
  return value as Record<string, unknown>;
}

function describeFailure(report: GradcheckReport): string {
  const w = report.worst!;
  const where = w.path === "" ? `element ${w.index}` : `"${w.path}" element ${w.index}`;
  return `${where}: analytic ${w.analytic}, numeric ${w.numeric}, |difference| ${
    w.error.toExponential(2)
  } > tolerance ${w.tolerance.toExponential(2)}`;
}

function build(
  registry: Registry,
  kind: string,
  name: string,
  options: Record<string, unknown>,
  shape: number[],
  seed: number,
) {
  const rng = new Random(seed);
  if (kind === "layer") {
    const layer = name === "sequential"
      ? resolveModel({ name, ...options }, registry)
      : registry.create("layer", name, options);
    return layerCheck(layer, shape, rng);
  }
  if (kind === "loss") return lossCheck(registry.create("loss", name, options), rng);
  return regularizerCheck(registry.create("regularizer", name, options), rng);
}

/**
 * Runs `gradflow gradcheck`.
 *
 * @param args The arguments after `gradcheck`.
 * @returns The exit code: 0 when the gradients match, 1 when they do not.
 *
 * @example
 * ```ts
 * import { gradcheckCommand } from "./gradcheck.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await gradcheckCommand(["layer", "sigmoid"]), 0);
 * ```
 */
export async function gradcheckCommand(args: readonly string[]): Promise<number> {
  const prepared = await _prepare(async () => {
    const { values, positionals } = parseFlags("gradcheck", args, COMMAND_FLAGS.gradcheck);
    if (values.help) return null;
    if (positionals.length !== 2) {
      throw new UsageError(
        `Cannot run gradcheck as it takes a kind and a name (e.g. gradflow gradcheck layer dense): current arguments are ${
          positionals.length ? positionals.join(" ") : "none"
        }`,
      );
    }
    const kind = parseKind(positionals[0]);
    const name = positionals[1];
    if (kind !== "layer" && kind !== "loss" && kind !== "regularizer") {
      throw new UsageError(
        `Cannot gradcheck ${kind} "${name}" as only layers, losses and regularizers have a gradient to check: current kind is ${kind}`,
      );
    }
    const seed = numberFlag("seed", values.seed, { integer: true }) ?? 0;
    const registry = await buildRegistry(listFlag(values.plugin));
    registry.get(kind, name); // An unknown name fails here, with the nearest registered one.
    const options = parseOptions(values.options as string | undefined, kind, name);
    const check = build(registry, kind, name, options, parseShape(values["input-shape"] as string | undefined), seed);
    return { kind, name, check, secondOrder: values["second-order"] === true, seed };
  });
  if (prepared === null) {
    console.log(GRADCHECK_HELP);
    return 0;
  }
  const { kind, name, check, secondOrder, seed } = prepared;
  if (check === null) {
    console.log(`${kind} "${name}" has no penalty term (it only projects the parameters): no gradient to check`);
    return 0;
  }
  const report = gradcheck(check.f, check.at, { raise: false, seed });
  if (!report.ok) {
    throw new Error(
      `Cannot pass gradcheck for ${kind} "${name}" as d/d(${check.what}) differs at ${describeFailure(report)}`,
    );
  }
  console.log(
    `gradcheck ${kind} "${name}": ok, ${report.checked} derivatives of ${check.what} match central differences (worst error ${
      report.worst!.error.toExponential(1)
    } ≤ tolerance ${report.worst!.tolerance.toExponential(1)})`,
  );
  if (secondOrder) {
    const second = gradgradcheck(check.f, check.at, { raise: false, seed });
    if (!second.ok) {
      throw new Error(
        `Cannot pass gradgradcheck for ${kind} "${name}" as the Hessian-vector product differs at ${
          describeFailure(second)
        }`,
      );
    }
    console.log(`gradgradcheck ${kind} "${name}": ok, ${second.checked} Hessian-vector product entries match`);
  }
  return 0;
}
