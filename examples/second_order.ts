/**
 * Second-order methods against first-order ones (seed 000, "Second Order
 * Methods" and "More on Second Order Methods"): every registered optimizer on
 * Rosenbrock's function from (−1.5, 2) and on the seed 000 homework network
 * (2 inputs, sigmoid hidden layers of 3, 5 and 3 units, 1 linear output, MSE)
 * on two Gaussians, with the work each took: iterations, loss-and-gradient
 * evaluations, Hessian- and Gauss–Newton-vector products, and the final loss.
 *
 *   deno run examples/second_order.ts [--quick]
 *
 * Each run goes through `minimize`, which supplies the update context (loss,
 * re-evaluation for line searches, exact Hessian-vector products, and
 * Gauss–Newton products for the network, split as MSE ∘ model) and counts
 * the work. Rosenbrock runs until the loss is at most 1e-10 (or a cap of
 * iterations); the network runs a fixed number of iterations. The problems
 * are exported for the optimizers' tests.
 *
 * @module
 */

import { add, mul, Random, slice, square, sub, sum, type Tensor, tensor, type Tree, treeLeaves } from "../core/mod.ts";
import type { Optimizer } from "../core/interfaces.ts";
import { dense } from "../plugins/layers/dense.ts";
import { sequential } from "../plugins/layers/sequential.ts";
import { sigmoid } from "../plugins/layers/sigmoid.ts";
import { mse } from "../plugins/losses/mse.ts";
import { createRegistry } from "../plugins/mod.ts";
import { adam, chain, clipByGlobalNorm } from "../plugins/optimizers/mod.ts";
import { type GaussNewtonSplit, minimize } from "../train/minimize.ts";

/**
 * Rosenbrock's function f(x, y) = (1 − x)² + 100(y − x²)², minimum 0 at (1, 1).
 *
 * @param v The point `[x, y]`.
 * @returns f(v), a scalar tensor.
 *
 * @example
 * ```ts
 * import { rosenbrock } from "./second_order.ts";
 * import { tensor } from "../core/mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(rosenbrock(tensor([1, 1])).item(), 0);
 * assert.equal(rosenbrock(tensor([-1.5, 2])).item(), 6.25 + 100 * 0.0625);
 * ```
 */
export function rosenbrock(v: Tensor): Tensor {
  const x = slice(v, [0], [1]), y = slice(v, [1], [1]);
  return sum(add(square(sub(1, x)), mul(100, square(sub(y, square(x))))));
}

/** The seed 000 homework problem, ready for `minimize`. */
export interface HomeworkProblem {
  /** The initial parameters (Xavier-uniform weights, zero biases). */
  params: Tree;
  /** The training loss L(θ) = (1/N) Σ (o(xᵢ; θ) − tᵢ)². */
  loss: (params: Tree) => Tensor;
  /** The same loss split as MSE ∘ model, for Gauss–Newton products. */
  gaussNewton: GaussNewtonSplit<Tree>;
  /** The inputs `[N, 2]`. */
  x: Tensor;
  /** The targets `[N, 1]`, 0 or 1. */
  y: Tensor;
}

/**
 * The seed 000 homework network on two Gaussians: N points alternating
 * between N((−1, −1), I) with target 0 and N((1, 1), I) with target 1, drawn
 * from `new Random(seed)`, then a 2-3-5-3-1 network (sigmoid after each
 * hidden layer, a linear output) initialized from the same generator, and MSE.
 *
 * @param seed The generator's seed. @default {0}
 * @param samples N. @default {100}
 * @returns The parameters, the loss and its Gauss–Newton split.
 *
 * @example 51 parameters
 * ```ts
 * import { homeworkProblem } from "./second_order.ts";
 * import { treeLeaves } from "../core/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const { params, loss } = homeworkProblem();
 * assert.equal(treeLeaves(params).reduce((n, t) => n + t.size, 0), 2 * 3 + 3 + 3 * 5 + 5 + 5 * 3 + 3 + 3 + 1);
 * assert.ok(Number.isFinite(loss(params).item()));
 * ```
 */
export function homeworkProblem(seed = 0, samples = 100): HomeworkProblem {
  const rng = new Random(seed);
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < samples; i++) {
    const c = i % 2, mean = c === 0 ? -1 : 1;
    xs.push(rng.normal(mean, 1), rng.normal(mean, 1));
    ys.push(c);
  }
  const x = tensor(xs, [samples, 2]), y = tensor(ys, [samples, 1]);
  const net = sequential([
    dense({ units: 3 }),
    sigmoid(),
    dense({ units: 5 }),
    sigmoid(),
    dense({ units: 3 }),
    sigmoid(),
    dense({ units: 1 }),
  ]);
  const { params, state } = net.init([2], rng);
  const mseLoss = mse();
  const model = (p: Tree) => net.apply(p as Tree[], state, x, { training: true }).output;
  const loss = (z: Tensor) => mseLoss(z, y);
  return { params, loss: (p) => loss(model(p)), gaussNewton: { model, loss }, x, y };
}

/** How each optimizer is run in the table: options per problem (defaults where absent). */
export const TABLE_SETTINGS: Record<
  string,
  { rosenbrock?: Record<string, unknown>; homework?: Record<string, unknown> }
> = {
  "sgd": { rosenbrock: { learningRate: 5e-4 }, homework: { learningRate: 0.3 } },
  "momentum": { rosenbrock: { learningRate: 1e-4 }, homework: { learningRate: 0.1 } },
  "nesterov": { rosenbrock: { learningRate: 1e-4 }, homework: { learningRate: 0.1 } },
  "adagrad": { rosenbrock: { learningRate: 0.5 }, homework: { learningRate: 0.3 } },
  "adadelta": { rosenbrock: { learningRate: 1 }, homework: { learningRate: 1 } },
  "rmsprop": { rosenbrock: { learningRate: 1e-2 }, homework: { learningRate: 1e-2 } },
  "adam": { rosenbrock: { learningRate: 0.05 }, homework: { learningRate: 0.05 } },
  "adamw": { rosenbrock: { learningRate: 0.05, weightDecay: 0 }, homework: { learningRate: 0.05, weightDecay: 0 } },
  "newton": { homework: { indefinite: "modify", lineSearch: true } },
  "damped-newton": { homework: { damping: 0.1 } },
};

/** One row of the table. */
export interface TableRow {
  /** The problem. */
  problem: string;
  /** The optimizer and the options that differ from its defaults. */
  optimizer: string;
  /** Updates made. */
  iterations: number;
  /** Loss-and-gradient evaluations. */
  gradients: number;
  /** Hessian-vector products. */
  hvps: number;
  /** Gauss–Newton-vector products. */
  gaussNewtonVps: number;
  /** The final loss, or the error that stopped the run. */
  loss: number | string;
}

function describe(name: string, options: Record<string, unknown>): string {
  const shown = Object.entries(options).map(([k, v]) => `${k}: ${typeof v === "function" ? "…" : JSON.stringify(v)}`);
  return shown.length === 0 ? name : `${name} { ${shown.join(", ")} }`;
}

/**
 * Runs every registered optimizer (a gradient transformation such as
 * `clip-by-global-norm` alone is skipped; `chain` runs clip → adam) on both
 * problems and returns the rows of the table.
 *
 * @param quick Fewer iterations. @default {false}
 * @param only Run just these optimizers (by plugin name); all when omitted.
 * @returns The rows.
 *
 * @example BFGS against gradient descent on Rosenbrock and the network
 * ```ts
 * import { secondOrderTable } from "./second_order.ts";
 * import assert from "node:assert/strict";
 *
 * const rows = secondOrderTable(true, ["sgd", "bfgs"]);
 * const bfgs = rows.find((r) => r.optimizer === "bfgs" && r.problem === "rosenbrock")!;
 * assert.ok((bfgs.loss as number) < 1e-10 && bfgs.hvps === 0);
 * assert.equal(rows.length, 4);
 * ```
 */
export function secondOrderTable(quick = false, only?: readonly string[]): TableRow[] {
  const ROSENBROCK_CAP = quick ? 300 : 2000, HOMEWORK_STEPS = quick ? 10 : 30;
  const registry = createRegistry();
  const rows: TableRow[] = [];
  const homework = homeworkProblem();
  const secondOrder = new Set(["newton", "damped-newton", "bfgs", "lbfgs", "hessian-free", "conjugate-gradient"]);
  type Spec = { label: string; make: () => Optimizer };
  const specs = (problem: "rosenbrock" | "homework"): Spec[] => {
    const out: Spec[] = [];
    const order = ["newton", "damped-newton", "bfgs", "lbfgs", "hessian-free", "conjugate-gradient"];
    const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
    const names = registry.list("optimizer").map((p) => p.name).filter((name) => only?.includes(name) ?? true)
      .sort((a, b) => rank(a) - rank(b));
    for (const name of names) {
      if (name === "clip-by-global-norm") continue;
      if (name === "chain") {
        out.push({
          label: "chain [clip-by-global-norm { maxNorm: 1 }, adam { learningRate: 0.05 }]",
          make: () => chain(clipByGlobalNorm({ maxNorm: 1 }), adam({ learningRate: 0.05 })),
        });
        continue;
      }
      const options = TABLE_SETTINGS[name]?.[problem] ?? {};
      out.push({
        label: describe(name, options),
        make: () => registry.create("optimizer", name, options) as Optimizer,
      });
      if (name === "newton" && problem === "homework") {
        out.push({ label: "newton (pure)", make: () => registry.create("optimizer", name, {}) as Optimizer });
      }
      if (name === "damped-newton") {
        out.push({
          label: "damped-newton { adaptive: true }",
          make: () => registry.create("optimizer", name, { adaptive: true }) as Optimizer,
        });
      }
      if (name === "hessian-free" && problem === "homework") {
        out.push({
          label: "hessian-free { gaussNewton: true }",
          make: () => registry.create("optimizer", name, { gaussNewton: true }) as Optimizer,
        });
      }
    }
    return out;
  };
  const run = (problem: "rosenbrock" | "homework", spec: Spec, secondOrderMethod: boolean) => {
    const isRosenbrock = problem === "rosenbrock";
    const steps = isRosenbrock ? (secondOrderMethod ? 200 : ROSENBROCK_CAP) : HOMEWORK_STEPS;
    const inner = spec.make();
    let updates = 0;
    const counted: Optimizer = { init: (p) => inner.init(p), update: (...a) => (updates++, inner.update(...a)) };
    try {
      const r = isRosenbrock
        ? minimize(rosenbrock, tensor([-1.5, 2]), counted, { steps, tolerance: 1e-10 })
        : minimize(homework.loss, homework.params, counted, { steps, gaussNewton: homework.gaussNewton });
      // Iterations until the tolerance, or until the point stopped moving (a converged line search).
      let iterations = r.path.length;
      const same = (a: Tree, b: Tree) =>
        treeLeaves(a).every((t, i) => t.data.every((v, j) => v === treeLeaves(b)[i].data[j]));
      while (iterations > 1 && same(r.path[iterations - 1], r.path[iterations - 2])) iterations--;
      rows.push({ problem, optimizer: spec.label, iterations, ...r.counts, loss: r.losses.at(-1)! });
    } catch (e) {
      const why = (e as Error).message.replace(/^Cannot [^:]*? as /, "").replace(/ \(.*$/, "").split(":")[0];
      rows.push({
        problem,
        optimizer: spec.label,
        iterations: updates,
        gradients: NaN,
        hvps: NaN,
        gaussNewtonVps: NaN,
        loss: `error in iteration ${updates}: ${why}`,
      });
    }
  };
  for (const problem of ["rosenbrock", "homework"] as const) {
    for (const spec of specs(problem)) run(problem, spec, secondOrder.has(spec.label.split(" ")[0]));
  }
  return rows;
}

/**
 * The closing sentence on Rosenbrock, computed from the rows: how many
 * iterations Newton's method and BFGS took, and whether Newton needed fewer
 * (it says so when it did not, or when either did not reach the minimum).
 *
 * @param rows Rows of {@linkcode secondOrderTable} with both optimizers on Rosenbrock.
 * @returns One sentence.
 *
 * @example
 * ```ts
 * import { rosenbrockConclusion, secondOrderTable } from "./second_order.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(rosenbrockConclusion(secondOrderTable(true, ["newton", "bfgs"])), /^On Rosenbrock, Newton's method/);
 * ```
 */
export function rosenbrockConclusion(rows: readonly TableRow[]): string {
  const find = (name: string) => rows.find((r) => r.problem === "rosenbrock" && r.optimizer === name);
  const newton = find("newton"), bfgs = find("bfgs");
  if (newton === undefined || bfgs === undefined) return "On Rosenbrock, Newton's method and BFGS were not both run.";
  const reached = (r: TableRow) => typeof r.loss === "number" && r.loss <= 1e-10;
  if (!reached(newton) || !reached(bfgs)) {
    return `On Rosenbrock, Newton's method and BFGS did not both reach the minimum in this run (final loss ${newton.loss} and ${bfgs.loss}).`;
  }
  return newton.iterations < bfgs.iterations
    ? `On Rosenbrock, Newton's method (exact Hessian) took ${newton.iterations} iterations and BFGS (which learns the curvature from gradients) ${bfgs.iterations}: the exact curvature pays off in iterations.`
    : `On Rosenbrock, Newton's method did not take fewer iterations than BFGS in this run (${newton.iterations} against ${bfgs.iterations}).`;
}

if (import.meta.main) {
  const quick = Deno.args.includes("--quick");
  const start = performance.now();
  const rows = secondOrderTable(quick);
  const headers = ["problem", "optimizer", "iterations", "f & ∇f", "Hv", "Gv", "final loss"];
  const cells = rows.map((r) => [
    r.problem,
    r.optimizer,
    String(r.iterations),
    Number.isNaN(r.gradients) ? "—" : String(r.gradients),
    Number.isNaN(r.hvps) ? "—" : String(r.hvps),
    Number.isNaN(r.gaussNewtonVps) ? "—" : String(r.gaussNewtonVps),
    typeof r.loss === "number" ? r.loss.toExponential(3) : r.loss,
  ]);
  const widths = headers.map((h, j) => Math.max(h.length, ...cells.map((c) => c[j].length)));
  const line = (c: string[]) => c.map((v, j) => (j < 2 ? v.padEnd(widths[j]) : v.padStart(widths[j]))).join("  ");
  console.log(line(headers));
  console.log(widths.map((w) => "─".repeat(w)).join("  "));
  let last = "";
  for (const c of cells) {
    if (last !== "" && c[0] !== last) console.log("");
    last = c[0];
    console.log(line(c));
  }
  console.log(
    `\nRosenbrock from (−1.5, 2): iterations until loss ≤ 1e-10 or the point stops moving (cap ${quick ? 300 : 2000}` +
      ` first-order, 200 second-order). Homework network (51 parameters, 100 points): ${
        quick ? 10 : 30
      } iterations each.` +
      `\nf & ∇f: distinct points where loss and gradient were evaluated (line-search trials included);` +
      ` Hv: Hessian-vector products; Gv: Gauss–Newton-vector products. ${
        ((performance.now() - start) / 1000).toFixed(1)
      } s.`,
  );
  console.log(`\n${rosenbrockConclusion(rows)}`);
}
