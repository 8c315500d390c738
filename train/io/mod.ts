/**
 * File formats and crash-safe writes: safetensors for weights, atomic writes.
 *
 * @example
 * ```ts
 * import { decodeSafetensors, encodeSafetensors } from "./mod.ts";
 * import { tensor } from "../../core/tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(decodeSafetensors(encodeSafetensors({ w: tensor([1]) })).tensors.get("w")!.toArray(), [1]);
 * ```
 *
 * @module
 */

export { appendFileSynced, syncFolder, writeFileAtomic, type WriteFileAtomicOptions } from "./atomic_write.ts";
export {
  decodeSafetensors,
  encodeSafetensors,
  readSafetensors,
  type Safetensors,
  writeSafetensors,
} from "./safetensors.ts";
