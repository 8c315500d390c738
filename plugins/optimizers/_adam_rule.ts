/**
 * The update rule of PyTorch's `torch.optim.Adam` and `torch.optim.AdamW`,
 * shared by the `adam` and `adamw` plugins.
 *
 * @module
 */

import type { LearningRate, Optimizer, Scheduler } from "../../core/interfaces.ts";
import { checkBoolean, checkKeys, checkLearningRate, checkNumber } from "../../core/options.ts";
import { adamApply, adamStep, type AdamStepScalars } from "../../core/ops/fused.ts";
import { add, div, maximum, mul, sqrt } from "../../core/ops/mod.ts";
import { exclusiveMemory, type Tensor } from "../../core/tensor.ts";
import { applyUpdates, type Tree, treeLeaves, treeMap, unflattenTree } from "../../core/tree.ts";
import { checkShapes, coupledWeightDecay, fullLike, kernelZerosLike, lerp, rateAt } from "./_common.ts";

/** State of `adam` and `adamw`. */
export interface AdamState {
  /** t, the updates made so far. */
  readonly step: number;
  /** m, the biased first-moment estimate (PyTorch's `exp_avg`). */
  readonly m: Tree;
  /** v, the biased second raw moment estimate (PyTorch's `exp_avg_sq`). */
  readonly v: Tree;
  /** The running maximum of v (only with `amsgrad`, PyTorch's `max_exp_avg_sq`), else `null`. */
  readonly vMax: Tree | null;
  /** An index signature, so the state is a plain record (a `StateValue`). */
  readonly [key: string]: number | Tree | null;
}

/** The validated settings of {@linkcode adamRule}. */
export interface AdamConfig {
  /** The learning-rate schedule α_t. */
  learningRate: Scheduler;
  /** β₁. */
  beta1: number;
  /** β₂. */
  beta2: number;
  /** ε. */
  epsilon: number;
  /** λ. */
  weightDecay: number;
  /** Decoupled (AdamW) rather than coupled (Adam's L2) weight decay. */
  decoupled: boolean;
  /** The AMSGrad variant. */
  amsgrad: boolean;
}

/**
 * Validates the options `adam` and `adamw` share; they differ only in the
 * default (and meaning) of `weightDecay`.
 *
 * @param owner Who is asking, e.g. `optimizer "adam"`.
 * @param options The options given.
 * @param weightDecayDefault The plugin's default λ.
 * @param decoupled AdamW's decoupled decay (else Adam's coupled L2).
 * @returns The validated settings.
 *
 * @example
 * ```ts
 * import { checkAdamOptions } from "./_adam_rule.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkAdamOptions('optimizer "adam"', {}, 0, false).beta2, 0.999);
 * assert.throws(() => checkAdamOptions('optimizer "adam"', { beta1: 1 }, 0, false), /beta1 must be a number in \[0, 1\)/);
 * ```
 */
export function checkAdamOptions(
  owner: string,
  options: {
    learningRate?: LearningRate;
    beta1?: number;
    beta2?: number;
    epsilon?: number;
    weightDecay?: number;
    amsgrad?: boolean;
  },
  weightDecayDefault: number,
  decoupled: boolean,
): AdamConfig {
  checkKeys(owner, options, ["learningRate", "beta1", "beta2", "epsilon", "weightDecay", "amsgrad"]);
  return {
    learningRate: checkLearningRate(owner, options.learningRate, 1e-3),
    beta1: checkNumber(owner, "beta1", options.beta1, 0.9, { min: 0, max: 1, maxExclusive: true }),
    beta2: checkNumber(owner, "beta2", options.beta2, 0.999, { min: 0, max: 1, maxExclusive: true }),
    epsilon: checkNumber(owner, "epsilon", options.epsilon, 1e-8, { min: 0 }),
    weightDecay: checkNumber(owner, "weightDecay", options.weightDecay, weightDecayDefault, { min: 0 }),
    decoupled,
    amsgrad: checkBoolean(owner, "amsgrad", options.amsgrad, false),
  };
}

/**
 * PyTorch's Adam/AdamW step on trees (options already validated):
 *   coupled: g ← g + λθ;   decoupled: θ ← θ·(1 − αλ) before the step
 *   m ← lerp(m, g, 1 − β₁);  v ← β₂v + (1 − β₂)g²;  v̄ ← max(v̄, v) (AMSGrad)
 *   θ ← θ − (α/(1 − β₁ᵗ))·m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * Without AMSGrad, each leaf's m, v and step come from one pass of the
 * backend's `adamStep` kernel (core/ops/fused.ts) instead of a dozen
 * elementwise ops: the same formula, bias corrections and ε placement, in
 * PyTorch's operation order with each operation rounded to the leaf's dtype
 * (the contract of `AdamStepScalars`, where the few ulps by which PyTorch's
 * `lerp` can differ are described), with the weight decay applied around it
 * as above. With AMSGrad, or when a leaf's gradient and moments differ in
 * dtype, the composed ops (PyTorch's rounding in float64) are used.
 *
 * `step` is `update` then `applyUpdates` in one pass where the kernel can add
 * the update to the parameter itself (`adamApply`: no AMSGrad, no decoupled
 * decay, one dtype per leaf), and literally `update` then `applyUpdates`
 * otherwise; the values are the same. When the caller donates
 * (`context.donate`, as the trainer does), the fused path writes m, v and the
 * update (or the new parameter) over the old state and the gradient (or the
 * parameter), leaf by leaf, so a step allocates nothing; a leaf whose buffers
 * are shared with another leaf is stepped out of place.
 *
 * @param owner The plugin, for runtime errors (`optimizer "adamw"`).
 * @param config The settings.
 * @returns The optimizer.
 *
 * @example
 * ```ts
 * import { adamRule } from "./_adam_rule.ts";
 * import { tensor, type Tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const opt = adamRule('optimizer "adam"', {
 *   learningRate: () => 0.1, beta1: 0.9, beta2: 0.999, epsilon: 0, weightDecay: 0, decoupled: false, amsgrad: false,
 * });
 * const p = tensor([1]);
 * assert.ok(Math.abs((opt.update(tensor([5]), opt.init(p), p).updates as Tensor).item() + 0.1) < 1e-12);
 * ```
 */
export function adamRule(owner: string, config: AdamConfig): Optimizer<AdamState> {
  const { learningRate, beta1, beta2, epsilon, weightDecay, decoupled, amsgrad } = config;
  /** The checks, the step's learning rate, t, the (coupled-decayed) gradient and the kernel's scalars. */
  const prepare = (grads: Tree, state: AdamState, params: Tree) => {
    const rate = rateAt(owner, learningRate, state.step);
    checkShapes(owner, "the gradient", grads, params, "the parameters");
    checkShapes(owner, "state m", state.m, grads, "the gradient");
    checkShapes(owner, "state v", state.v, grads, "the gradient");
    if (amsgrad) checkShapes(owner, "state vMax", state.vMax, grads, "the gradient");
    const t = state.step + 1;
    const g = decoupled ? grads : coupledWeightDecay(grads, params, weightDecay);
    const stepSize = rate / (1 - beta1 ** t);
    const scalars: AdamStepScalars = {
      beta1,
      beta2,
      stepSize,
      biasCorrection2Sqrt: Math.sqrt(1 - beta2 ** t),
      epsilon,
    };
    return { rate, t, g, scalars };
  };
  const optimizer: Optimizer<AdamState> = {
    // The moments live where the backend's fused kernel steps them without copying (see kernelZerosLike).
    init: (params) => ({
      step: 0,
      m: amsgrad ? fullLike(params) : kernelZerosLike(params),
      v: amsgrad ? fullLike(params) : kernelZerosLike(params),
      vMax: amsgrad ? fullLike(params) : null,
    }),
    update(grads, state, params, context) {
      const { rate, t, g, scalars } = prepare(grads, state, params);
      let m: Tree, v: Tree, vMax: Tree | null = null, step: Tree;
      if (amsgrad) {
        m = treeMap((mi, gi) => firstMoment(mi, gi!, beta1), state.m, g);
        v = treeMap((vi, gi) => secondMoment(vi, gi!, beta2), state.v, g);
        vMax = treeMap((a, b) => maximum(a, b!), state.vMax!, v);
        step = treeMap((mi, vi) => adamDirection(mi, vi!, scalars), m, vMax);
      } else {
        ({ out: step, m, v } = fusedLeaves(g, state, null, scalars, context?.donate === true));
      }
      const decay = rate * weightDecay;
      const updates = decoupled && decay !== 0 ? treeMap((s, p) => add(mul(p!, -decay), s), step, params) : step;
      return { updates, state: { step: t, m, v, vMax } };
    },
    step(grads, state, params, context) {
      const donate = context?.donate === true;
      const { rate, t, g, scalars } = prepare(grads, state, params);
      const [gs, ms, vs] = [g, state.m, state.v].map(treeLeaves);
      const fusable = !amsgrad && !(decoupled && rate * weightDecay !== 0) &&
        treeLeaves(params).every((p, i) => [gs[i], ms[i], vs[i]].every((x) => x.dtype === p.dtype));
      if (!fusable) {
        const r = optimizer.update(grads, state, params, context);
        return { params: applyUpdates(params, r.updates, { donate }), state: r.state };
      }
      const r = fusedLeaves(g, state, params, scalars, donate);
      return { params: r.out, state: { step: t, m: r.m, v: r.v, vMax: null } };
    },
  };
  return optimizer;
}

/**
 * One fused pass per leaf (the backend's `adamStep` kernel): the updates, or
 * with `params` the new parameters. Donated leaves are written over in place,
 * unless a buffer is shared (a gradient used for two leaves, say).
 */
function fusedLeaves(
  g: Tree,
  state: AdamState,
  params: Tree | null,
  scalars: AdamStepScalars,
  donate: boolean,
): { out: Tree; m: Tree; v: Tree } {
  const gs = treeLeaves(g), ms = treeLeaves(state.m), vs = treeLeaves(state.v);
  const ps = params === null ? [] : treeLeaves(params);
  const count = gs.length;
  const own = donate ? exclusiveMemory([...gs, ...ms, ...vs, ...ps]) : null;
  const owned = (i: number) =>
    own !== null && own[i] && own[count + i] && own[2 * count + i] && (params === null || own[3 * count + i]);
  const newM: Tensor[] = [], newV: Tensor[] = [], out: Tensor[] = [];
  for (let i = 0; i < count; i++) {
    if (params === null) {
      const r = adamLeaf(gs[i], ms[i], vs[i], scalars, owned(i));
      out.push(r.update), newM.push(r.m), newV.push(r.v);
    } else {
      const r = adamApply(gs[i], ms[i], vs[i], ps[i], scalars, { donate: owned(i) });
      out.push(r.param), newM.push(r.m), newV.push(r.v);
    }
  }
  return {
    out: unflattenTree(params ?? g, out),
    m: unflattenTree(state.m, newM),
    v: unflattenTree(state.v, newV),
  };
}

/** m ← lerp(m, g, 1 − β₁), rounded as PyTorch's `lerp_`. */
function firstMoment(m: Tensor, g: Tensor, beta1: number): Tensor {
  return lerp(m, g, 1 - beta1);
}

/** v ← β₂v + ((1 − β₂)·g)·g, PyTorch's `mul_(β₂).addcmul_(g, g, value=1 − β₂)`. */
function secondMoment(v: Tensor, g: Tensor, beta2: number): Tensor {
  return add(mul(v, beta2), mul(mul(g, 1 - beta2), g));
}

/** −stepSize·m / (√v / √(1 − β₂ᵗ) + ε), PyTorch's `addcdiv_` operand. */
function adamDirection(m: Tensor, v: Tensor, s: AdamStepScalars): Tensor {
  return div(mul(m, -s.stepSize), add(div(sqrt(v), s.biasCorrection2Sqrt), s.epsilon));
}

/** One leaf's step: the fused kernel when gradient and moments share a dtype, else the composed ops. */
function adamLeaf(
  g: Tensor,
  m: Tensor,
  v: Tensor,
  s: AdamStepScalars,
  donate: boolean,
): { update: Tensor; m: Tensor; v: Tensor } {
  if (g.dtype === m.dtype && g.dtype === v.dtype) return adamStep(g, m, v, s, { donate });
  const mNew = firstMoment(m, g, s.beta1), vNew = secondMoment(v, g, s.beta2);
  return { update: adamDirection(mNew, vNew, s), m: mNew, v: vNew };
}
