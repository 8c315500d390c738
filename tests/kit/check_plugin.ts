/**
 * `checkPlugin`: the conformance checks the built-in plugins pass, in one call,
 * for a third-party plugin author's own `Deno.test`.
 *
 * @module
 */

import { grad, hvp, valueAndGrad } from "../../core/autodiff.ts";
import { type Backend, jsBackend } from "../../core/backend.ts";
import type {
  CreateContext,
  Initializer,
  Layer,
  Loss,
  Metric,
  MetricValue,
  Optimizer,
  Plugin,
  Regularizer,
  Scheduler,
  StateValue,
  UpdateContext,
} from "../../core/interfaces.ts";
import { concat, matmul, mul, reshape, sub, sum } from "../../core/ops/mod.ts";
import { Random } from "../../core/random.ts";
import { validatePlugin } from "../../core/registry.ts";
import { type DType, Tensor, tensor } from "../../core/tensor.ts";
import { applyUpdates, flattenTree, type Tree } from "../../core/tree.ts";
import { createRegistry } from "../../plugins/mod.ts";
import { minimize } from "../../train/minimize.ts";
import { decodeState, encodeState, type JsonValue } from "../../train/serialize.ts";
import { gradcheck, gradgradcheck } from "./gradcheck.ts";

/** Options of {@linkcode checkPlugin}. */
export interface CheckPluginOptions {
  /** The options to create the plugin with (an optimizer's learning rate suited to a small quadratic, say). @default {{}} */
  options?: Record<string, unknown>;
  /**
   * The plugin claims second-order support: for a loss, layer or penalty, its
   * Hessian-vector products are checked against differences of the gradient; for
   * an optimizer, it must use the update context `minimize` supplies (`hvp` or
   * `evaluate`) and fail with a clear message without it. @default {false}
   */
  secondOrder?: boolean;
  /** Seed of every random draw (inputs, parameters, directions). @default {0} */
  seed?: number;
  /** Random points per derivative check. @default {5} */
  cases?: number;
  /** Loss inputs for one case. @default {predictions ~ N(0, 1) and targets ~ U(0, 1), both of shape [4, 3]} */
  lossInputs?: (rng: Random) => { predictions: Tensor; targets: Tensor };
  /**
   * Metric inputs for one case (at least two samples).
   * @default {predictions ~ N(0, 1) of shape [8, 3] and class indices in {0, 1, 2}}
   */
  metricInputs?: (rng: Random) => { predictions: Tensor; targets: Tensor };
  /** A layer's input shape for one sample (without the batch axis). @default {[3]} */
  inputShape?: number[];
  /** Steps in which an optimizer must at least halve the convex quadratic. @default {100} */
  steps?: number;
  /** More option sets the plugin must refuse, with the error `name` and a `message` pattern when given. */
  invalidOptions?: { options: Record<string, unknown>; name?: string; message?: string | RegExp }[];
  /** Where the report's lines go; `false` for none. @default {console.log} */
  log?: ((line: string) => void) | false;
}

/** One check and its outcome. */
export interface PluginCheck {
  /** What was checked, as a sentence. */
  name: string;
  /** Whether it passed. */
  ok: boolean;
  /** The measurement, or why it failed. */
  detail: string;
}

/** What {@linkcode checkPlugin} found. */
export interface CheckPluginReport {
  /** `kind "name"` of the plugin. */
  plugin: string;
  /** Whether every check passed. */
  ok: boolean;
  /** Every check, in order. */
  checks: PluginCheck[];
}

type _Checks = {
  run(name: string, fn: () => string | void): boolean;
};

let _sharedContext: CreateContext | undefined;

/** The context a registry of the built-ins passes to `create` (gradflow's API; the built-ins by name). */
function _context(): CreateContext {
  return _sharedContext ??= createRegistry().context;
}

function _fail(message: string): never {
  throw new Error(message);
}

function _snapshot(value: StateValue): { json: string; data: Float64Array[] } {
  const { json, tensors } = encodeState(value);
  return { json: JSON.stringify(json), data: tensors.map(([, t]) => Float64Array.from(t.data)) };
}

function _sameSnapshot(a: ReturnType<typeof _snapshot>, b: ReturnType<typeof _snapshot>): string | null {
  if (a.json !== b.json) return "the structure or a scalar changed";
  if (a.data.length !== b.data.length) return "the number of tensors changed";
  for (let i = 0; i < a.data.length; i++) {
    for (let j = 0; j < a.data[i].length; j++) {
      if (!Object.is(a.data[i][j], b.data[i][j])) {
        return `tensor ${i} element ${j} went from ${b.data[i][j]} to ${a.data[i][j]}`;
      }
    }
  }
  return null;
}

function _assertUnchanged(after: StateValue, before: ReturnType<typeof _snapshot>, what: string): void {
  const difference = _sameSnapshot(_snapshot(after), before);
  if (difference !== null) _fail(`${what} was mutated: ${difference}`);
}

function _assertSame(a: StateValue, b: StateValue, what: string): void {
  const difference = _sameSnapshot(_snapshot(a), _snapshot(b));
  if (difference !== null) _fail(`${what} differ: ${difference}`);
}

function _normal(shape: number[], rng: Random, scale = 1): Tensor {
  const n = shape.reduce((p, k) => p * k, 1);
  return tensor(Float64Array.from({ length: n }, () => scale * rng.normal()), shape);
}

function _roundTrip(state: StateValue): StateValue {
  const { json, tensors } = encodeState(state);
  // As a checkpoint would: the JSON part through text, the tensors copied out and back.
  const copies = tensors.map(([name, t]) => [name, new Tensor(t.data.slice(), t.shape)] as const);
  return decodeState(JSON.parse(JSON.stringify(json)) as JsonValue, copies);
}

function _allFinite(t: Tensor): boolean {
  return t.data.every(Number.isFinite);
}

/** Creating with bad option values must throw the kind of error the built-ins throw, naming the option. */
function _checkOptions(checks: _Checks, plugin: Plugin, base: Record<string, unknown>, options: CheckPluginOptions) {
  const owner = `Cannot create ${plugin.kind} "${plugin.name}" as`;
  const refuse = (opts: Record<string, unknown>, name: string, ...parts: string[]) => {
    let error: unknown;
    try {
      plugin.create(opts, _context());
    } catch (e) {
      error = e;
    }
    if (error === undefined) _fail(`${JSON.stringify(opts, (_k, v) => Number.isNaN(v) ? "NaN" : v)} was accepted`);
    const e = error as Error;
    if (e.name !== name) _fail(`${JSON.stringify(opts)} threw ${e.name} (expected ${name}): ${e.message}`);
    for (const part of [owner, ...parts]) {
      if (!String(e.message).includes(part)) _fail(`the message "${e.message}" must include "${part}"`);
    }
  };
  checks.run("rejects an unknown option with a TypeError naming it", () => {
    refuse({ ...base, noSuchOption: 1 }, "TypeError", '"noSuchOption"');
  });
  const tried = Object.entries(plugin.defaults ?? {})
    .filter(([, value]) => ["number", "boolean", "string"].includes(typeof value))
    .map(([option]) => option);
  checks.run("rejects a value of the wrong type or range for each option in its defaults, naming it", () => {
    for (const [option, value] of Object.entries(plugin.defaults ?? {})) {
      if (typeof value === "number") refuse({ ...base, [option]: NaN }, "TypeError", option, "current value is NaN");
      if (typeof value === "boolean") {
        refuse({ ...base, [option]: "yes" }, "TypeError", option, 'current value is "yes"');
      }
      if (typeof value === "string") {
        refuse({ ...base, [option]: "no-such-choice" }, "RangeError", option, '"no-such-choice"');
      }
    }
    if (typeof plugin.defaults?.learningRate === "number") {
      refuse({ ...base, learningRate: -1 }, "RangeError", "learningRate", "current value is -1");
    }
    return tried.length ? `tried ${tried.join(", ")}` : "no numeric, boolean or string defaults to try";
  });
  for (const bad of options.invalidOptions ?? []) {
    checks.run(`rejects ${JSON.stringify(bad.options)}`, () => {
      let error: Error | undefined;
      try {
        plugin.create(bad.options, _context());
      } catch (e) {
        error = e as Error;
      }
      if (error === undefined) _fail("it was accepted");
      if (bad.name !== undefined && error.name !== bad.name) _fail(`threw ${error.name}, expected ${bad.name}`);
      const m = bad.message;
      if (m !== undefined && !(typeof m === "string" ? error.message === m : m.test(error.message))) {
        _fail(`the message "${error.message}" does not match ${m}`);
      }
      return `${error.name}: ${error.message}`;
    });
  }
}

function _checkLoss(checks: _Checks, plugin: Plugin<"loss">, base: Record<string, unknown>, o: CheckPluginOptions) {
  const inputs = o.lossInputs ??
    ((rng: Random) => {
      const predictions = _normal([4, 3], rng);
      const targets = tensor(Float64Array.from({ length: 12 }, () => rng.uniform(0, 1)), [4, 3]);
      return { predictions, targets };
    });
  const rng = new Random(o.seed ?? 0);
  const cases = Array.from({ length: o.cases ?? 5 }, () => inputs(rng));
  const make = (extra: Record<string, unknown> = {}) => plugin.create({ ...base, ...extra }, _context()) as Loss;
  checks.run("returns a finite scalar with its default reduction", () => {
    for (const { predictions, targets } of cases) {
      const value = make()(predictions, targets);
      if (!(value instanceof Tensor) || value.size !== 1) _fail(`the loss has shape [${value?.shape}]`);
      if (!_allFinite(value)) _fail(`the loss is ${value.data[0]}`);
    }
  });
  checks.run("gradient matches central differences", () => {
    for (const { predictions, targets } of cases) gradcheck((x: Tensor) => sum(make()(x, targets)), predictions);
    return `${cases.length} cases`;
  });
  if (o.secondOrder) {
    checks.run("Hessian-vector product matches differences of the gradient", () => {
      for (const { predictions, targets } of cases) {
        gradgradcheck((x: Tensor) => sum(make()(x, targets)), predictions, { atol: 1e-4, rtol: 1e-3 });
      }
      return `${cases.length} cases`;
    });
  }
  if (plugin.defaults !== undefined && "reduction" in plugin.defaults) {
    checks.run('reductions agree: "sum" = "mean"·N = Σ "none"', () => {
      for (const { predictions, targets } of cases) {
        const none = make({ reduction: "none" })(predictions, targets);
        const total = make({ reduction: "sum" })(predictions, targets).item();
        const average = make({ reduction: "mean" })(predictions, targets).item();
        const summed = Array.from(none.data).reduce((a, b) => a + b, 0);
        const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * (1 + Math.abs(b));
        if (!close(total, summed)) _fail(`sum ${total} but Σ none ${summed}`);
        if (!close(total, average * none.size)) _fail(`sum ${total} but mean·N ${average * none.size}`);
      }
    });
  }
  checks.run("does not mutate its predictions or targets", () => {
    for (const { predictions, targets } of cases) {
      const before = { p: _snapshot(predictions), t: _snapshot(targets) };
      make()(predictions, targets);
      grad((x: Tensor) => sum(make()(x, targets)))(predictions);
      _assertUnchanged(predictions, before.p, "predictions");
      _assertUnchanged(targets, before.t, "targets");
    }
  });
  checks.run("is deterministic", () => {
    for (const { predictions, targets } of cases) {
      _assertSame(make()(predictions, targets), make()(predictions, targets), "two evaluations");
    }
  });
}

function _checkLayer(checks: _Checks, plugin: Plugin<"layer">, base: Record<string, unknown>, o: CheckPluginOptions) {
  const seed = o.seed ?? 0;
  const inputShape = o.inputShape ?? [3];
  const layer = () => plugin.create(base, _context()) as Layer;
  let init: ReturnType<Layer["init"]> | undefined;
  if (
    !checks.run(`init makes params, state and an output shape for input shape [${inputShape}]`, () => {
      init = layer().init(inputShape, new Random(seed));
      flattenTree(init.params);
      flattenTree(init.state);
      const shape = init.outputShape;
      if (!Array.isArray(shape) || !shape.every((n) => Number.isInteger(n) && n >= 0)) {
        _fail(`outputShape must be an array of non-negative integers: current value is ${JSON.stringify(shape)}`);
      }
      return `output shape [${shape}], ${flattenTree(init.params).length} parameter tensors`;
    })
  ) return;
  const { params, state, outputShape } = init!;
  const rng = new Random(seed + 1);
  const batch = 3;
  const inputs = Array.from({ length: o.cases ?? 5 }, () => _normal([batch, ...inputShape], rng));
  const weights = _normal([batch, ...outputShape], rng);
  const apply = (p: Tree, x: Tensor, training: boolean) =>
    layer().apply(p, state, x, { training, rng: new Random(seed + 2) });
  checks.run("init is deterministic for a seed", () => {
    _assertSame(layer().init(inputShape, new Random(seed)).params, params, "two inits with the same seed");
  });
  checks.run(`apply gives outputs of shape [batch, ${outputShape}] in training and evaluation`, () => {
    for (const training of [false, true]) {
      const { output, state: next } = apply(params, inputs[0], training);
      const expected = [batch, ...outputShape];
      if (output.shape.join() !== expected.join()) {
        _fail(`training ${training}: the output has shape [${output.shape}], expected [${expected}]`);
      }
      const paths = (s: Tree) => flattenTree(s).map(([p, t]) => `${p}[${t.shape}]`).join();
      if (paths(next) !== paths(state)) _fail(`training ${training}: the state changed structure`);
    }
  });
  const objective = (tree: { input: Tensor; params: Tree }) =>
    sum(mul(apply(tree.params, tree.input, false).output, weights));
  const size = (t: Tree) => flattenTree(t).reduce((n, [, x]) => n + x.size, 0);
  const directions = size(params) + inputs[0].size > 200 ? 20 : 0;
  checks.run("backward matches central differences for the input and every parameter", () => {
    for (const input of inputs) gradcheck(objective, { input, params }, { directions, seed });
    return `${inputs.length} cases${directions ? `, ${directions} random directions each` : ""}`;
  });
  if (o.secondOrder) {
    checks.run("second derivatives match differences of the gradient", () => {
      for (const input of inputs) gradgradcheck(objective, { input, params }, { atol: 1e-4, rtol: 1e-3, seed });
      return `${inputs.length} cases`;
    });
  }
  checks.run("does not mutate its params, state or input", () => {
    const before = { p: _snapshot(params), s: _snapshot(state), x: _snapshot(inputs[0]) };
    apply(params, inputs[0], true);
    grad(objective)({ input: inputs[0], params });
    _assertUnchanged(params, before.p, "params");
    _assertUnchanged(state, before.s, "state");
    _assertUnchanged(inputs[0], before.x, "input");
  });
  checks.run("is deterministic", () => {
    for (const training of [false, true]) {
      _assertSame(apply(params, inputs[0], training).output, apply(params, inputs[0], training).output, "outputs");
    }
  });
}

/** f(x) = ½ (x − x*)ᵀ A (x − x*) with x = [w₀, w₁, b]: the built-in optimizer suite's kind of problem. */
const _A = tensor([[3, 0.5, 0], [0.5, 1, 0.2], [0, 0.2, 2]]);
const _X_STAR = tensor([[1], [-2], [0.5]]);
type _Params = { w: Tensor; b: Tensor };
function _quadratic(p: _Params): Tensor {
  const d = sub(reshape(concat([p.w, reshape(p.b, [1])]), [3, 1]), _X_STAR);
  return mul(sum(mul(d, matmul(_A, d))), 0.5);
}
const _x0 = (): _Params => ({ w: tensor([0.5, 1]), b: tensor(-1) });

/** The full update context for {@linkcode _quadratic}, as `minimize` builds it. */
function _quadraticContext(loss: number): UpdateContext {
  return {
    loss,
    evaluate: (x) => {
      const e = valueAndGrad(_quadratic)(x as _Params);
      return { loss: e.value.item(), grads: e.grad };
    },
    hvp: (x, v) => hvp(_quadratic, x as _Params, v as _Params),
  };
}

function _checkOptimizer(
  checks: _Checks,
  plugin: Plugin<"optimizer">,
  base: Record<string, unknown>,
  o: CheckPluginOptions,
) {
  const make = () => plugin.create(base, _context()) as Optimizer;
  const steps = o.steps ?? 100;
  /** `count` steps as `minimize` takes them (with the full update context). */
  const run = (opt: Optimizer, count: number, from?: { p: _Params; state: StateValue }) => {
    let p = from?.p ?? _x0();
    let state = from?.state ?? opt.init(p);
    const updates: Tree[] = [];
    for (let k = 0; k < count; k++) {
      const { value, grad: g } = valueAndGrad(_quadratic)(p);
      const r = opt.update(g, state, p, _quadraticContext(value.item()));
      updates.push(r.updates);
      p = applyUpdates(p, r.updates);
      state = r.state;
    }
    return { p, state, updates };
  };
  checks.run("keeps its state as plain data (tensors, numbers, strings, booleans, null, arrays, records)", () => {
    const opt = make();
    encodeState(opt.init(_x0()));
    encodeState(run(opt, 2).state);
  });
  checks.run("returns updates with the structure and shapes of the params", () => {
    const { updates } = run(make(), 1);
    const shapes = (t: Tree) => flattenTree(t).map(([path, x]) => `${path}[${x.shape}]`).join(", ");
    if (shapes(updates[0]) !== shapes(_x0())) _fail(`updates are ${shapes(updates[0])}, params ${shapes(_x0())}`);
  });
  checks.run("does not mutate its grads, params or state", () => {
    const opt = make();
    const { p, state } = run(opt, 2);
    const g = grad(_quadratic)(p);
    const before = { g: _snapshot(g), p: _snapshot(p), s: _snapshot(state) };
    run(opt, 1, { p, state });
    opt.update(g, state, p, _quadraticContext(_quadratic(p).item()));
    _assertUnchanged(g, before.g, "grads");
    _assertUnchanged(p, before.p, "params");
    _assertUnchanged(state, before.s, "state");
  });
  checks.run("computes the same steps when its grads and state are donated, and with step() if it has one", () => {
    const opt = make();
    const copy = <T extends StateValue>(value: T) => _roundTrip(value) as T;
    const plain = run(opt, 3);
    let p = _x0(), state = opt.init(p);
    for (let k = 0; k < 3; k++) {
      const { value, grad: g } = valueAndGrad(_quadratic)(p);
      const context = { ..._quadraticContext(value.item()), donate: true };
      if (opt.step !== undefined && k % 2 === 1) {
        // step() may write over p too: it gets a copy, as a caller that donates owns what it donates.
        const r = opt.step(g, copy(state), copy(p as StateValue) as _Params, context);
        p = r.params as _Params;
        state = r.state;
      } else {
        const r = opt.update(g, copy(state), p, context);
        if (k === 0) _assertSame(r.updates, plain.updates[0], "the first update with donation and without");
        p = applyUpdates(p, r.updates);
        state = r.state;
      }
    }
    _assertSame(p, plain.p, "the parameters after 3 steps with donation and without");
    _assertSame(state, plain.state, "the states after 3 steps with donation and without");
  });
  checks.run("is deterministic", () => {
    const a = run(make(), 3), b = run(make(), 3);
    _assertSame(a.updates, b.updates, "the updates of two runs");
  });
  checks.run(`at least halves a convex quadratic in ${steps} steps of minimize()`, () => {
    const { losses } = minimize(_quadratic, _x0(), make(), { steps });
    const first = losses[0], last = losses[losses.length - 1];
    if (!losses.every(Number.isFinite)) _fail(`the loss became ${losses.find((l) => !Number.isFinite(l))}`);
    if (!(last < 0.5 * first)) {
      _fail(`the loss went from ${first} to ${last} (pass options, e.g. a learningRate, suited to this problem)`);
    }
    return `loss ${first.toPrecision(4)} → ${last.toPrecision(4)}`;
  });
  checks.run("continues bit for bit after its state is saved to JSON and restored", () => {
    const opt = make();
    const { p, state } = run(opt, 2);
    const restored = _roundTrip(state);
    _assertSame(restored, state, "the restored and the original state");
    const a = run(opt, 3, { p, state }), b = run(opt, 3, { p, state: restored });
    _assertSame(b.updates, a.updates, "the 3 updates after restoring");
    _assertSame(b.state, a.state, "the states 3 steps after restoring");
  });
  if (o.secondOrder) {
    checks.run("uses the update context that minimize() supplies", () => {
      const used = { loss: 0, evaluate: 0, hvp: 0 };
      const opt = make();
      let p = _x0(), state = opt.init(p);
      for (let k = 0; k < 5; k++) {
        const { value, grad: g } = valueAndGrad(_quadratic)(p);
        const inner = _quadraticContext(value.item());
        const spy: UpdateContext = {
          get loss() {
            used.loss++;
            return inner.loss;
          },
          evaluate: (x) => (used.evaluate++, inner.evaluate!(x)),
          hvp: (x, v) => (used.hvp++, inner.hvp!(x, v)),
        };
        const r = opt.update(g, state, p, spy);
        p = applyUpdates(p, r.updates);
        state = r.state;
      }
      if (used.evaluate === 0 && used.hvp === 0) _fail("it called neither evaluate nor hvp in 5 steps");
      return `in 5 steps: ${used.hvp} Hessian-vector products, ${used.evaluate} evaluations, ${used.loss} reads of loss`;
    });
    checks.run("fails with a clear message when the update context is missing", () => {
      const opt = make(), p = _x0();
      try {
        opt.update(grad(_quadratic)(p), opt.init(p), p);
      } catch (e) {
        const m = (e as Error).message;
        if (
          /Cannot read propert|is not a function|undefined is not|of undefined/.test(m) ||
          !/context|hvp|evaluate|loss/.test(m)
        ) {
          _fail(`the error must say which context field is missing: current message is "${m}"`);
        }
        return m;
      }
      return "it works without the context";
    });
  }
}

function _checkRegularizer(
  checks: _Checks,
  plugin: Plugin<"regularizer">,
  base: Record<string, unknown>,
  o: CheckPluginOptions,
) {
  const make = () => plugin.create(base, _context()) as Regularizer;
  const rng = new Random(o.seed ?? 0);
  const params = { dense: { weight: _normal([3, 2], rng), bias: _normal([2], rng) } };
  const r = make();
  checks.run("has a penalty, a project step, or both", () => {
    if (typeof r.penalty !== "function" && typeof r.project !== "function") _fail("it has neither penalty nor project");
    return [r.penalty && "penalty", r.project && "project", r.init && "init", r.report && "report"].filter(Boolean)
      .join(", ");
  });
  if (typeof r.penalty === "function") {
    const penalty = (p: typeof params) => make().penalty!(p);
    checks.run("penalty is a finite scalar and its gradient matches central differences", () => {
      const value = penalty(params);
      if (!(value instanceof Tensor) || value.size !== 1 || !_allFinite(value)) _fail(`the penalty is ${value}`);
      gradcheck(penalty, params);
    });
    if (o.secondOrder) {
      checks.run("penalty's Hessian-vector product matches differences of the gradient", () => {
        gradgradcheck(penalty, params, { atol: 1e-4, rtol: 1e-3 });
      });
    }
  }
  if (typeof r.project === "function") {
    const project = (reg: Regularizer, p: Tree, s: StateValue, step: number) =>
      reg.project!(p, s, { step, learningRate: 0.1 });
    const start = (reg: Regularizer) => (reg.init ? reg.init(params) : null) as StateValue;
    checks.run("project returns params of the same structure and shapes", () => {
      const out = project(r, params, start(r), 1).params;
      const shapes = (t: Tree) => flattenTree(t).map(([path, x]) => `${path}[${x.shape}]`).join(", ");
      if (shapes(out) !== shapes(params)) _fail(`projected ${shapes(out)}, params ${shapes(params)}`);
    });
    checks.run("project and penalty do not mutate the params or the state", () => {
      const reg = make(), state = start(reg);
      const before = { p: _snapshot(params), s: _snapshot(state) };
      project(reg, params, state, 1);
      reg.penalty?.(params);
      _assertUnchanged(params, before.p, "params");
      _assertUnchanged(state, before.s, "state");
    });
    checks.run("project is deterministic and continues bit for bit after its state is saved to JSON", () => {
      const a = make(), b = make();
      const ra = project(a, params, start(a), 1), rb = project(b, params, start(b), 1);
      _assertSame(ra.params, rb.params, "the projections of two instances");
      const restored = _roundTrip(ra.state);
      _assertSame(project(a, ra.params, restored, 2).params, project(a, ra.params, ra.state, 2).params, "projections");
    });
  }
  if (typeof r.report === "function") {
    checks.run("report gives finite numbers", () => {
      const figures = r.report!(params, (r.init ? r.init(params) : null) as StateValue);
      for (const [key, value] of Object.entries(figures)) {
        if (typeof value !== "number" || !Number.isFinite(value)) _fail(`"${key}" is ${value}`);
      }
    });
  }
}

function _checkMetric(checks: _Checks, plugin: Plugin<"metric">, base: Record<string, unknown>, o: CheckPluginOptions) {
  const inputs = o.metricInputs ??
    ((rng: Random) => ({
      predictions: _normal([8, 3], rng),
      targets: tensor(Float64Array.from({ length: 8 }, () => rng.int(3))),
    }));
  const rng = new Random(o.seed ?? 0);
  const cases = Array.from({ length: o.cases ?? 5 }, () => inputs(rng));
  const make = () => plugin.create(base, _context()) as Metric;
  const once = (m: Metric, p: Tensor, t: Tensor) => m.result(m.update(m.init(), p, t));
  const rows = (x: Tensor, from: number, to: number) => {
    const width = x.size / x.shape[0];
    return new Tensor(x.data.slice(from * width, to * width), [to - from, ...x.shape.slice(1)]);
  };
  const same = (a: MetricValue, b: MetricValue, what: string) => {
    const flat = (v: MetricValue) => (typeof v === "number" ? { "": v } : v);
    const fa = flat(a), fb = flat(b);
    if (Object.keys(fa).join() !== Object.keys(fb).join()) {
      _fail(`${what}: keys ${Object.keys(fa)} and ${Object.keys(fb)}`);
    }
    for (const [k, v] of Object.entries(fa)) {
      const w = fb[k];
      if (!(Object.is(v, w) || Math.abs(v - w) <= 1e-12 * (1 + Math.abs(w)))) {
        _fail(`${what}: ${k || "value"} ${v} and ${w}`);
      }
    }
  };
  checks.run("is a metric: a record key, init, update and result", () => {
    const m = make();
    if (typeof m?.name !== "string" || !/^[A-Za-z][A-Za-z0-9_]*$/.test(m.name)) {
      _fail(`name must be a camelCase record key: current value is ${JSON.stringify(m?.name)}`);
    }
    for (const f of ["init", "update", "result"] as const) {
      if (typeof m[f] !== "function") _fail(`${f} must be a function: current value is ${typeof m[f]}`);
    }
    if (m.higherIsBetter !== undefined && typeof m.higherIsBetter !== "boolean") {
      _fail("higherIsBetter must be a boolean");
    }
    return `"${m.name}"`;
  });
  checks.run("gives a finite number, or finite named numbers, for a batch", () => {
    for (const { predictions, targets } of cases) {
      const value = once(make(), predictions, targets);
      const values = typeof value === "number" ? [value] : Object.values(value ?? {});
      if (values.length === 0 || !values.every((v) => typeof v === "number" && Number.isFinite(v))) {
        _fail(`the value is ${JSON.stringify(value)}`);
      }
    }
  });
  checks.run("accumulates exactly: two halves added in turn give what the whole gives", () => {
    for (const { predictions, targets } of cases) {
      const n = predictions.shape[0], half = Math.max(1, Math.floor(n / 2));
      const m = make();
      const split = m.result(
        m.update(
          m.update(m.init(), rows(predictions, 0, half), rows(targets, 0, half)),
          rows(predictions, half, n),
          rows(targets, half, n),
        ),
      );
      same(split, once(make(), predictions, targets), "halves and whole");
    }
  });
  checks.run("does not depend on the order of the samples", () => {
    for (const { predictions, targets } of cases) {
      const n = predictions.shape[0];
      const reversed = (x: Tensor) => concat(Array.from({ length: n }, (_, i) => rows(x, n - 1 - i, n - i)), 0);
      same(
        once(make(), reversed(predictions), reversed(targets)),
        once(make(), predictions, targets),
        "reversed and given order",
      );
    }
  });
  checks.run("does not mutate its predictions or targets, and is deterministic", () => {
    for (const { predictions, targets } of cases) {
      const before = { p: _snapshot(predictions), t: _snapshot(targets) };
      const a = once(make(), predictions, targets);
      _assertUnchanged(predictions, before.p, "predictions");
      _assertUnchanged(targets, before.t, "targets");
      same(a, once(make(), predictions, targets), "two evaluations");
    }
  });
}

function _checkScheduler(checks: _Checks, plugin: Plugin<"scheduler">, base: Record<string, unknown>) {
  const steps = [...Array.from({ length: 101 }, (_, k) => k), 1_000, 100_000];
  checks.run("gives a finite, non-negative step size at every step", () => {
    const schedule = plugin.create(base, _context()) as Scheduler;
    for (const k of steps) {
      const v = schedule(k);
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) _fail(`step ${k} gives ${v}`);
    }
    return `steps 0–100, 1000, 100000: ${schedule(0)} … ${schedule(100_000)}`;
  });
  checks.run("is a pure function of the step", () => {
    const fresh = plugin.create(base, _context()) as Scheduler, used = plugin.create(base, _context()) as Scheduler;
    for (const k of [...steps].reverse()) used(k);
    for (const k of steps) if (!Object.is(fresh(k), used(k))) _fail(`step ${k} depends on earlier calls`);
  });
}

function _checkInitializer(
  checks: _Checks,
  plugin: Plugin<"initializer">,
  base: Record<string, unknown>,
  seed: number,
) {
  const shape = Object.freeze([4, 3]);
  const make = (dtype?: DType) => (plugin.create(base, _context()) as Initializer)(shape, new Random(seed), dtype);
  checks.run("makes the requested shape and dtype, with finite values", () => {
    for (const dtype of [undefined, "float64", "float32"] as const) {
      const t = make(dtype);
      if (!(t instanceof Tensor) || t.shape.join() !== "4,3") _fail(`shape [4, 3] gave [${t?.shape}]`);
      if (t.dtype !== (dtype ?? "float64")) _fail(`dtype ${dtype ?? "by default"} gave ${t.dtype}`);
      if (!_allFinite(t)) _fail("a value is not finite");
    }
  });
  checks.run("is deterministic for a seed", () => _assertSame(make(), make(), "two draws with the same seed"));
}

function _checkBackend(checks: _Checks, plugin: Plugin<"backend">, base: Record<string, unknown>, seed: number) {
  const backend = plugin.create(base, _context()) as Backend;
  const rng = new Random(seed);
  const data = (n: number, lo = -2, hi = 2) => Float64Array.from({ length: n }, () => rng.uniform(lo, hi));
  const close = (a: Float64Array, b: Float64Array, what: string) => {
    for (let i = 0; i < a.length; i++) {
      const ok = Object.is(a[i], b[i]) || Math.abs(a[i] - b[i]) <= 1e-12 * (1 + Math.abs(b[i]));
      if (!ok) _fail(`${what} element ${i}: ${a[i]}, the JavaScript backend gives ${b[i]}`);
    }
  };
  checks.run("matmul agrees with the JavaScript backend in all four orientations", () => {
    const [m, n, k] = [3, 4, 5];
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const a = data(m * k), b = data(k * n), out = new Float64Array(m * n), ref = new Float64Array(m * n);
        backend.matmul(a, b, out, m, n, k, ta, tb);
        jsBackend.matmul(a, b, ref, m, n, k, ta, tb);
        close(out, ref, `matmul(transposeA ${ta}, transposeB ${tb})`);
      }
    }
  });
  checks.run("elementwise kernels and reductions agree with the JavaScript backend", () => {
    const unary = [
      "neg",
      "exp",
      "log",
      "sqrt",
      "sin",
      "cos",
      "tanh",
      "sigmoid",
      "relu",
      "abs",
      "square",
      "sign",
    ] as const;
    for (const op of unary) {
      const x = data(7, op === "log" || op === "sqrt" ? 0.1 : -2), out = new Float64Array(7), ref = new Float64Array(7);
      backend.unary(op, x, out);
      jsBackend.unary(op, x, ref);
      close(out, ref, `unary ${op}`);
    }
    for (const op of ["add", "sub", "mul", "div", "maximum", "minimum"] as const) {
      const a = data(6), b = data(3), out = new Float64Array(6), ref = new Float64Array(6);
      backend.binary(op, a, [2, 3], b, [3], out, [2, 3]);
      jsBackend.binary(op, a, [2, 3], b, [3], ref, [2, 3]);
      close(out, ref, `binary ${op} with broadcasting`);
    }
    for (const op of ["sum", "max"] as const) {
      const x = data(24), out = new Float64Array(8), ref = new Float64Array(8);
      backend.reduce(op, x, 2, 3, 4, out);
      jsBackend.reduce(op, x, 2, 3, 4, ref);
      close(out, ref, `reduce ${op}`);
    }
  });
}

/**
 * Runs on one plugin the conformance checks the built-in plugins pass, prints
 * a readable report, and throws when a check fails — so a plugin author can
 * call it in their own `Deno.test`. The checks depend on the kind:
 * - every kind: a well-formed descriptor; creation with the given options;
 *   unknown options and wrong values for each option in `defaults` refused with
 *   a TypeError/RangeError whose message names the plugin, the option and the value;
 * - loss: a finite scalar; gradient against central differences (float64);
 *   Hessian-vector products where `secondOrder`; reductions that agree; no
 *   mutation of predictions or targets; determinism;
 * - layer: init/apply shape and state contract; init deterministic for a seed;
 *   backward against central differences for the input and every parameter
 *   (second order where claimed); no mutation; determinism;
 * - optimizer: plain-data state; updates shaped like the params; the same steps
 *   with donated buffers (`context.donate`) and through `step()` where defined; no mutation of
 *   grads, params or state; determinism; at least halving a convex quadratic
 *   under `minimize`; state saved to JSON and restored continuing bit for bit;
 *   where `secondOrder`, using the update context and failing clearly without it;
 * - regularizer: penalty gradient (and second order), projection shape, no
 *   mutation, determinism, state round trip, finite report;
 * - metric: a record key and init/update/result; finite values; the same value
 *   whether a batch is added whole or in two halves, and in any sample order;
 *   no mutation of predictions or targets; determinism;
 * - scheduler: finite non-negative values, a pure function of the step;
 * - initializer: shape, dtype, finite values, determinism for a seed;
 * - backend: every kernel against the JavaScript backend.
 *
 * @param plugin The plugin descriptor (a module's default export), or a promise of it.
 * @param options `options` to create it with, `secondOrder`, `seed`, `cases`, `lossInputs`,
 *   `metricInputs`, `inputShape`, `steps`, `invalidOptions`, `log`.
 * @returns The report (when every check passed).
 * @throws {Error} Listing every failed check, after the report is printed.
 *
 * @example Check a third-party loss in a test
 * ```ts
 * import { checkPlugin } from "./check_plugin.ts";
 * import { abs, mean, sub } from "../../core/ops/mod.ts";
 * import { checkKeys } from "../../core/options.ts";
 * import type { Plugin } from "../../core/interfaces.ts";
 * import assert from "node:assert/strict";
 *
 * const mae: Plugin<"loss"> = {
 *   apiVersion: 1,
 *   kind: "loss",
 *   name: "mean-absolute-error",
 *   create: (options) => {
 *     checkKeys('loss "mean-absolute-error"', options, []);
 *     return (p, t) => mean(abs(sub(p, t)));
 *   },
 * };
 * const report = await checkPlugin(mae, { log: false });
 * assert.ok(report.ok);
 * ```
 */
export async function checkPlugin(
  plugin: Plugin | PromiseLike<Plugin>,
  options: CheckPluginOptions = {},
): Promise<CheckPluginReport> {
  plugin = await plugin;
  const log = options.log === undefined ? console.log : options.log;
  const checks: PluginCheck[] = [];
  const runner: _Checks = {
    run(name, fn) {
      try {
        const detail = fn();
        checks.push({ name, ok: true, detail: detail ?? "" });
        return true;
      } catch (e) {
        checks.push({ name, ok: false, detail: e instanceof Error ? e.message : String(e) });
        return false;
      }
    },
  };
  const p = plugin as Partial<Plugin>;
  const label = `${typeof p?.kind === "string" ? p.kind : "plugin"} ${JSON.stringify(p?.name ?? "?")}`;
  const base = options.options ?? {};
  const seed = options.seed ?? 0;
  const valid = runner.run("is a well-formed plugin descriptor", () => {
    validatePlugin(plugin, `plugin ${JSON.stringify(p?.name)}`);
    return `apiVersion ${p.apiVersion}`;
  });
  const created = valid &&
    runner.run(`creates with options ${JSON.stringify(base)}`, () => {
      plugin.create(base, _context());
    });
  if (created) {
    _checkOptions(runner, plugin, base, options);
    switch (plugin.kind) {
      case "loss":
        _checkLoss(runner, plugin as Plugin<"loss">, base, options);
        break;
      case "layer":
        _checkLayer(runner, plugin as Plugin<"layer">, base, options);
        break;
      case "optimizer":
        _checkOptimizer(runner, plugin as Plugin<"optimizer">, base, options);
        break;
      case "regularizer":
        _checkRegularizer(runner, plugin as Plugin<"regularizer">, base, options);
        break;
      case "scheduler":
        _checkScheduler(runner, plugin as Plugin<"scheduler">, base);
        break;
      case "metric":
        _checkMetric(runner, plugin as Plugin<"metric">, base, options);
        break;
      case "initializer":
        _checkInitializer(runner, plugin as Plugin<"initializer">, base, seed);
        break;
      case "backend":
        _checkBackend(runner, plugin as Plugin<"backend">, base, seed);
        break;
    }
  }
  const failed = checks.filter((c) => !c.ok);
  const report: CheckPluginReport = { plugin: label, ok: failed.length === 0, checks };
  if (log) {
    log(`checkPlugin: ${label}`);
    for (const c of checks) log(`  ${c.ok ? "✓" : "✗"} ${c.name}${c.detail ? `: ${c.detail}` : ""}`);
    log(`checkPlugin: ${checks.length - failed.length} passed, ${failed.length} failed`);
  }
  if (failed.length > 0) {
    throw new Error(
      `checkPlugin found ${failed.length} problem${failed.length === 1 ? "" : "s"} in ${label}:\n${
        failed.map((c) => `  ✗ ${c.name}: ${c.detail}`).join("\n")
      }`,
    );
  }
  return report;
}
