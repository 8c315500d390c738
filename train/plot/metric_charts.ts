/**
 * From training metrics to charts: one SVG per metric (loss, accuracy, …)
 * with training and validation curves of one run, or of several runs to
 * compare.
 *
 * @module
 */

import { lineChart, type LineSeries } from "./line_chart.ts";
import { _seriesStyle } from "./_svg.ts";

/** One line of a metrics log: an epoch's or a step's numbers (`{ epoch: 3, loss: 0.2, valLoss: 0.3 }`). */
export type MetricRecord = Readonly<Record<string, unknown>>;

/** A named run's metrics, for {@linkcode metricCharts}. */
export interface RunMetrics {
  /** The run's name, shown in the legend when there are several runs (`"adam"`). */
  name: string;
  /** Its records, in order. */
  records: readonly MetricRecord[];
}

/** A chart to write: its file name and its SVG. */
export interface ChartFile {
  /** A file name such as `"loss.svg"` or `"loss-steps.svg"`. */
  file: string;
  /** The metric family drawn (`"loss"`). */
  metric: string;
  /** The SVG document. */
  svg: string;
}

/** Options of {@linkcode metricCharts}. */
export interface MetricChartsOptions {
  /** Put before each chart's title, e.g. the experiment's name. */
  title?: string;
  /** Use a log y axis: always, never, or for loss-like metrics spanning more than one decade. @default {"auto"} */
  logY?: boolean | "auto";
  /** Chart width in pixels. @default {720} */
  width?: number;
  /** Chart height in pixels. @default {420} */
  height?: number;
}

/** Fields that are counters or clocks rather than metrics. */
const NOT_METRICS = new Set([
  "epoch",
  "step",
  "iteration",
  "kind",
  "type",
  "time",
  "timestamp",
  "elapsed",
  "elapsedMs",
  "elapsedSeconds",
  "seconds",
  "durationMs",
  "batch",
  "batches",
  "samples",
  "samplesPerSecond",
  "stepsPerSecond",
]);

const NON_FINITE: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };

const SPLITS: [RegExp, string][] = [
  [/^(val|validation|valid|test)[_.\- ]?/i, "validation"],
  [/^train(ing)?[_.\- ]?/i, "train"],
];

/** Splits a metric key into its family and split: `valLoss` → `["loss", "validation"]`. */
function classify(key: string): { family: string; split: string } {
  // Per-layer gradient norms (`gradNorm.0`, `gradNorm.2`) share one chart, a line per layer.
  const layer = /^gradNorm\.(.+)$/.exec(key);
  if (layer) return { family: "gradNorm", split: `layer ${layer[1]}` };
  for (const [pattern, split] of SPLITS) {
    const m = key.match(pattern);
    if (m && key.length > m[0].length) {
      const rest = key.slice(m[0].length);
      return { family: rest[0].toLowerCase() + rest.slice(1), split };
    }
  }
  return { family: key, split: "train" };
}

function isStepRecord(r: MetricRecord): boolean {
  return r.kind === "step" || r.type === "step";
}

/** The x value of a record: its epoch, or for step records its step. */
function xOf(r: MetricRecord, steps: boolean): number | undefined {
  const v = steps ? (r.step ?? r.iteration) : (r.epoch ?? r.step);
  return typeof v === "number" ? v : undefined;
}

const LABELS: Record<string, string> = {
  loss: "loss",
  accuracy: "accuracy",
  acc: "accuracy",
  gradNorm: "gradient norm",
  learningRate: "learning rate",
};

function chartsFor(
  runs: readonly RunMetrics[],
  steps: boolean,
  options: MetricChartsOptions,
): ChartFile[] {
  const select = runs.map((run) => run.records.filter((r) => isStepRecord(r) === steps && xOf(r, steps) !== undefined));
  // family → split → run index → points
  const families = new Map<string, Map<string, Map<number, { x: number[]; y: number[] }>>>();
  select.forEach((records, runIndex) => {
    for (const r of records) {
      for (const [key, value] of Object.entries(r)) {
        // Loggers write non-finite numbers as the strings "NaN", "Infinity", "-Infinity".
        const number = typeof value === "number" ? value : NON_FINITE[value as string];
        if (NOT_METRICS.has(key) || number === undefined) continue;
        const { family, split } = classify(key);
        let bySplit = families.get(family);
        if (!bySplit) families.set(family, bySplit = new Map());
        let byRun = bySplit.get(split);
        if (!byRun) bySplit.set(split, byRun = new Map());
        let points = byRun.get(runIndex);
        if (!points) byRun.set(runIndex, points = { x: [], y: [] });
        points.x.push(xOf(r, steps)!);
        points.y.push(number);
      }
    }
  });
  const files: ChartFile[] = [];
  const order = (a: string) => (a === "loss" ? 0 : a === "accuracy" ? 1 : 2);
  for (const family of [...families.keys()].sort((a, b) => order(a) - order(b) || a.localeCompare(b))) {
    const bySplit = families.get(family)!;
    const splits = [...bySplit.keys()].sort((a, b) => (a === "train" ? -1 : b === "train" ? 1 : a.localeCompare(b)));
    const series: LineSeries[] = [];
    for (const [s, split] of splits.entries()) {
      for (const [runIndex, points] of [...bySplit.get(split)!.entries()].sort((a, b) => a[0] - b[0])) {
        const name = runs.length > 1
          ? (split === "train" ? runs[runIndex].name : `${runs[runIndex].name} (${split})`)
          : split;
        const base = runs.length > 1 ? _seriesStyle(runIndex) : _seriesStyle(s);
        series.push({ name, x: points.x, y: points.y, color: base.color, dash: runs.length > 1 && s > 0 ? "6 3" : "" });
      }
    }
    const values = series.flatMap((s) => s.y).filter((v) => Number.isFinite(v));
    // Constant learning rates say nothing a chart could add.
    if (family === "learningRate" && series.every((s) => s.y.every((v) => v === s.y[0]))) continue;
    const positive = values.length > 0 && values.every((v) => v > 0);
    const wide = positive && Math.max(...values) / Math.min(...values) > 10;
    const logY = options.logY === true ? positive : options.logY === false ? false : wide && !/acc/i.test(family);
    const label = LABELS[family] ?? family;
    const what = `${label[0].toUpperCase()}${label.slice(1)}${steps ? " per step" : ""}`;
    files.push({
      file: `${family.replace(/[^A-Za-z0-9_-]+/g, "-")}${steps ? "-steps" : ""}.svg`,
      metric: family,
      svg: lineChart(series, {
        title: options.title ? `${options.title}: ${what}` : what,
        xLabel: steps ? "iteration" : "epoch",
        yLabel: label + (logY ? " (log scale)" : ""),
        logY,
        width: options.width,
        height: options.height,
      }),
    });
  }
  return files;
}

/**
 * Makes one chart per metric found in the records: per-epoch records give
 * `loss.svg`, `accuracy.svg`, … against epochs; per-step records (those with
 * `kind: "step"`) give `loss-steps.svg`, … against iterations. Keys are
 * grouped by name: `loss`, `valLoss`, `val_loss` and `validation.loss` are all
 * the family `loss`, drawn as "train" and "validation" lines. With several
 * runs, each run has its colour and validation lines are dashed. Counters
 * and clocks (`epoch`, `step`, `time`, `elapsedMs`, `samplesPerSecond`, …)
 * are not charted, nor are constant learning rates; per-layer gradient norms
 * (`gradNorm.<layer>`) share `gradNorm.svg`. Loss-like metrics that span more than a decade get a log
 * axis unless `logY` says otherwise.
 *
 * @param runs One run, or several to compare (`{ name, records }`).
 * @param options `title`, `logY`, `width`, `height`.
 * @returns The charts, loss first, then accuracy, then the rest by name.
 * @throws {TypeError} When `runs` is not an array of `{ name, records }`.
 *
 * @example One run's loss and accuracy
 * ```ts
 * import { metricCharts } from "./metric_charts.ts";
 * import assert from "node:assert/strict";
 *
 * const records = [
 *   { epoch: 1, loss: 0.69, accuracy: 0.5, valLoss: 0.7, valAccuracy: 0.48 },
 *   { epoch: 2, loss: 0.4, accuracy: 0.8, valLoss: 0.45, valAccuracy: 0.75 },
 *   { kind: "step", epoch: 2, step: 7, loss: 0.41 },
 * ];
 * const charts = metricCharts([{ name: "run", records }]);
 * assert.deepEqual(charts.map((c) => c.file), ["loss.svg", "accuracy.svg", "loss-steps.svg"]);
 * assert.equal(charts[0].svg.match(/<g class="series"/g)?.length, 2);
 * ```
 */
export function metricCharts(runs: readonly RunMetrics[], options: MetricChartsOptions = {}): ChartFile[] {
  if (!Array.isArray(runs)) {
    throw new TypeError(
      `Cannot chart metrics as runs must be an array of { name, records }: current value is ${typeof runs}`,
    );
  }
  runs.forEach((run, i) => {
    if (typeof run?.name !== "string" || !Array.isArray(run.records)) {
      throw new TypeError(
        `Cannot chart metrics as runs[${i}] must be { name, records }: current value is ${typeof run}`,
      );
    }
  });
  return [...chartsFor(runs, false, options), ...chartsFor(runs, true, options)];
}
