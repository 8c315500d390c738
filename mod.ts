/**
 * gradflow: train neural networks by gradient methods, in TypeScript, on Deno.
 *
 * The core gives tensors, a flow graph that differentiates any composition of
 * ops (to any order), and the plugin interfaces; every algorithm is a plugin,
 * grouped here by kind: `layers`, `losses`, `metrics`, `optimizers`,
 * `regularizers`, `schedulers`, `initializers`, `backends`.
 *
 * @example Fit y = 2x − 1 with the flow graph and SGD
 * ```ts
 * import { add, applyUpdates, grad, losses, matmul, optimizers, tensor, type Tensor } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const x = tensor([[0], [1], [2], [3]]), y = tensor([[-1], [1], [3], [5]]);
 * const loss = losses.mse();
 * const predict = (p: { w: Tensor; b: Tensor }) => add(matmul(x, p.w), p.b);
 * const opt = optimizers.sgd({ learningRate: 0.1 });
 * let params = { w: tensor([[0]]), b: tensor([0]) };
 * let state = opt.init(params);
 * for (let step = 0; step < 500; step++) {
 *   const g = grad((p: typeof params) => loss(predict(p), y))(params);
 *   const r = opt.update(g, state, params);
 *   params = applyUpdates(params, r.updates);
 *   state = r.state;
 * }
 * assert.ok(Math.abs(params.w.item() - 2) < 1e-3 && Math.abs(params.b.item() + 1) < 1e-3);
 * ```
 *
 * @module
 */

export * from "./core/mod.ts";
export { builtinPlugins, createRegistry, type CreateRegistryOptions } from "./plugins/mod.ts";
export { loadPlugin, type LoadPluginOptions } from "./plugins/load_plugin.ts";
export * as layers from "./plugins/layers/mod.ts";
export * as losses from "./plugins/losses/mod.ts";
export * as metrics from "./plugins/metrics/mod.ts";
export * as optimizers from "./plugins/optimizers/mod.ts";
export * as regularizers from "./plugins/regularizers/mod.ts";
export * as schedulers from "./plugins/schedulers/mod.ts";
export * as initializers from "./plugins/initializers/mod.ts";
export * as backends from "./plugins/backends/mod.ts";
export * from "./train/mod.ts";
