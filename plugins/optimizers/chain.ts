/**
 * Composes gradient transformations and optimizers into one optimizer.
 *
 * @module
 */

import type { CreateContext, Optimizer, Plugin, PluginSpecifier, StateValue } from "../../core/interfaces.ts";
import { checkKeys } from "../../core/options.ts";

/** Options of the "chain" plugin (the factory takes the transforms as arguments). */
export interface ChainOptions {
  /**
   * The transformations, applied in order; at least one. Each is an optimizer, or (through a
   * registry, as in an experiment file) its name or `{ name, ...options }`.
   */
  transforms?: readonly (Optimizer | PluginSpecifier)[];
}

/** State of {@linkcode chain}: one state per transformation, in order. */
export type ChainState = readonly StateValue[];

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object without init and update functions";
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/**
 * Chains transformations, Optax-style (`optax.chain`): each one's updates are
 * the next one's gradients, and the last one's updates are the chain's. So
 * "clip, then Adam" is `chain(clipByGlobalNorm({ maxNorm: 1 }), adam())`, an
 * ordinary optimizer. Every transformation also receives the parameters and the
 * update context unchanged, except that a donation (`context.donate`) passes to
 * the first only: a later one's gradients are the previous one's updates,
 * which may share buffers with that one's state. PyTorch has no equivalent (it clips gradients in
 * place before `step()`); the seeds have none either.
 *
 * The chain's updates are added to the parameters like any optimizer's, so the
 * last transformation should be a descent method (an optimizer whose updates are
 * −η·…); a chain of transformations only (clipping alone) walks uphill.
 *
 * @param transforms The transformations, applied in order; at least one.
 * @returns The chained optimizer; its state is the array of their states.
 * @throws {TypeError} When a transformation is not an optimizer (object with `init` and `update`).
 * @throws {RangeError} When no transformation is given, and from `update` when the
 *   state does not hold one entry per transformation.
 *
 * @example Clip, then take a gradient step
 * ```ts
 * import { chain } from "./chain.ts";
 * import { clipByGlobalNorm } from "./clip_by_global_norm.ts";
 * import { sgd } from "./sgd.ts";
 * import { tensor, type Tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const opt = chain(clipByGlobalNorm({ maxNorm: 1 }), sgd({ learningRate: 0.5 }));
 * const params = tensor([0, 0]);
 * const { updates, state } = opt.update(tensor([30, 40]), opt.init(params), params);
 * assert.deepEqual((updates as Tensor).toArray(), [-0.3, -0.4]);
 * assert.equal(state.length, 2);
 * ```
 */
export function chain(...transforms: Optimizer[]): Optimizer<ChainState> {
  const owner = 'optimizer "chain"';
  if (transforms.length === 0) {
    throw new RangeError(`Cannot create ${owner} as transforms must hold at least one optimizer: current length is 0`);
  }
  transforms.forEach((t, i) => {
    const o = t as unknown as Record<string, unknown>;
    if (o === null || typeof o !== "object" || typeof o.init !== "function" || typeof o.update !== "function") {
      throw new TypeError(
        `Cannot create ${owner} as transforms[${i}] must be an optimizer (an object with init and update functions): current value is ${
          describe(t)
        }`,
      );
    }
  });
  const list = [...transforms];
  return {
    init: (params) => list.map((t) => t.init(params)),
    update(grads, state, params, context) {
      if (!Array.isArray(state) || state.length !== list.length) {
        throw new RangeError(
          `Cannot update ${owner} as its state must be an array of ${list.length} states: current value is ${
            Array.isArray(state) ? `an array of ${state.length}` : describe(state)
          }`,
        );
      }
      let updates = grads;
      const states: StateValue[] = [];
      list.forEach((t, i) => {
        const r = t.update(
          updates,
          state[i],
          params,
          i === 0 || !context?.donate ? context : { ...context, donate: false },
        );
        updates = r.updates;
        states.push(r.state);
      });
      return { updates, state: states };
    },
  };
}

/**
 * Creates {@linkcode chain} from `{ transforms }`, validating the options; a
 * transform given by name or `{ name, ...options }` is created by the registry
 * that creates the chain, so an experiment file can write
 * `{ "name": "chain", "transforms": [{ "name": "clip-by-global-norm", "maxNorm": 1 }, { "name": "adam" }] }`.
 *
 * @param options `transforms`: the optimizers to chain, in order.
 * @param context The registry's context, which creates the transforms given by name.
 * @returns The chained optimizer.
 * @throws {TypeError} When `transforms` is not an array of optimizers or specs, or for an unknown option.
 * @throws {RangeError} When `transforms` is empty or missing, or names an unknown optimizer.
 */
function create(options: ChainOptions = {}, context?: CreateContext): Optimizer<ChainState> {
  const owner = 'optimizer "chain"';
  checkKeys(owner, options, ["transforms"]);
  const transforms = options.transforms;
  if (transforms === undefined) {
    throw new RangeError(
      `Cannot create ${owner} as transforms must hold at least one optimizer: current value is undefined`,
    );
  }
  if (!Array.isArray(transforms)) {
    throw new TypeError(
      `Cannot create ${owner} as transforms must be an array of optimizers: current value is ${describe(transforms)}`,
    );
  }
  const made = transforms.map((t, i) => {
    const isSpec = typeof t === "string" ||
      (t !== null && typeof t === "object" && typeof (t as { update?: unknown }).update !== "function" &&
        typeof (t as { name?: unknown }).name === "string");
    if (!isSpec) return t as Optimizer;
    if (context === undefined) {
      throw new TypeError(
        `Cannot create ${owner} as transforms[${i}] is a name or spec, which needs a registry: create the chain with registry.create("optimizer", "chain", …), or pass optimizers`,
      );
    }
    return context.create("optimizer", t as PluginSpecifier);
  });
  return chain(...made);
}

/** Registers {@linkcode chain} as optimizer "chain" (created from `{ transforms: [...] }`). */
const plugin: Plugin<"optimizer", ChainOptions> = {
  apiVersion: 1,
  kind: "optimizer",
  name: "chain",
  description: "Applies transformations in order, each one's updates the next one's gradients (Optax chain).",
  defaults: {},
  required: { transforms: 'the optimizers to apply in order, each a name or { "name", ...options }' },
  create: create as Plugin<"optimizer", ChainOptions>["create"],
};
export default plugin;
