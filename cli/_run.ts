/**
 * Running one experiment into a run folder: progress on the terminal,
 * metrics as JSONL and CSV, checkpoints, charts, and a summary.
 *
 * @module
 */

import type { Registry } from "../core/registry.ts";
import { checkpoints } from "../train/callbacks/checkpoints.ts";
import { MODEL_FILE, saveModel } from "../train/model_io.ts";
import { csvLogger } from "../train/callbacks/csv_logger.ts";
import { jsonlLogger } from "../train/callbacks/jsonl_logger.ts";
import { progressBar } from "../train/callbacks/progress_bar.ts";
import type { EpochRecord, StepRecord } from "../train/history.ts";
import { metricCharts, type MetricRecord } from "../train/plot/metric_charts.ts";
import { parseMetrics } from "../train/plot/plot_run.ts";
import { sparkline, terminalChart } from "../train/plot/terminal_chart.ts";
import { writeSvg } from "../train/plot/write_svg.ts";
import { train, type TrainResult } from "../train/train.ts";
import type { RunData } from "./_setup.ts";
import type { Experiment } from "./experiment.ts";

/** Options of {@linkcode runExperiment}. */
export interface RunOptions {
  /** The run folder (created). */
  out: string;
  /** No progress output. */
  quiet: boolean;
  /** Continue from the folder's checkpoint. */
  resume: boolean;
  /** Printed before each progress line (compare's optimizer name). */
  label?: string;
}

/** What a run left behind. */
export interface RunOutcome {
  /** The trainer's result. */
  result: TrainResult;
  /** The records, as written to `metrics.jsonl`. */
  records: MetricRecord[];
  /** Seconds of training. */
  seconds: number;
}

/** The folder's files, in the order the summary lists them. */
export const RUN_FILES = {
  metrics: "metrics.jsonl",
  csv: "metrics.csv",
  checkpoint: "checkpoint",
  model: MODEL_FILE,
  experiment: "experiment.json",
};

/**
 * Whether colours may be used on standard output: it is a terminal and
 * `NO_COLOR` is not set.
 *
 * @returns `true` to colour.
 *
 * @example
 * ```ts
 * import { _colors } from "./_run.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(typeof _colors(), "boolean");
 * ```
 */
export function _colors(): boolean {
  return Deno.stdout.isTerminal() && !Deno.noColor;
}

/**
 * The experiment as JSON, as it was run (defaults and overrides applied),
 * for `experiment.json` in the run folder.
 *
 * @param experiment The experiment.
 * @returns Its JSON text.
 *
 * @example
 * ```ts
 * import { experimentJson } from "./_run.ts";
 * import { parseExperiment } from "./experiment.ts";
 * import assert from "node:assert/strict";
 *
 * const e = parseExperiment({ data: "xor", model: [{ name: "dense", units: 1 }], loss: "mse", optimizer: "sgd" }, "xor.json");
 * assert.deepEqual(parseExperiment(JSON.parse(experimentJson(e)), "xor.json"), e);
 * ```
 */
export function experimentJson(experiment: Experiment): string {
  // Unset optional keys are left out, so the file reads back as the same experiment.
  const set = Object.entries(experiment).filter(([, value]) => value !== null);
  return JSON.stringify(Object.fromEntries(set), null, 2) + "\n";
}

/**
 * Trains one experiment, writing metrics (JSONL and CSV), a checkpoint and
 * `experiment.json` into `out` as it goes, and the trained model
 * (`model.safetensors`, the best epoch's weights with early stopping) at the end.
 *
 * @param experiment The checked experiment.
 * @param registry Where its names are looked up.
 * @param data Its data.
 * @param options `out`, `quiet`, `resume`, `label`.
 * @returns The result, the records and the time taken.
 *
 * @example
 * ```ts
 * import { runExperiment, summary } from "./_run.ts";
 * import { parseExperiment } from "./experiment.ts";
 * import { createRegistry } from "../plugins/mod.ts";
 * import { xor } from "../train/data/xor.ts";
 * import assert from "node:assert/strict";
 *
 * const e = parseExperiment(
 *   { data: "xor", model: [{ name: "dense", units: 1 }], loss: "mse", optimizer: "sgd", epochs: 2, batching: "full" },
 *   "xor.json",
 * );
 * const out = await Deno.makeTempDir();
 * const { result, records } = await runExperiment(e, createRegistry(), { train: xor(), validation: undefined }, {
 *   out,
 *   quiet: true,
 *   resume: false,
 * });
 * assert.equal(result.epochs, 2);
 * assert.equal(records.length, 2);
 * assert.match(summary(result, 0.1), /epoch 2, step 2: loss/);
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function runExperiment(
  experiment: Experiment,
  registry: Registry,
  data: RunData,
  options: RunOptions,
): Promise<RunOutcome> {
  const { out } = options;
  await Deno.mkdir(out, { recursive: true });
  await Deno.writeTextFile(`${out}/${RUN_FILES.experiment}`, experimentJson(experiment));
  const encoder = new TextEncoder();
  const write = (text: string) => {
    const bytes = encoder.encode(options.label ? text.replace(/^(?=.)/gm, `[${options.label}] `) : text);
    let done = 0;
    while (done < bytes.length) done += Deno.stdout.writeSync(bytes.subarray(done));
  };
  const callbacks = [
    jsonlLogger({ path: `${out}/${RUN_FILES.metrics}`, steps: experiment.recordSteps }),
    csvLogger({ path: `${out}/${RUN_FILES.csv}` }),
    checkpoints({ dir: `${out}/${RUN_FILES.checkpoint}` }),
    ...(options.quiet ? [] : [progressBar(options.label ? { write, live: false } : {})]),
  ];
  const started = performance.now();
  const result = await train({
    model: structuredClone(experiment.model),
    loss: { ...experiment.loss },
    optimizer: { ...experiment.optimizer },
    ...(experiment.scheduler ? { scheduler: { ...experiment.scheduler } } : {}),
    regularizers: experiment.regularizers.map((r) => ({ ...r })),
    data: data.train,
    validation: data.validation,
    epochs: experiment.epochs,
    batchSize: experiment.batchSize,
    batching: experiment.batching,
    metrics: experiment.metrics.map((m) => (typeof m === "string" ? m : { ...m })),
    seed: experiment.seed,
    ...(experiment.backend ? { backend: { ...experiment.backend } } : {}),
    earlyStopping: experiment.earlyStopping ?? false,
    recordSteps: experiment.recordSteps,
    gradientNorms: experiment.gradientNorms,
    registry,
    callbacks,
    ...(options.resume ? { resume: `${out}/${RUN_FILES.checkpoint}` } : {}),
    progress: false,
  });
  await saveModel(`${out}/${RUN_FILES.model}`, result);
  const seconds = (performance.now() - started) / 1000;
  // A checkpoint holds no history: a resumed run's records, for its charts and summary, are its metrics log's.
  if (options.resume) result.history = await loggedHistory(`${out}/${RUN_FILES.metrics}`);
  const records: MetricRecord[] = [
    ...result.history.epochs.map((r) => ({ kind: "epoch", ...r })),
    ...result.history.steps.map((r) => ({ kind: "step", ...r })),
  ];
  return { result, records, seconds };
}

/** The history a metrics log holds (`"NaN"` and `"Infinity"` read back as numbers). */
async function loggedHistory(path: string): Promise<TrainResult["history"]> {
  const history: TrainResult["history"] = { epochs: [], steps: [] };
  for (const line of parseMetrics(await Deno.readTextFile(path), path)) {
    const { kind, ...fields } = line as Record<string, unknown>;
    const record = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Number(v)]));
    if (kind === "step") history.steps.push(record as StepRecord);
    else history.epochs.push(record as EpochRecord);
  }
  return history;
}

/**
 * Writes the charts of one or more runs into a folder.
 *
 * @param out The folder.
 * @param runs The runs' names and records.
 * @param title The charts' title prefix.
 * @returns The file names written.
 *
 * @example
 * ```ts
 * import { writeCharts } from "./_run.ts";
 * import assert from "node:assert/strict";
 *
 * const out = await Deno.makeTempDir();
 * const files = await writeCharts(out, [{ name: "run", records: [{ epoch: 1, loss: 1 }, { epoch: 2, loss: 0.5 }] }], "demo");
 * assert.deepEqual(files, ["loss.svg"]);
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function writeCharts(
  out: string,
  runs: readonly { name: string; records: readonly MetricRecord[] }[],
  title: string,
): Promise<string[]> {
  const files: string[] = [];
  for (const chart of metricCharts(runs, { title })) {
    await writeSvg(`${out}/${chart.file}`, chart.svg);
    files.push(chart.file);
  }
  return files;
}

/**
 * A metric value for a summary: percentages for accuracy-like keys, four
 * significant digits otherwise.
 *
 * @param key The record key.
 * @param value The value, or undefined for a dash.
 * @returns The text.
 *
 * @example
 * ```ts
 * import { formatMetric } from "./_run.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(formatMetric("valAccuracy", 0.8125), "81.3%");
 * assert.equal(formatMetric("loss", 0.123456), "0.1235");
 * assert.equal(formatMetric("loss", undefined), "–");
 * ```
 */
export function formatMetric(key: string, value: number | undefined): string {
  if (value === undefined) return "–";
  if (!Number.isFinite(value)) return String(value);
  if (/acc/i.test(key)) return `${(100 * value).toFixed(1)}%`;
  return Math.abs(value) >= 1e-3 && Math.abs(value) < 1e4 ? value.toPrecision(4) : value.toExponential(2);
}

/**
 * The end-of-run text: a braille chart of the loss (training and
 * validation), then the last epoch's figures.
 *
 * @param result The trainer's result.
 * @param seconds Seconds of training.
 * @returns The lines, joined.
 *
 * @example
 * ```ts
 * import { summary } from "./_run.ts";
 * import type { TrainResult } from "../train/train.ts";
 * import assert from "node:assert/strict";
 *
 * const history = { epochs: [{ epoch: 1, step: 4, loss: 0.5, time: 1 }, { epoch: 2, step: 8, loss: 0.25, time: 2 }], steps: [] };
 * const text = summary({ history, stopReason: "completed", bestEpoch: null } as unknown as TrainResult, 2);
 * assert.match(text, /epoch 2, step 8: loss 0\.2500 in 2\.0 s$/);
 * ```
 */
export function summary(result: TrainResult, seconds: number): string {
  const epochs = result.history.epochs;
  const last: EpochRecord | undefined = epochs.at(-1);
  if (last === undefined) return "no epoch was run";
  const x = epochs.map((e) => e.epoch);
  const series = [{ name: "loss", x, y: epochs.map((e) => e.loss) }];
  if (epochs.some((e) => e.valLoss !== undefined)) {
    series.push({ name: "valLoss", x, y: epochs.map((e) => e.valLoss ?? NaN) });
  }
  const losses = series.flatMap((s) => s.y).filter((v) => v > 0 && Number.isFinite(v));
  const logY = losses.length > 1 && Math.max(...losses) / Math.min(...losses) > 10;
  const lines: string[] = [];
  const color = _colors();
  if (epochs.length >= 2) {
    // Without colour two braille curves cannot be told apart: chart the training loss, sparkline the rest.
    const drawn = color ? series : series.slice(0, 1);
    lines.push(
      terminalChart(drawn, {
        width: 50,
        height: 8,
        logY,
        title: `loss${logY ? " (log scale)" : ""}`,
        xLabel: "epoch",
        color,
      }),
    );
    for (const s of series.slice(drawn.length)) {
      lines.push(`${s.name.padStart(7)} ${sparkline(s.y, { width: 50, logY })}`);
    }
  }
  const keys = Object.keys(last).filter((k) =>
    !["epoch", "step", "time", "learningRate", "penalty"].includes(k) && !k.startsWith("gradNorm.")
  );
  const figures = keys.map((k) => `${k} ${formatMetric(k, last[k])}`).join(", ");
  const stop = result.stopReason === "completed"
    ? ""
    : ` (stopped: ${result.stopReason}${result.bestEpoch !== null ? `, best epoch ${result.bestEpoch}` : ""})`;
  lines.push(`epoch ${last.epoch}, step ${last.step}: ${figures} in ${seconds.toFixed(1)} s${stop}`);
  return lines.join("\n");
}
