/**
 * The gradflow core: tensors, the flow graph and its ops, the plugin
 * interfaces, the registry, seeded randomness and the backend seam. It has
 * no npm dependencies and registers nothing on import.
 *
 * @example
 * ```ts
 * import { grad, square, sum, tensor } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(grad((x) => sum(square(x)))(tensor([1, 2])).toArray(), [2, 4]);
 * ```
 *
 * @module
 */

export * from "./tensor.ts";
export * from "./ops/mod.ts";
export * from "./autodiff.ts";
export * from "./tree.ts";
export * from "./random.ts";
export * from "./interfaces.ts";
export * from "./registry.ts";
export * from "./options.ts";
export {
  type AdamStepScalars,
  type Backend,
  type BinaryKernel,
  defaultBackend,
  type FusedActivation,
  getBackend,
  jsBackend,
  type ReduceKernel,
  setBackend,
  type UnaryKernel,
} from "./backend.ts";
export { createWasmBackend, type WasmBackend, wasmSimdSupported } from "./backend_wasm.ts";
export { insideTrace, isRecording, withRecording } from "./graph.ts";
