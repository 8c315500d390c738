/**
 * Gradual magnitude pruning: the L0 idea of seed 000 on a schedule.
 *
 * @module
 */

import type { Plugin, ProjectContext, Regularizer, StateValue } from "../../core/interfaces.ts";
import { checkBoolean, checkChoice, checkKeys, checkNumber } from "../../core/options.ts";
import { allocate, shapesEqual, Tensor } from "../../core/tensor.ts";
import { flattenTree, type Tree, unflattenTree } from "../../core/tree.ts";
import { isBiasPath } from "./_select.ts";

/** Options for {@linkcode magnitudePruning}. */
export interface MagnitudePruningOptions {
  /** The final sparsity s_f: the fraction of prunable weights set to zero, in [0, 1]. @default {0.5} */
  targetSparsity?: number;
  /** The sparsity s_i of the first pruning step, in [0, targetSparsity]. @default {0} */
  initialSparsity?: number;
  /** The step t₀ of the first pruning (an integer ≥ 0). @default {0} */
  startStep?: number;
  /** The step by which the target is reached (an integer ≥ startStep). @default {1000, or startStep when that is later} */
  endStep?: number;
  /** Prune every Δt steps between startStep and endStep (an integer ≥ 1). @default {100} */
  frequency?: number;
  /** How sparsity grows from s_i to s_f: Zhu and Gupta's `"cubic"`, or `"linear"`. @default {"cubic"} */
  ramp?: "cubic" | "linear";
  /** Rank weights within each tensor (`"layer"`, Zhu and Gupta) or across all of them (`"global"`). @default {"layer"} */
  scope?: "layer" | "global";
  /** Also prune biases (parameters named `bias` or `beta`). @default {false} */
  includeBiases?: boolean;
}

/** State of {@linkcode magnitudePruning}: plain data, so it checkpoints. */
export interface MagnitudePruningState {
  /** The step of the last pruning, or `null` before the first. */
  readonly lastPruneStep: number | null;
  /** One 0/1 mask per prunable parameter, by dotted path; 0 marks a pruned weight. */
  readonly masks: { readonly [path: string]: Tensor };
  /** Makes the state a {@linkcode StateValue} record. */
  readonly [key: string]: StateValue;
}

/**
 * Gradual magnitude pruning (Zhu and Gupta, "To prune, or not to prune",
 * 2017), seed 000's way to minimize the L0 norm: "pruning (removing or
 * explicitly making it as zero) some of the tiny weights", then letting
 * further backpropagation steps "recover any loss in performance", and
 * repeating ("we decay and reduce the weights systematically. Each step, we
 * also retrain").
 *
 * At steps t₀, t₀ + Δt, … up to `endStep` (and once at `endStep`), the
 * sparsity target rises along
 *   s_t = s_f + (s_i − s_f)·(1 − (t − t₀)/(t_end − t₀))³      (`ramp: "cubic"`)
 *   s_t = s_i + (s_f − s_i)·(t − t₀)/(t_end − t₀)             (`ramp: "linear"`)
 * and the weights of smallest |θ| among those not yet pruned are masked
 * until round(s_t·n) of the n prunable weights are (per tensor, or over all
 * tensors with `scope: "global"`). The masks live in the state and only grow:
 * `project` multiplies every prunable parameter by its mask after each
 * update, so pruned weights stay exactly zero through later updates while
 * the others retrain. Biases are not pruned by default. `report` gives
 * `sparsity` (the pruned fraction of prunable weights), `pruned` and
 * `prunable`.
 *
 * The schedule is TensorFlow Model Optimization's `PolynomialDecay` (power 3)
 * with `frequency` 100 as there; the count round(s·n) is PyTorch's
 * `torch.nn.utils.prune.l1_unstructured` (and `global_unstructured` for the
 * global scope). Unlike PyTorch's repeated pruning, whose amount is a fraction
 * of the weights still remaining, `targetSparsity` is the fraction of all
 * prunable weights. Ties in |θ| go to the lower index. The optimizer still
 * computes updates (and momentum) for pruned weights; `project` zeroes them
 * again after each step, as TF's pruning wrapper does.
 *
 * @param options `targetSparsity`, `initialSparsity`, `startStep`, `endStep`, `frequency`, `ramp`, `scope`, `includeBiases`.
 * @returns The regularizer (`init`, `project`, `report`; no penalty).
 *
 * @example Prune half of the weights at once, then keep them at zero
 * ```ts
 * import { magnitudePruning } from "./magnitude_pruning.ts";
 * import { Tensor, tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const pruning = magnitudePruning({ targetSparsity: 0.5, startStep: 1, endStep: 1 });
 * const params = { weight: tensor([0.1, -3, 0.2, 4]), bias: tensor([0.01]) };
 * let state = pruning.init!(params);
 * ({ state } = pruning.project!(params, state, { step: 1 }));
 * const later = { weight: tensor([0.5, -3, 0.5, 4]), bias: tensor([0.01]) }; // after an optimizer update
 * const { params: out } = pruning.project!(later, state, { step: 2 });
 * assert.deepEqual((out as { weight: Tensor }).weight.toArray(), [0, -3, 0, 4]);
 * assert.equal(pruning.report!(out, state).sparsity, 0.5);
 * ```
 */
export function magnitudePruning(options: MagnitudePruningOptions = {}): Regularizer<MagnitudePruningState> {
  const owner = 'regularizer "magnitude-pruning"';
  checkKeys(owner, options, [
    "targetSparsity",
    "initialSparsity",
    "startStep",
    "endStep",
    "frequency",
    "ramp",
    "scope",
    "includeBiases",
  ]);
  const target = checkNumber(owner, "targetSparsity", options.targetSparsity, 0.5, { min: 0, max: 1 });
  const initial = checkNumber(owner, "initialSparsity", options.initialSparsity, 0, { min: 0, max: target });
  const startStep = checkNumber(owner, "startStep", options.startStep, 0, { min: 0, integer: true });
  const endStep = checkNumber(owner, "endStep", options.endStep, Math.max(1000, startStep), {
    min: startStep,
    integer: true,
  });
  const frequency = checkNumber(owner, "frequency", options.frequency, 100, { min: 1, integer: true });
  const ramp = checkChoice(owner, "ramp", options.ramp, "cubic", ["cubic", "linear"] as const);
  const scope = checkChoice(owner, "scope", options.scope, "layer", ["layer", "global"] as const);
  const includeBiases = checkBoolean(owner, "includeBiases", options.includeBiases, false);
  const prunable = (path: string) => includeBiases || !isBiasPath(path);

  /** The sparsity target at step t (clamped to [t₀, t_end]). */
  const sparsityAt = (t: number): number => {
    const span = endStep - startStep;
    const progress = span === 0 ? 1 : Math.min(Math.max((t - startStep) / span, 0), 1);
    return ramp === "cubic"
      ? target + (initial - target) * (1 - progress) ** 3
      : initial + (target - initial) * progress;
  };

  /** The prunable parameters with their masks, checked against the state. */
  const pairs = (params: Tree, state: MagnitudePruningState, action: string) => {
    if (state === null || typeof state !== "object" || typeof state.masks !== "object" || state.masks === null) {
      throw new TypeError(
        `Cannot ${action} with ${owner} as its state must come from init(params): current value is ${
          JSON.stringify(state)
        }`,
      );
    }
    return flattenTree(params).filter(([path]) => prunable(path)).map(([path, t]) => {
      const mask = state.masks[path];
      if (!(mask instanceof Tensor)) {
        throw new RangeError(
          `Cannot ${action} with ${owner} as its state has no mask for parameter "${path}" (call init with these parameters): current masks are for ${
            Object.keys(state.masks).map((k) => `"${k}"`).join(", ") || "no parameters"
          }`,
        );
      }
      if (!shapesEqual(mask.shape, t.shape)) {
        throw new RangeError(
          `Cannot ${action} with ${owner} for parameter "${path}" of shape [${t.shape}] and its mask of shape [${mask.shape}]: the shapes must be equal`,
        );
      }
      return { path, t, mask };
    });
  };

  /** Masks more of the smallest unmasked weights until `sparsity` of them are pruned. */
  const prune = (
    items: { path: string; t: Tensor; mask: Tensor }[],
    sparsity: number,
  ): Record<string, Tensor> => {
    const groups = scope === "layer" ? items.map((item) => [item]) : [items];
    const masks: Record<string, Tensor> = {};
    for (const { path, mask } of items) masks[path] = mask;
    for (const group of groups) {
      const total = group.reduce((n, { t }) => n + t.size, 0);
      let already = 0;
      const candidates: { item: number; index: number; magnitude: number }[] = [];
      group.forEach(({ t, mask }, item) => {
        for (let i = 0; i < t.size; i++) {
          if (mask.data[i] === 0) already++;
          else candidates.push({ item, index: i, magnitude: Math.abs(t.data[i]) });
        }
      });
      const need = Math.round(sparsity * total) - already;
      if (need <= 0) continue;
      candidates.sort((a, b) => a.magnitude - b.magnitude || a.item - b.item || a.index - b.index);
      const fresh = group.map(({ mask }) => Float64Array.from(mask.data));
      for (let k = 0; k < need; k++) fresh[candidates[k].item][candidates[k].index] = 0;
      group.forEach(({ path, mask }, item) => {
        const data = allocate(mask.dtype, mask.size);
        data.set(fresh[item]);
        masks[path] = new Tensor(data, mask.shape);
      });
    }
    return masks;
  };

  return {
    init(params) {
      const masks: Record<string, Tensor> = {};
      for (const [path, t] of flattenTree(params)) {
        if (!prunable(path)) continue;
        const data = allocate(t.dtype, t.size);
        data.fill(1);
        masks[path] = new Tensor(data, t.shape);
      }
      return { lastPruneStep: null, masks };
    },
    project(params, state, context: ProjectContext) {
      const step = context?.step;
      if (typeof step !== "number" || !Number.isInteger(step) || step < 0) {
        throw new RangeError(
          `Cannot project with ${owner} as the context's step must be an integer ≥ 0: current value is ${step}`,
        );
      }
      const items = pairs(params, state, "project");
      let { lastPruneStep: last, masks } = state;
      const due = step >= startStep &&
        (last === null || (last < endStep && (step - last >= frequency || step >= endStep)));
      if (due) {
        masks = prune(items, sparsityAt(Math.min(step, endStep)));
        last = step;
      }
      const masked = new Map<string, Tensor>();
      for (const { path, t } of items) {
        const mask = masks[path];
        if (mask.data.every((v) => v !== 0)) continue;
        const out = allocate(t.dtype, t.size);
        for (let i = 0; i < out.length; i++) out[i] = mask.data[i] === 0 ? 0 : t.data[i];
        masked.set(path, new Tensor(out, t.shape));
      }
      const leaves = flattenTree(params).map(([path, t]) => masked.get(path) ?? t);
      return { params: unflattenTree(params, leaves), state: { lastPruneStep: last, masks } };
    },
    report(params, state) {
      let pruned = 0, count = 0;
      for (const { mask } of pairs(params, state, "report")) {
        count += mask.size;
        for (const v of mask.data) if (v === 0) pruned++;
      }
      return { sparsity: count === 0 ? 0 : pruned / count, pruned, prunable: count };
    },
  };
}

/** Registers {@linkcode magnitudePruning} as regularizer "magnitude-pruning". */
const plugin: Plugin<"regularizer", MagnitudePruningOptions> = {
  apiVersion: 1,
  kind: "regularizer",
  name: "magnitude-pruning",
  description: "Zero the smallest weights on a cubic (Zhu & Gupta) schedule and keep them zero; reports sparsity.",
  defaults: {
    targetSparsity: 0.5,
    initialSparsity: 0,
    startStep: 0,
    endStep: 1000,
    frequency: 100,
    ramp: "cubic",
    scope: "layer",
    includeBiases: false,
  },
  create: magnitudePruning,
};
export default plugin;
