/**
 * The part of gradflow a plugin computes with: tensors, every op, automatic
 * differentiation, tree helpers, seeded randomness, the option checks and the
 * plugin interfaces. A registry hands this module to every plugin it creates,
 * as `context.gradflow` (see {@linkcode CreateContext}), so that a plugin
 * loaded by URL computes with its host's own copy of gradflow and needs no
 * import of its own: one copy of the code, one backend, one flow graph.
 *
 * @example What a plugin receives
 * ```ts
 * import * as gradflow from "./api.ts";
 * import assert from "node:assert/strict";
 *
 * const { grad, square, sum, tensor } = gradflow;
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
export * from "./options.ts";
export { getBackend } from "./backend.ts";
export { insideTrace, isRecording, withRecording } from "./graph.ts";
