/**
 * What the worker derives from a run besides training it: the grid of inputs
 * for the decision boundary, which points the trainer holds out, and the
 * metrics as the CLI writes them. Pure functions, tested in Deno.
 *
 * @module
 */

import { Random } from "../../core/random.ts";
import { Tensor } from "../../core/tensor.ts";
import type { Dataset } from "../../train/data/_rows.ts";
import { splitDataset } from "../../train/data/split.ts";
import type { History } from "../../train/history.ts";
import type { Grid } from "./protocol.ts";

/**
 * The centres of an n×n grid of cells over the grid's rectangle, row by row from the bottom.
 *
 * @param grid The rectangle and n.
 * @returns `[n², 2]` inputs.
 *
 * @example
 * ```ts
 * import { gridInputs } from "./run_data.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(gridInputs({ x: [0, 2], y: [0, 2], n: 2 }).toArray(), [[0.5, 0.5], [1.5, 0.5], [0.5, 1.5], [1.5, 1.5]]);
 * ```
 */
export function gridInputs(grid: Grid): Tensor {
  const { n } = grid;
  const data = new Float64Array(n * n * 2);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      data[2 * (j * n + i)] = grid.x[0] + (grid.x[1] - grid.x[0]) * (i + 0.5) / n;
      data[2 * (j * n + i) + 1] = grid.y[0] + (grid.y[1] - grid.y[0]) * (j + 0.5) / n;
    }
  }
  return new Tensor(data, [n * n, 2]);
}

/**
 * Which samples `train` holds out for a validation fraction and seed: the trainer forks its seed
 * (initialization first, the split second) and splits with `splitDataset`; this replays that.
 *
 * @param data The data given to `train`.
 * @param fraction The validation fraction (0 for none).
 * @param seed The run's seed.
 * @returns 1 for each held-out sample.
 *
 * @example
 * ```ts
 * import { heldOut } from "./run_data.ts";
 * import { xor } from "../../train/data/xor.ts";
 * import assert from "node:assert/strict";
 *
 * const flags = heldOut(xor({ samples: 20 }), 0.25, 0);
 * assert.equal(flags.reduce((a, b) => a + b, 0), 5);
 * ```
 */
export function heldOut(data: Dataset, fraction: number, seed: number): Uint8Array {
  const n = data.x.shape[0];
  const flags = new Uint8Array(n);
  if (!(fraction > 0)) return flags;
  const master = new Random(seed);
  master.fork();
  const rows: Dataset = { x: new Tensor(Float64Array.from({ length: n }, (_, i) => i), [n, 1]), y: data.y };
  for (const i of splitDataset(rows, fraction, master.fork()).validation.x.data) flags[i] = 1;
  return flags;
}

/**
 * The metrics of a run's completed epochs as the CLI's `metrics.jsonl` has them: each epoch's step
 * records, then the epoch's record, one JSON object per line.
 *
 * @param history The run's history.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { metricsJsonl } from "./run_data.ts";
 * import assert from "node:assert/strict";
 *
 * const text = metricsJsonl({
 *   epochs: [{ epoch: 1, step: 1, loss: 0.5, time: 0.1 }],
 *   steps: [{ epoch: 1, step: 0, loss: 0.7 }, { epoch: 2, step: 1, loss: 0.4 }],
 * });
 * assert.equal(text, '{"kind":"step","epoch":1,"step":0,"loss":0.7}\n{"kind":"epoch","epoch":1,"step":1,"loss":0.5,"time":0.1}\n');
 * ```
 */
export function metricsJsonl(history: History): string {
  const line = (kind: string, record: Record<string, number>) =>
    JSON.stringify({ kind, ...record }, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v)) +
    "\n";
  let text = "", s = 0;
  for (const e of history.epochs) {
    while (s < history.steps.length && history.steps[s].epoch <= e.epoch) text += line("step", history.steps[s++]);
    text += line("epoch", e);
  }
  return text;
}
