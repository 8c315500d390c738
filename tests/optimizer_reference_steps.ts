/**
 * Hand-written reference steps for every built-in optimizer, keyed by plugin
 * name, used by the shared conformance suite in `tests/optimizers_test.ts`.
 *
 * Each entry re-implements its plugin's update rule with plain JavaScript
 * numbers (no tensors, no ops, nothing shared with the plugin) and returns the
 * points reached after each of three steps on {@linkcode referenceProblem}, a
 * small convex quadratic. The suite runs the plugin on the same problem, with
 * the same options, and requires the same steps. An optimizer with no entry
 * here fails the suite: a new optimizer adds its entry (and, if its defaults do
 * not suit the suite's other checks, `options`).
 *
 * The written rules follow the papers and seed 000 where those agree with
 * PyTorch (for example Adam's m ← β₁m + (1 − β₁)g rather than PyTorch's lerp),
 * so they check the mathematics, not one way of rounding it.
 *
 * @module
 */

import { adam, clipByGlobalNorm, sgd } from "../plugins/optimizers/mod.ts";

/** A vector of plain numbers. */
export type Vector = readonly number[];

/**
 * The fixed problem: f(x) = ½ (x − x*)ᵀ A (x − x*) in three variables. The
 * suite holds x as the parameter tree `{ w: [x₀, x₁], b: x₂ }` (b of rank 0),
 * so leaves of two ranks and a record are exercised.
 */
export interface ReferenceProblem {
  /** The starting point x₀. */
  readonly x0: Vector;
  /** The minimizer x*. */
  readonly xStar: Vector;
  /** The symmetric positive definite A, which is also the Hessian. */
  readonly hessian: readonly Vector[];
  /** f(x). */
  loss(x: Vector): number;
  /** ∇f(x) = A(x − x*). */
  grad(x: Vector): number[];
  /** The Hessian-vector product A·v (the same at every x). */
  hvp(x: Vector, v: Vector): number[];
}

const A: readonly Vector[] = [[3, 0.5, 0], [0.5, 2, 0.25], [0, 0.25, 1]];
const X_STAR: Vector = [1, -2, 0.5];

function matVec(m: readonly Vector[], v: Vector): number[] {
  return m.map((row) => row.reduce((s, a, j) => s + a * v[j], 0));
}

/** The problem every reference is written for. */
export const referenceProblem: ReferenceProblem = {
  x0: [0.5, 1, -1],
  xStar: X_STAR,
  hessian: A,
  loss(x) {
    const d = x.map((xi, i) => xi - X_STAR[i]);
    return 0.5 * d.reduce((s, di, i) => s + di * matVec(A, d)[i], 0);
  },
  grad(x) {
    return matVec(A, x.map((xi, i) => xi - X_STAR[i]));
  },
  hvp(_x, v) {
    return matVec(A, v);
  },
};

/** One reference run: options for the plugin and the points it must reach. */
export interface ReferenceCase {
  /** What the case exercises, for the test name ("defaults", "with momentum"…). */
  readonly label: string;
  /** The plugin's options (given to `registry.create`). */
  readonly options: Record<string, unknown>;
  /** The points after steps 1, 2 and 3 from `problem.x0`, by plain-number arithmetic. */
  steps(problem: ReferenceProblem): number[][];
  /** Relative tolerance on each step's change (default 1e-9; the absolute floor is 1e-13). */
  readonly tolerance?: number;
}

/** A bad option value and the error it must raise. */
export interface InvalidOption {
  /** The options given. */
  readonly options: Record<string, unknown>;
  /** The error class. */
  readonly name: "RangeError" | "TypeError";
  /** The exact message. */
  readonly message: string;
}

/** What the conformance suite knows about one optimizer plugin. */
export interface OptimizerFixture {
  /** Options for the suite's generic checks (no mutation, descent, state round trip). @default {{}} */
  readonly options?: Record<string, unknown>;
  /** Steps `minimize` runs in the descent check. @default {100} */
  readonly descentSteps?: number;
  /**
   * A gradient transformation rather than a descent method (its updates point
   * uphill): the descent check runs it chained before plain gradient descent.
   */
  readonly transform?: boolean;
  /** At least one hand-computed reference run. */
  readonly reference: readonly ReferenceCase[];
  /** Option values it must reject, beyond the generic checks. */
  readonly invalid?: readonly InvalidOption[];
}

// ------------------------------------------------------------ plain-number helpers

const STEPS = 3;
const zerosOf = (v: Vector) => v.map(() => 0);

/** Runs `step` three times from x₀ and collects the points. */
function run(problem: ReferenceProblem, step: (x: number[], g: number[], k: number) => number[]): number[][] {
  const out: number[][] = [];
  let x = [...problem.x0];
  for (let k = 0; k < STEPS; k++) {
    x = step(x, problem.grad(x), k);
    out.push(x);
  }
  return out;
}

/** PyTorch SGD: g += λθ; b = g (first) or μb + (1 − τ)g; d = g + μb (Nesterov) or b; θ −= η_k·d. */
function sgdSteps(
  o: { lr: number | ((k: number) => number); mu?: number; tau?: number; nesterov?: boolean; wd?: number },
): (p: ReferenceProblem) => number[][] {
  return (p) => {
    let b: number[] | null = null;
    const mu = o.mu ?? 0, tau = o.tau ?? 0, wd = o.wd ?? 0;
    return run(p, (x, grad, k) => {
      const lr = typeof o.lr === "function" ? o.lr(k) : o.lr;
      const g = grad.map((gi, i) => gi + wd * x[i]);
      let d = g;
      if (mu !== 0) {
        const prev: number[] | null = b;
        b = prev === null ? [...g] : prev.map((bi, i) => mu * bi + (1 - tau) * g[i]);
        const buf = b;
        d = o.nesterov ? g.map((gi, i) => gi + mu * buf[i]) : buf;
      }
      return x.map((xi, i) => xi - lr * d[i]);
    });
  };
}

/** Seed 000's momentum: Δθ = η·g + γ·Δθ_prev, θ ← θ − Δθ (constant η). */
function seedMomentumSteps(eta: number, gamma: number): (p: ReferenceProblem) => number[][] {
  return (p) => {
    let delta = zerosOf(p.x0);
    return run(p, (x, g) => {
      delta = g.map((gi, i) => eta * gi + gamma * delta[i]);
      return x.map((xi, i) => xi - delta[i]);
    });
  };
}

/** Adam as Kingma and Ba's Algorithm 1 (seed 000), with PyTorch's coupled or decoupled decay and AMSGrad. */
function adamSteps(o: {
  lr: number | ((k: number) => number);
  b1?: number;
  b2?: number;
  eps?: number;
  wd?: number;
  decoupled?: boolean;
  amsgrad?: boolean;
}): (p: ReferenceProblem) => number[][] {
  return (p) => {
    const b1 = o.b1 ?? 0.9, b2 = o.b2 ?? 0.999, eps = o.eps ?? 1e-8, wd = o.wd ?? 0;
    let m = zerosOf(p.x0), v = zerosOf(p.x0), vMax = zerosOf(p.x0);
    return run(p, (x, grad, k) => {
      const t = k + 1;
      const lr = typeof o.lr === "function" ? o.lr(k) : o.lr;
      const theta = o.decoupled ? x.map((xi) => xi * (1 - lr * wd)) : x;
      const g = o.decoupled ? grad : grad.map((gi, i) => gi + wd * x[i]);
      m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]);
      v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i] * g[i]);
      vMax = vMax.map((a, i) => Math.max(a, v[i]));
      const second = o.amsgrad ? vMax : v;
      return theta.map((th, i) => {
        const mHat = m[i] / (1 - b1 ** t);
        const vHat = second[i] / (1 - b2 ** t);
        return th - lr * mHat / (Math.sqrt(vHat) + eps);
      });
    });
  };
}

/** Duchi et al.'s AdaGrad with PyTorch's lr decay, weight decay and initial accumulator. */
function adagradSteps(o: { lr: number; decay?: number; wd?: number; init?: number; eps?: number }) {
  return (p: ReferenceProblem): number[][] => {
    const decay = o.decay ?? 0, wd = o.wd ?? 0, eps = o.eps ?? 1e-10;
    let G = p.x0.map(() => o.init ?? 0);
    return run(p, (x, grad, k) => {
      const g = grad.map((gi, i) => gi + wd * x[i]);
      G = G.map((s, i) => s + g[i] * g[i]);
      const lr = o.lr / (1 + k * decay);
      return x.map((xi, i) => xi - lr * g[i] / (Math.sqrt(G[i]) + eps));
    });
  };
}

/** Zeiler's AdaDelta (Algorithm 1) scaled by η, with PyTorch's weight decay. */
function adadeltaSteps(o: { lr?: number; rho?: number; eps?: number; wd?: number }) {
  return (p: ReferenceProblem): number[][] => {
    const lr = o.lr ?? 1, rho = o.rho ?? 0.9, eps = o.eps ?? 1e-6, wd = o.wd ?? 0;
    let Eg = zerosOf(p.x0), Ed = zerosOf(p.x0);
    return run(p, (x, grad) => {
      const g = grad.map((gi, i) => gi + wd * x[i]);
      Eg = Eg.map((e, i) => rho * e + (1 - rho) * g[i] ** 2);
      const dx = g.map((gi, i) => (Math.sqrt(Ed[i] + eps) / Math.sqrt(Eg[i] + eps)) * gi);
      Ed = Ed.map((e, i) => rho * e + (1 - rho) * dx[i] ** 2);
      return x.map((xi, i) => xi - lr * dx[i]);
    });
  };
}

/** RMSProp as in PyTorch: ε after the square root; centered variance; momentum on the normalized step. */
function rmspropSteps(o: { lr: number; alpha?: number; eps?: number; mu?: number; centered?: boolean; wd?: number }) {
  return (p: ReferenceProblem): number[][] => {
    const alpha = o.alpha ?? 0.99, eps = o.eps ?? 1e-8, mu = o.mu ?? 0, wd = o.wd ?? 0;
    let s = zerosOf(p.x0), gBar = zerosOf(p.x0), b = zerosOf(p.x0);
    return run(p, (x, grad) => {
      const g = grad.map((gi, i) => gi + wd * x[i]);
      s = s.map((si, i) => alpha * si + (1 - alpha) * g[i] * g[i]);
      gBar = gBar.map((mi, i) => alpha * mi + (1 - alpha) * g[i]);
      const r = s.map((si, i) => Math.sqrt(o.centered ? si - gBar[i] ** 2 : si) + eps);
      if (mu > 0) {
        b = b.map((bi, i) => mu * bi + g[i] / r[i]);
        return x.map((xi, i) => xi - o.lr * b[i]);
      }
      return x.map((xi, i) => xi - o.lr * g[i] / r[i]);
    });
  };
}

/** g · min(1, c/‖g‖). */
function clip(g: number[], maxNorm: number): number[] {
  const norm = Math.sqrt(g.reduce((s, gi) => s + gi * gi, 0));
  const scale = Math.min(1, maxNorm / norm);
  return g.map((gi) => gi * scale);
}

const invalidRange = (plugin: string, option: string, range: string, value: unknown): InvalidOption => ({
  options: { [option]: value },
  name: "RangeError",
  message: `Cannot create optimizer "${plugin}" as ${option} must be ${range}: current value is ${value}`,
});

const inverseTime = (k: number) => 0.1 / (1 + k);

// ------------------------------------------------------------ the fixtures

/** The reference fixture of every built-in optimizer, keyed by plugin name. */
export const optimizerFixtures: Record<string, OptimizerFixture> = {
  "sgd": {
    options: { learningRate: 0.1 },
    reference: [
      { label: "plain gradient descent", options: { learningRate: 0.1 }, steps: sgdSteps({ lr: 0.1 }) },
      {
        label: "momentum, dampening and weight decay",
        options: { learningRate: 0.1, momentum: 0.9, dampening: 0.5, weightDecay: 0.1 },
        steps: sgdSteps({ lr: 0.1, mu: 0.9, tau: 0.5, wd: 0.1 }),
      },
      {
        label: "Nesterov with weight decay",
        options: { learningRate: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.01 },
        steps: sgdSteps({ lr: 0.05, mu: 0.8, nesterov: true, wd: 0.01 }),
      },
      {
        label: "a 1/k schedule",
        options: { learningRate: inverseTime },
        steps: sgdSteps({ lr: inverseTime }),
      },
    ],
    invalid: [invalidRange("sgd", "dampening", "a number in [0, 1]", 2)],
  },
  "momentum": {
    options: { learningRate: 0.05 },
    reference: [
      { label: "defaults (seed 000's rule)", options: {}, steps: seedMomentumSteps(1e-3, 0.9) },
      { label: "seed 000's rule, η = 0.1", options: { learningRate: 0.1 }, steps: seedMomentumSteps(0.1, 0.9) },
      {
        label: "dampening and weight decay",
        options: { learningRate: 0.1, momentum: 0.5, dampening: 0.25, weightDecay: 0.2 },
        steps: sgdSteps({ lr: 0.1, mu: 0.5, tau: 0.25, wd: 0.2 }),
      },
      {
        label: "a 1/k schedule",
        options: { learningRate: inverseTime, momentum: 0.9 },
        steps: sgdSteps({ lr: inverseTime, mu: 0.9 }),
      },
    ],
    invalid: [invalidRange("momentum", "momentum", "a number in [0, ∞)", -0.5)],
  },
  "nesterov": {
    options: { learningRate: 0.05 },
    reference: [
      { label: "defaults", options: {}, steps: sgdSteps({ lr: 1e-3, mu: 0.9, nesterov: true }) },
      {
        label: "momentum 0.5 and weight decay",
        options: { learningRate: 0.1, momentum: 0.5, weightDecay: 0.1 },
        steps: sgdSteps({ lr: 0.1, mu: 0.5, nesterov: true, wd: 0.1 }),
      },
    ],
    invalid: [invalidRange("nesterov", "momentum", "a number in (0, ∞)", 0)],
  },
  "adagrad": {
    options: { learningRate: 0.5 },
    reference: [
      { label: "defaults", options: {}, steps: adagradSteps({ lr: 1e-2 }) },
      {
        label: "every option",
        options: { learningRate: 0.1, lrDecay: 0.5, weightDecay: 0.1, initialAccumulatorValue: 0.2, epsilon: 0.01 },
        steps: adagradSteps({ lr: 0.1, decay: 0.5, wd: 0.1, init: 0.2, eps: 0.01 }),
      },
    ],
    invalid: [invalidRange("adagrad", "initialAccumulatorValue", "a number in [0, ∞)", -1)],
  },
  "adadelta": {
    options: { learningRate: 1, epsilon: 0.01 },
    reference: [
      { label: "defaults (Zeiler's Algorithm 1)", options: {}, steps: adadeltaSteps({}) },
      {
        label: "every option",
        options: { learningRate: 0.5, rho: 0.5, epsilon: 0.01, weightDecay: 0.1 },
        steps: adadeltaSteps({ lr: 0.5, rho: 0.5, eps: 0.01, wd: 0.1 }),
      },
    ],
    invalid: [invalidRange("adadelta", "rho", "a number in [0, 1]", 1.5)],
  },
  "rmsprop": {
    options: { learningRate: 0.05 },
    reference: [
      { label: "defaults", options: {}, steps: rmspropSteps({ lr: 1e-2 }) },
      {
        label: "momentum",
        options: { learningRate: 0.05, alpha: 0.9, epsilon: 0.01, momentum: 0.5 },
        steps: rmspropSteps({ lr: 0.05, alpha: 0.9, eps: 0.01, mu: 0.5 }),
      },
      {
        label: "centered with momentum and weight decay",
        options: { learningRate: 0.05, alpha: 0.9, epsilon: 0.01, momentum: 0.5, centered: true, weightDecay: 0.1 },
        steps: rmspropSteps({ lr: 0.05, alpha: 0.9, eps: 0.01, mu: 0.5, centered: true, wd: 0.1 }),
      },
    ],
    invalid: [invalidRange("rmsprop", "alpha", "a number in [0, 1]", -0.1)],
  },
  "adam": {
    options: { learningRate: 0.1 },
    reference: [
      { label: "defaults (seed 000's Algorithm 1)", options: {}, steps: adamSteps({ lr: 1e-3 }) },
      {
        label: "a large ε and coupled weight decay",
        options: { learningRate: 0.1, beta1: 0.5, beta2: 0.75, epsilon: 0.1, weightDecay: 0.1 },
        steps: adamSteps({ lr: 0.1, b1: 0.5, b2: 0.75, eps: 0.1, wd: 0.1 }),
      },
      {
        label: "AMSGrad",
        options: { learningRate: 0.5, beta2: 0.5, amsgrad: true },
        steps: adamSteps({ lr: 0.5, b2: 0.5, amsgrad: true }),
      },
      {
        label: "a 1/k schedule",
        options: { learningRate: inverseTime },
        steps: adamSteps({ lr: inverseTime }),
      },
    ],
    invalid: [
      invalidRange("adam", "beta1", "a number in [0, 1)", 1),
      invalidRange("adam", "beta2", "a number in [0, 1)", -0.1),
      invalidRange("adam", "epsilon", "a number in [0, ∞)", -1e-8),
    ],
  },
  "adamw": {
    options: { learningRate: 0.1 },
    reference: [
      { label: "defaults", options: {}, steps: adamSteps({ lr: 1e-3, wd: 1e-2, decoupled: true }) },
      {
        label: "strong decay with AMSGrad",
        options: { learningRate: 0.1, weightDecay: 0.5, beta2: 0.5, amsgrad: true },
        steps: adamSteps({ lr: 0.1, wd: 0.5, b2: 0.5, decoupled: true, amsgrad: true }),
      },
    ],
    invalid: [invalidRange("adamw", "weightDecay", "a number in [0, ∞)", -0.01)],
  },
  "clip-by-global-norm": {
    options: { maxNorm: 1 },
    transform: true,
    reference: [
      {
        label: "clipping (updates are the clipped gradients)",
        options: { maxNorm: 1 },
        steps: (p) => run(p, (x, g) => clip(g, 1).map((gi, i) => x[i] + gi)),
      },
      {
        label: "a norm below maxNorm (unchanged gradients)",
        options: { maxNorm: 100 },
        steps: (p) => run(p, (x, g) => x.map((xi, i) => xi + g[i])),
      },
    ],
    invalid: [invalidRange("clip-by-global-norm", "maxNorm", "a number in (0, ∞)", 0)],
  },
  "chain": {
    options: { transforms: [clipByGlobalNorm({ maxNorm: 1 }), adam({ learningRate: 0.1 })] },
    reference: [
      {
        label: "clip then SGD with momentum",
        options: { transforms: [clipByGlobalNorm({ maxNorm: 1 }), sgd({ learningRate: 0.1, momentum: 0.9 })] },
        steps: (p) => {
          let b: number[] | null = null;
          return run(p, (x, grad) => {
            const g = clip(grad, 1);
            const prev: number[] | null = b;
            const buf = prev === null ? g : prev.map((bi, i) => 0.9 * bi + g[i]);
            b = buf;
            return x.map((xi, i) => xi - 0.1 * buf[i]);
          });
        },
      },
      {
        label: "a single optimizer (Adam)",
        options: { transforms: [adam({ learningRate: 0.1 })] },
        steps: adamSteps({ lr: 0.1 }),
      },
    ],
    invalid: [
      {
        options: { transforms: [] },
        name: "RangeError",
        message: 'Cannot create optimizer "chain" as transforms must hold at least one optimizer: current length is 0',
      },
      {
        options: { transforms: [sgd(), 3] },
        name: "TypeError",
        message:
          'Cannot create optimizer "chain" as transforms[1] must be an optimizer (an object with init and update functions): current value is 3',
      },
    ],
  },
  // Second-order methods (issue 4): plain-number rules in the "second-order references" section below.
  "newton": {
    reference: [
      { label: "defaults: x ← x − A⁻¹g, on the minimum after one step", options: {}, steps: newtonSteps(0) },
      {
        label: "modified factorization and line search (A ≻ 0: the same steps)",
        options: { indefinite: "modify", lineSearch: true },
        steps: newtonSteps(0),
      },
    ],
    invalid: [invalidRange("newton", "curvatureFloor", "a number in (0, 1]", 0)],
  },
  "damped-newton": {
    reference: [
      { label: "defaults: x ← x − (A + I)⁻¹g", options: {}, steps: newtonSteps(1) },
      { label: "α = 0.25", options: { damping: 0.25 }, steps: newtonSteps(0.25) },
      {
        label: "Levenberg–Marquardt, α₀ = 1, ν = 10",
        options: { adaptive: true },
        steps: levenbergMarquardtSteps(1, 10),
      },
    ],
    invalid: [invalidRange("damped-newton", "damping", "a number in [0, ∞)", -1)],
  },
  "bfgs": {
    reference: [{ label: "defaults", options: {}, steps: bfgsSteps }],
    invalid: [{
      options: { c1: 0.95 },
      name: "RangeError",
      message:
        'Cannot create optimizer "bfgs" as c1 must be less than c2 (0 < c1 < c2 < 1): current values are c1 0.95, c2 0.9',
    }],
  },
  "lbfgs": {
    reference: [
      { label: "defaults", options: {}, steps: lbfgsSteps(1, 10) },
      {
        label: "lr 0.5 and a history of 1 pair",
        options: { learningRate: 0.5, historySize: 1 },
        steps: lbfgsSteps(0.5, 1),
      },
    ],
    invalid: [invalidRange("lbfgs", "historySize", "an integer in [1, ∞)", 0)],
  },
  "hessian-free": {
    reference: [
      { label: "defaults (truncated CG, warm start, LM damping)", options: {}, steps: hessianFreeSteps({}) },
      {
        label: "λ = 0 and a tight CG tolerance: on the minimum after one step",
        options: { damping: 0, cgTolerance: 1e-12 },
        steps: hessianFreeSteps({ damping: 0, cgTolerance: 1e-12 }),
      },
      {
        label: "fixed λ = 0.5, no warm start",
        options: { damping: 0.5, adaptive: false, warmStart: 0 },
        steps: hessianFreeSteps({ damping: 0.5, adaptive: false, warmStart: 0 }),
      },
    ],
    invalid: [invalidRange("hessian-free", "warmStart", "a number in [0, 1]", 1.5)],
  },
  "conjugate-gradient": {
    reference: [
      { label: "defaults (Polak–Ribière+, c₂ = 0.1)", options: {}, steps: conjugateGradientSteps(false) },
      {
        label: "curvatureStep: exact searches, linear CG, on the minimum after 3 steps",
        options: { curvatureStep: true },
        steps: conjugateGradientSteps(true),
      },
    ],
    invalid: [invalidRange("conjugate-gradient", "c2", "a number in (0, 1)", 1)],
  },
};

// ------------------------------------------------------------ second-order references (issue 4)

const dotOf = (a: Vector, b: Vector): number => a.reduce((s, ai, i) => s + ai * b[i], 0);
const l1Of = (a: Vector): number => a.reduce((s, ai) => s + Math.abs(ai), 0);

/** Solves M·x = b by Gaussian elimination with partial pivoting. */
function gaussSolve(m: readonly Vector[], b: Vector): number[] {
  const n = b.length;
  const a = m.map((row, i) => [...row, b[i]]);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i][k]) > Math.abs(a[p][k])) p = i;
    [a[k], a[p]] = [a[p], a[k]];
    for (let i = k + 1; i < n; i++) {
      const f = a[i][k] / a[k][k];
      for (let j = k; j <= n; j++) a[i][j] -= f * a[k][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = a[i][n];
    for (let j = i + 1; j < n; j++) s -= a[i][j] * x[j];
    x[i] = s / a[i][i];
  }
  return x;
}

/** M + αI. */
function shifted(m: readonly Vector[], alpha: number): number[][] {
  return m.map((row, i) => row.map((v, j) => v + (i === j ? alpha : 0)));
}

/**
 * The step a strong-Wolfe search (N&W Algorithms 3.5/3.6 with cubic
 * interpolation) takes on a quadratic φ(t) = φ(0) + t·s + ½t²·c: the first trial
 * t₀ when both conditions hold there, else the cubic through (0, t₀), which on a
 * quadratic is its exact minimizer t* = −s/c (a case where bracketing would clamp
 * t* to [1.01·t₀, 10·t₀] is outside what this reference covers, and throws).
 */
function wolfeStepOnQuadratic(t0: number, s: number, c: number, c1: number, c2: number): number {
  const rise = t0 * s + 0.5 * t0 * t0 * c, slope = s + t0 * c;
  const armijo = rise <= c1 * t0 * s;
  if (armijo && Math.abs(slope) <= -c2 * s) return t0;
  const tStar = -s / c;
  if (armijo && slope < 0 && (tStar < 1.01 * t0 || tStar > 10 * t0)) {
    throw new Error(`the reference line search does not cover t0 = ${t0}, t* = ${tStar}`);
  }
  return tStar;
}

/** Newton (α = 0) or damped Newton with fixed α: x ← x − (A + αI)⁻¹g. */
function newtonSteps(alpha: number): (p: ReferenceProblem) => number[][] {
  return (p) => run(p, (x, g) => gaussSolve(shifted(p.hessian, alpha), g).map((d, i) => x[i] - d));
}

/** Levenberg–Marquardt: try x − (A + αI)⁻¹g; keep it and α ← α/ν if the loss drops, else α ← αν and retry. */
function levenbergMarquardtSteps(alpha0: number, nu: number): (p: ReferenceProblem) => number[][] {
  return (p) => {
    let alpha = alpha0;
    return run(p, (x, g) => {
      for (let trial = 0; trial < 10; trial++) {
        const next = gaussSolve(shifted(p.hessian, alpha), g).map((d, i) => x[i] - d);
        if (p.loss(next) < p.loss(x)) {
          alpha /= nu;
          return next;
        }
        alpha *= nu;
      }
      return x;
    });
  };
}

/** BFGS (N&W Algorithm 6.1): H ← VᵀHV + ρssᵀ with V = I − ρysᵀ; H₀ = (yᵀs/yᵀy)I before the first update. */
function bfgsSteps(p: ReferenceProblem): number[][] {
  const n = p.x0.length;
  let h: number[][] | null = null, prevG: number[] | null = null, prevS: number[] | null = null;
  return run(p, (x, g, k) => {
    if (prevG !== null && prevS !== null) {
      const s = prevS, y = g.map((gi, i) => gi - prevG![i]);
      const ys = dotOf(y, s);
      if (ys > 1e-10) {
        const rho = 1 / ys;
        const h0 = h ?? p.x0.map((_, i) => p.x0.map((_, j) => (i === j ? ys / dotOf(y, y) : 0)));
        const v = y.map((yi, i) => s.map((sj, j) => (i === j ? 1 : 0) - rho * yi * sj));
        const hv = h0.map((row) => v[0].map((_, j) => row.reduce((acc, hik, kk) => acc + hik * v[kk][j], 0)));
        h = v[0].map((_, i) =>
          v[0].map((_, j) => {
            let acc = rho * s[i] * s[j];
            for (let kk = 0; kk < n; kk++) acc += v[kk][i] * hv[kk][j];
            return acc;
          })
        );
      }
    }
    const d = (h === null ? g : matVec(h, g)).map((v) => -v);
    const slope = dotOf(g, d), c = dotOf(d, p.hvp(x, d));
    const t = wolfeStepOnQuadratic(k === 0 ? Math.min(1, 1 / l1Of(g)) : 1, slope, c, 1e-4, 0.9);
    prevG = g;
    prevS = d.map((di) => t * di);
    return x.map((xi, i) => xi + t * d[i]);
  });
}

/** L-BFGS (N&W Algorithm 7.4, PyTorch's first trial min(1, 1/‖g‖₁)·lr, then lr). */
function lbfgsSteps(lr: number, m: number): (p: ReferenceProblem) => number[][] {
  return (p) => {
    const ss: number[][] = [], ys: number[][] = [];
    let gamma = 1, prevG: number[] | null = null, prevS: number[] | null = null;
    return run(p, (x, g, k) => {
      if (prevG !== null && prevS !== null) {
        const y = g.map((gi, i) => gi - prevG![i]);
        if (dotOf(y, prevS) > 1e-10) {
          if (ss.length === m) {
            ss.shift();
            ys.shift();
          }
          ss.push(prevS);
          ys.push(y);
          gamma = dotOf(y, prevS) / dotOf(y, y);
        }
      }
      let q = [...g];
      const a: number[] = [];
      for (let i = ss.length - 1; i >= 0; i--) {
        a[i] = dotOf(ss[i], q) / dotOf(ys[i], ss[i]);
        q = q.map((qj, j) => qj - a[i] * ys[i][j]);
      }
      let r = q.map((qj) => gamma * qj);
      for (let i = 0; i < ss.length; i++) {
        const b = dotOf(ys[i], r) / dotOf(ys[i], ss[i]);
        r = r.map((rj, j) => rj + ss[i][j] * (a[i] - b));
      }
      const d = r.map((v) => -v);
      const slope = dotOf(g, d), c = dotOf(d, p.hvp(x, d));
      const t = wolfeStepOnQuadratic(k === 0 ? Math.min(1, 1 / l1Of(g)) * lr : lr, slope, c, 1e-4, 0.9);
      prevG = g;
      prevS = d.map((di) => t * di);
      return x.map((xi, i) => xi + t * d[i]);
    });
  };
}

/** Polak–Ribière+ CG with restarts every n and by Powell's test; c₂ = 0.1; first trials N&W 3.60 or −gᵀd/dᵀAd. */
function conjugateGradientSteps(curvatureStep: boolean): (p: ReferenceProblem) => number[][] {
  return (p) => {
    let prevG: number[] | null = null, prevD: number[] | null = null, prevT = 0, prevSlope = 0, since = 0;
    return run(p, (x, g, k) => {
      let d: number[] | null = null;
      if (prevG !== null && prevD !== null && prevT > 0 && since < p.x0.length) {
        const gPrev = prevG, dPrev = prevD;
        if (Math.abs(dotOf(g, gPrev)) < 0.1 * dotOf(g, g)) {
          const beta = Math.max(0, dotOf(g, g.map((gi, i) => gi - gPrev[i])) / dotOf(gPrev, gPrev));
          d = g.map((gi, i) => -gi + beta * dPrev[i]);
          if (dotOf(g, d) >= 0) d = null;
        }
      }
      if (d === null) {
        d = g.map((gi) => -gi);
        since = 0;
      }
      const slope = dotOf(g, d), c = dotOf(d, p.hvp(x, d));
      const t0 = curvatureStep ? -slope / c : k === 0 ? Math.min(1, 1 / l1Of(g)) : prevT * prevSlope / slope;
      const t = wolfeStepOnQuadratic(t0, slope, c, 1e-4, 0.1);
      prevG = g;
      prevD = d;
      prevT = t;
      prevSlope = slope;
      since++;
      return x.map((xi, i) => xi + t * d![i]);
    });
  };
}

/** Hessian-free (Martens 2010): truncated CG on (A + λI)p = −g, warm start, Armijo backtracking, LM rule for λ. */
function hessianFreeSteps(
  o: { damping?: number; adaptive?: boolean; cgTolerance?: number; warmStart?: number },
): (p: ReferenceProblem) => number[][] {
  return (p) => {
    let lambda = o.damping ?? 1, prevP: number[] | null = null;
    const zeta = o.warmStart ?? 0.95, adaptive = o.adaptive ?? true;
    return run(p, (x, g) => {
      const f0 = p.loss(x), gNorm = Math.sqrt(dotOf(g, g));
      const tol = (o.cgTolerance ?? Math.min(0.5, Math.sqrt(gNorm))) * gNorm;
      const damped = (v: Vector) => p.hvp(x, v).map((bv, i) => bv + lambda * v[i]);
      let sol = g.map(() => 0), r = g.map((gi) => -gi);
      if (zeta > 0 && prevP !== null) {
        const p0 = prevP.map((v) => zeta * v);
        if (dotOf(p0, g) < 0) {
          const ap0 = damped(p0);
          sol = p0;
          r = g.map((gi, i) => -gi - ap0[i]);
        }
      }
      let d = [...r], rr = dotOf(r, r);
      for (let it = 0; Math.sqrt(rr) > tol && it < 250; it++) {
        const ad = damped(d);
        const alpha = rr / dotOf(d, ad);
        sol = sol.map((si, i) => si + alpha * d[i]);
        r = r.map((ri, i) => ri - alpha * ad[i]);
        const next = dotOf(r, r);
        d = r.map((ri, i) => ri + (next / rr) * d[i]);
        rr = next;
      }
      const gp = dotOf(g, sol);
      const rho = (p.loss(x.map((xi, i) => xi + sol[i])) - f0) / (gp + 0.5 * dotOf(sol, p.hvp(x, sol)));
      let t = 1;
      while (p.loss(x.map((xi, i) => xi + t * sol[i])) > f0 + 1e-2 * t * gp) t *= 0.8;
      if (adaptive) lambda = rho < 0.25 ? lambda * 1.5 : rho > 0.75 ? lambda * (2 / 3) : lambda;
      prevP = sol;
      return x.map((xi, i) => xi + t * sol[i]);
    });
  };
}
