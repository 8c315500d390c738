/**
 * The optimizer race: 2-D functions written with gradflow's ops (so every
 * optimizer, second-order ones included, gets exact derivatives through
 * `minimize`), their plain-number twins for the contour plot, and the run of
 * one racer with the work it took at every point.
 *
 * @module
 */

import type { Optimizer } from "../../core/interfaces.ts";
import { add, mul, slice, square, sub, sum } from "../../core/ops/mod.ts";
import type { Registry } from "../../core/registry.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { minimize } from "../../train/minimize.ts";
import type { Choice, RaceFunctionName, Racer } from "./config.ts";

/** A function of the race. */
export interface RaceFunction {
  /** Its name in menus. */
  label: string;
  /** What it shows, one sentence. */
  about: string;
  /** f of the point `[x, y]`, as a scalar tensor (differentiable to any order). */
  f: (p: Tensor) => Tensor;
  /** The same f on plain numbers (for the contour plot). */
  plain: (x: number, y: number) => number;
  /** The starting point. */
  start: [number, number];
  /** The plotted rectangle. */
  x: [number, number];
  /** The plotted rectangle. */
  y: [number, number];
  /** The minimum, marked on the plot. */
  optimum: [number, number];
  /** Contour levels spaced for a valley (`"log"`) or evenly. */
  levelScale: "log" | "linear";
}

const xy = (p: Tensor): [Tensor, Tensor] => [slice(p, [0], [1]), slice(p, [1], [1])];

/** The rotation of the ill-conditioned quadratic's axes, and its condition number. */
const ANGLE = Math.PI / 6, KAPPA = 25;
const COS = Math.cos(ANGLE), SIN = Math.sin(ANGLE);

/** The race's functions. */
export const RACE: Readonly<Record<RaceFunctionName, RaceFunction>> = {
  rosenbrock: {
    label: "Rosenbrock",
    about:
      "f = (1 − x)² + 100(y − x²)²: a curved, flat-bottomed valley. Gradient descent crawls along its floor; curvature (Newton, L-BFGS) follows it.",
    f: (p) => {
      const [x, y] = xy(p);
      return sum(add(square(sub(1, x)), mul(100, square(sub(y, square(x))))));
    },
    plain: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
    start: [-1.5, 2],
    x: [-2, 2],
    y: [-1, 3],
    optimum: [1, 1],
    levelScale: "log",
  },
  beale: {
    label: "Beale",
    about:
      "f = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²: flat plateaus and sharp ridges; the step size that suits one is wrong for the other.",
    f: (p) => {
      const [x, y] = xy(p);
      const term = (c: number, yk: Tensor) => square(add(sub(c, x), mul(x, yk)));
      const y2 = square(y);
      return sum(add(add(term(1.5, y), term(2.25, y2)), term(2.625, mul(y2, y))));
    },
    plain: (x, y) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
    start: [1, 1.5],
    x: [-1, 4],
    y: [-1.5, 2],
    optimum: [3, 0.5],
    levelScale: "log",
  },
  saddle: {
    label: "Saddle",
    about:
      "f = x² + (y² − 1)²/4: a saddle at the origin between two minima. Started on the ridge, gradient methods escape slowly; plain Newton is drawn to the saddle (seed 000: negative curvature turns its step into ascent).",
    f: (p) => {
      const [x, y] = xy(p);
      return sum(add(square(x), mul(0.25, square(sub(square(y), 1)))));
    },
    plain: (x, y) => x * x + (y * y - 1) ** 2 / 4,
    start: [-1.8, 0.001],
    x: [-2, 2],
    y: [-1.6, 1.6],
    optimum: [0, 1],
    levelScale: "linear",
  },
  "ill-conditioned": {
    label: "Ill-conditioned quadratic",
    about:
      "f = ½(u² + 25v²) on axes turned by 30°: one direction 25 times steeper. Gradient descent zigzags, momentum damps it, Newton solves it in one step.",
    f: (p) => {
      const [x, y] = xy(p);
      const u = add(mul(COS, x), mul(SIN, y)), v = sub(mul(COS, y), mul(SIN, x));
      return sum(mul(0.5, add(square(u), mul(KAPPA, square(v)))));
    },
    plain: (x, y) => {
      const u = COS * x + SIN * y, v = COS * y - SIN * x;
      return 0.5 * (u * u + KAPPA * v * v);
    },
    start: [-2.5, 1.2],
    x: [-3, 3],
    y: [-2, 2],
    optimum: [0, 0],
    levelScale: "log",
  },
};

/** Learning rates that suit each function, per optimizer: what adding a racer starts with. */
const RACE_PRESETS: Record<RaceFunctionName, Record<string, number>> = {
  rosenbrock: {
    sgd: 0.001,
    momentum: 0.0005,
    nesterov: 0.0005,
    adagrad: 1,
    adadelta: 1,
    rmsprop: 0.003,
    adam: 0.05,
    adamw: 0.05,
  },
  beale: { sgd: 0.01, momentum: 0.002, nesterov: 0.002, adagrad: 0.5, adadelta: 1, rmsprop: 0.01, adam: 0.05 },
  saddle: { sgd: 0.05, momentum: 0.01, nesterov: 0.01, adagrad: 0.5, adadelta: 1, rmsprop: 0.01, adam: 0.05 },
  "ill-conditioned": {
    sgd: 0.07,
    momentum: 0.02,
    nesterov: 0.02,
    adagrad: 1,
    adadelta: 1,
    rmsprop: 0.02,
    adam: 0.1,
    adamw: 0.1,
  },
};

/**
 * The learning rate a new racer starts with on a function (`undefined`: the optimizer's own default).
 *
 * @param fn The function.
 * @param optimizer The optimizer's name.
 * @returns The rate.
 */
export function raceLearningRate(fn: RaceFunctionName, optimizer: string): number | undefined {
  return RACE_PRESETS[fn][optimizer];
}

/** One racer's run. */
export interface RaceResult {
  /** The racer's label (`adam (lr 0.05)`). */
  label: string;
  /** The points, from the start. */
  path: [number, number][];
  /** f at each point. */
  losses: number[];
  /** Loss-and-gradient evaluations done to reach and evaluate each point. */
  gradients: number[];
  /** Hessian-vector products done by the end. */
  hvps: number;
  /** Why the run stopped early: the optimizer's error (a diverging run), or `null`. */
  error: string | null;
}

function optionText(choice: Choice): string {
  return Object.entries(choice).filter(([k]) => k !== "name").map(([k, v]) => `${k === "learningRate" ? "lr" : k} ${v}`)
    .join(", ");
}

/**
 * The label of a racer in legends and tables.
 *
 * @param racer The racer.
 * @returns `name (options)` and its schedule.
 *
 * @example
 * ```ts
 * import { racerLabel } from "./race.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(racerLabel({ optimizer: { name: "sgd", learningRate: 0.01 }, schedule: { name: "inverse-time", tau: 50 } }),
 *   "sgd (lr 0.01), inverse-time (tau 50)");
 * ```
 */
export function racerLabel(racer: Racer): string {
  const part = (c: Choice) => {
    const text = optionText(c);
    return text === "" ? c.name : `${c.name} (${text})`;
  };
  return racer.schedule ? `${part(racer.optimizer)}, ${part(racer.schedule)}` : part(racer.optimizer);
}

/**
 * Runs one racer on a function through `minimize` (which gives every optimizer the loss, re-evaluation and
 * exact Hessian-vector products), stopping once f ≤ 1e-12. A run that diverges keeps the points it reached.
 *
 * @param fn The function.
 * @param racer The optimizer and its schedule.
 * @param steps The most steps.
 * @param registry Where the names are looked up (third-party plugins included).
 * @returns The path, the losses and the work at each point.
 *
 * @example Newton solves the quadratic in one step
 * ```ts
 * import { runRacer } from "./race.ts";
 * import { createRegistry } from "../../plugins/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const r = runRacer("ill-conditioned", { optimizer: { name: "newton" }, schedule: null }, 10, createRegistry());
 * assert.ok(r.losses[1] < 1e-20);
 * ```
 */
export function runRacer(fn: RaceFunctionName, racer: Racer, steps: number, registry: Registry): RaceResult {
  const problem = RACE[fn];
  const label = racerLabel(racer);
  const path: [number, number][] = [], losses: number[] = [], gradients: number[] = [];
  let hvps = 0, error: string | null = null;
  try {
    const { name, ...options } = racer.optimizer;
    if (racer.schedule !== null) {
      const { name: scheduleName, ...scheduleOptions } = racer.schedule;
      const start = options.learningRate ?? registry.get("optimizer", name).defaults?.learningRate;
      options.learningRate = registry.create("scheduler", scheduleName, {
        ...scheduleOptions,
        ...(typeof start === "number" ? { learningRate: start } : {}),
      }) as unknown as number;
    }
    const optimizer = registry.create("optimizer", name, options) as Optimizer;
    const r = minimize(problem.f, tensor(problem.start), optimizer, {
      steps,
      registry,
      tolerance: 1e-12,
      onPoint: ({ x, loss, counts }) => {
        path.push([x.data[0], x.data[1]]);
        losses.push(loss);
        gradients.push(counts.gradients);
      },
    });
    hvps = r.counts.hvps;
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  // A point that is not finite ends the run; keep what can be drawn.
  while (path.length > 0 && !(path.at(-1)!.every(Number.isFinite) && Number.isFinite(losses.at(-1)!))) {
    path.pop(), losses.pop(), gradients.pop();
  }
  return { label, path, losses, gradients, hvps, error };
}
