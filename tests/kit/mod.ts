/**
 * The testing kit for gradflow and for plugin authors: gradient checks
 * against finite differences. It has no npm dependencies; the fast-check
 * arbitraries live in the separate entry `./testing/arbitraries`.
 *
 * @example
 * ```ts
 * import { gradcheck } from "./mod.ts";
 * import { tanh, sum } from "../../core/ops/mod.ts";
 * import { tensor, type Tensor } from "../../core/tensor.ts";
 *
 * gradcheck((x: Tensor) => sum(tanh(x)), tensor([0.1, -2]));
 * ```
 *
 * @module
 */

export { gradcheck, type GradcheckOptions, type GradcheckReport, gradgradcheck } from "./gradcheck.ts";
export { checkPlugin, type CheckPluginOptions, type CheckPluginReport, type PluginCheck } from "./check_plugin.ts";
