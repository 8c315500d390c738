/**
 * Callbacks for `train`: a progress bar, metric logs (JSON Lines and CSV) and checkpoints.
 *
 * @example
 * ```ts
 * import { checkpoints, csvLogger, jsonlLogger, progressBar } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const callbacks = [progressBar({ live: false }), jsonlLogger({ path: "m.jsonl" }), csvLogger({ path: "m.csv" }), checkpoints({ dir: "ckpt" })];
 * assert.equal(callbacks.length, 4);
 * ```
 *
 * @module
 */

export { progressBar, type ProgressBarOptions } from "./progress_bar.ts";
export { jsonlLogger, type JsonlLoggerOptions } from "./jsonl_logger.ts";
export { csvLogger, type CsvLoggerOptions } from "./csv_logger.ts";
export { checkpoints, type CheckpointsOptions } from "./checkpoints.ts";
