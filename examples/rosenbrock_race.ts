/**
 * The optimizer race on Rosenbrock's function (seed 000, "Better Update
 * Rules" and "Second Order Methods"):
 *   f(x, y) = (1 − x)² + 100·(y − x²)²,   minimum f(1, 1) = 0,
 * a long, curved, flat-bottomed valley where plain gradient descent crawls.
 * Every optimizer starts from (−1.5, 2) and runs through `minimize`, which
 * gives second-order methods the exact Hessian-vector products they need.
 *
 *   deno run --allow-read=runs --allow-write=runs examples/rosenbrock_race.ts [--quick] [--out DIR]
 *
 * First-order methods run 2000 steps with a learning rate chosen by hand for
 * each (the largest of a small grid that does not blow up on the steep valley
 * walls: there ∂²f/∂x² reaches about 1900, so plain SGD needs η < 2/1900).
 * Second-order methods, when the registry has them (newton, damped-newton,
 * bfgs, lbfgs, conjugate-gradient, hessian-free), run with their defaults for
 * at most 200 steps. Every run stops early once f ≤ 1e-12.
 *
 * Writes `paths_first_order.svg` and `paths_second_order.svg` (the paths on the
 * contour plot; log-spaced levels) and `loss_first_order.svg`,
 * `loss_second_order.svg` (f against steps, log scale) to `runs/rosenbrock_race/`.
 *
 * @module
 */

import { add, createRegistry, mul, slice, square, sub, sum, type Tensor, tensor } from "../mod.ts";
import { minimize } from "../train/mod.ts";
import { contourPlot, lineChart } from "../train/plot/mod.ts";
import { exampleFlags, saveChart, table } from "./_shared.ts";

const USAGE = `The optimizer race on Rosenbrock's function, paths on the contour plot.

Usage: deno run --allow-read=runs --allow-write=runs examples/rosenbrock_race.ts [--quick] [--out DIR]
  --quick    fewer steps (for tests)
  --out DIR  where the charts go (default runs/rosenbrock_race)`;

const flags = exampleFlags("rosenbrock_race", USAGE);
const firstOrderSteps = flags.quick ? 300 : 2000;
const secondOrderSteps = flags.quick ? 50 : 200;
const start: [number, number] = [-1.5, 2];
const tolerance = 1e-12;

/** Rosenbrock's function of the 2-vector p = (x, y), built from differentiable ops. */
const rosenbrock = (p: Tensor) => {
  const x = slice(p, [0], [1]), y = slice(p, [1], [1]);
  return sum(add(square(sub(1, x)), mul(100, square(sub(y, square(x))))));
};
const plain = (x: number, y: number) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;

type Spec = { name: string; [option: string]: unknown };
const firstOrder: Spec[] = [
  { name: "sgd", learningRate: 1e-3 },
  { name: "momentum", learningRate: 5e-4, momentum: 0.9 },
  { name: "nesterov", learningRate: 5e-4, momentum: 0.9 },
  { name: "adagrad", learningRate: 1 },
  { name: "rmsprop", learningRate: 3e-3 },
  { name: "adam", learningRate: 0.05 },
];
const registry = createRegistry();
const secondOrder: Spec[] = ["newton", "damped-newton", "bfgs", "lbfgs", "conjugate-gradient", "hessian-free"]
  .filter((name) => registry.has("optimizer", name))
  .map((name) => ({ name }));

interface Run {
  spec: Spec;
  order: 1 | 2;
  losses: number[];
  path: [number, number][];
  gradients: number;
  hvps: number;
  /** Steps that moved the point (quasi-Newton methods return zero updates once their own tolerances hold). */
  moved: number;
  error: string | null;
}

function stepsThatMoved(path: readonly [number, number][]): number {
  let moved = path.length - 1;
  while (moved > 0 && path[moved][0] === path[moved - 1][0] && path[moved][1] === path[moved - 1][1]) moved--;
  return moved;
}

const runs: Run[] = [];
for (const [order, specs, steps] of [[1, firstOrder, firstOrderSteps], [2, secondOrder, secondOrderSteps]] as const) {
  for (const spec of specs) {
    try {
      const r = minimize(rosenbrock, tensor(start), spec, { steps, tolerance, registry });
      const path: [number, number][] = [start, ...r.path.map((p) => [p.data[0], p.data[1]] as [number, number])];
      runs.push({
        spec,
        order,
        losses: r.losses,
        path,
        gradients: r.counts.gradients,
        hvps: r.counts.hvps,
        moved: stepsThatMoved(path),
        error: null,
      });
    } catch (e) {
      // A run that blows up is a result too: report it instead of stopping the race.
      runs.push({
        spec,
        order,
        losses: [],
        path: [start],
        gradients: 0,
        hvps: 0,
        moved: 0,
        error: (e as Error).message,
      });
    }
  }
}

const settings = (spec: Spec) =>
  Object.entries(spec).filter(([k]) => k !== "name").map(([k, v]) => `${k === "learningRate" ? "lr" : k} ${v}`).join(
    ", ",
  ) || "defaults";
console.log(
  `\nRosenbrock's function from (−1.5, 2), minimum f(1, 1) = 0; runs stop once f ≤ ${tolerance}` +
    ` ("steps" counts those that moved the point).\n`,
);
console.log(table(
  ["optimizer", "settings", "steps", "final f", "distance to (1, 1)", "steps to f < 1e-6", "gradients", "Hessian·v"],
  runs.map((r) => {
    if (r.error !== null) return [r.spec.name, settings(r.spec), "failed", r.error.slice(0, 60), "", "", "", ""];
    const [x, y] = r.path.at(-1)!;
    const reached = r.losses.findIndex((l) => l < 1e-6);
    return [
      r.spec.name,
      settings(r.spec),
      String(r.moved),
      r.losses.at(-1)!.toExponential(2),
      Math.hypot(x - 1, y - 1).toExponential(2),
      reached === -1 ? "—" : String(reached),
      String(r.gradients),
      String(r.hvps),
    ];
  }),
));
if (secondOrder.length === 0) {
  console.log("\n(no second-order optimizers are registered, so only first-order methods ran)");
}
// The conclusion comes from this run's numbers: how far each family got, and in how many steps.
const toMillionth = (r: Run) => r.losses.findIndex((l) => l < 1e-6);
const summarize = (order: 1 | 2) => {
  const mine = runs.filter((r) => r.order === order && r.error === null);
  const reached = mine.filter((r) => toMillionth(r) !== -1).map(toMillionth);
  return { count: mine.length, reached: reached.length, most: reached.length ? Math.max(...reached) : NaN };
};
const first = summarize(1), second = summarize(2);
const sgdRun = runs.find((r) => r.spec.name === "sgd" && r.error === null);
const sgdFloor = sgdRun === undefined ? "" : `: sgd ends at f = ${sgdRun.losses.at(-1)!.toExponential(2)}`;
console.log(`
Plain gradient descent crawls along the floor of the curved valley${sgdFloor}.
First-order methods: ${first.reached} of ${first.count} got below f = 1e-6 within ${firstOrderSteps} steps.
Methods that use curvature (Newton's step −H⁻¹g, quasi-Newton approximations of it): ${second.reached} of ${second.count}${
  second.reached > 0 ? `, each within ${second.most} steps` : ""
}.
(Newton's first steps leave the plotted window: a full step −H⁻¹g can overshoot far.)
`);

const contour = (order: 1 | 2, title: string) =>
  contourPlot(plain, {
    x: [-2, 2],
    y: [-1, 3],
    levels: 16,
    levelScale: "log",
    optimum: [1, 1],
    paths: runs.filter((r) => r.order === order && r.error === null).map((r) => ({
      name: r.spec.name,
      points: r.path,
    })),
    title,
  });
await saveChart(
  flags.out,
  "paths_first_order.svg",
  contour(1, `First-order optimizers on Rosenbrock (${firstOrderSteps} steps)`),
);
if (secondOrder.length > 0) {
  await saveChart(flags.out, "paths_second_order.svg", contour(2, "Second-order optimizers on Rosenbrock"));
}
const lossChart = (order: 1 | 2, title: string) =>
  lineChart(
    runs.filter((r) => r.order === order && r.error === null).map((r) => ({
      name: r.spec.name,
      y: r.losses.slice(0, r.moved + 1),
    })),
    {
      title,
      xLabel: "step",
      yLabel: "f(x, y) (log scale)",
      logY: true,
      markers: false,
    },
  );
await saveChart(flags.out, "loss_first_order.svg", lossChart(1, "Rosenbrock, first-order optimizers: f against steps"));
if (secondOrder.length > 0) {
  await saveChart(
    flags.out,
    "loss_second_order.svg",
    lossChart(2, "Rosenbrock, second-order optimizers: f against steps"),
  );
}
