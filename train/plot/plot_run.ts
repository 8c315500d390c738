/**
 * Redrawing a run's charts from its metrics file.
 *
 * @module
 */

import { metricCharts, type MetricChartsOptions, type MetricRecord } from "./metric_charts.ts";
import { writeSvg } from "./write_svg.ts";

/** The metrics file a run directory holds. */
export const METRICS_FILE = "metrics.jsonl";

/**
 * Parses a metrics log in JSON Lines: one JSON object per line, blank lines
 * ignored. A line that is not a JSON object is an error naming its number,
 * except a truncated last line (a run killed mid-write), which is skipped.
 *
 * @param text The file's text.
 * @param source The file's name, for messages.
 * @returns The records, in order.
 * @throws {SyntaxError} Naming the source and line of a malformed record.
 *
 * @example
 * ```ts
 * import { parseMetrics } from "./plot_run.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseMetrics('{"epoch":1,"loss":0.5}\n\n{"epoch":2,"loss":0.3}\n{"epo'), [
 *   { epoch: 1, loss: 0.5 },
 *   { epoch: 2, loss: 0.3 },
 * ]);
 * assert.throws(() => parseMetrics('{"epoch":1}\n[1, 2]\n{"epoch":3}', "m.jsonl"), /m.jsonl line 2/);
 * ```
 */
export function parseMetrics(text: string, source = "the metrics"): MetricRecord[] {
  const lines = text.split("\n");
  const records: MetricRecord[] = [];
  const last = lines.findLastIndex((l) => l.trim() !== "");
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (i === last && !text.endsWith("\n")) return; // A record cut off by a crash.
      throw new SyntaxError(
        `Cannot read ${source} line ${i + 1} as it must be a JSON object: current value is ${
          JSON.stringify(line.slice(0, 60))
        }`,
      );
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new SyntaxError(
        `Cannot read ${source} line ${i + 1} as it must be a JSON object: current value is ${line.slice(0, 60)}`,
      );
    }
    records.push(value as MetricRecord);
  });
  return records;
}

/** Options of {@linkcode plotRun}. */
export interface PlotRunOptions extends MetricChartsOptions {
  /** Where to write the charts. @default {the (first) run directory} */
  out?: string;
  /** The legend name of each run, when several. @default {each directory's last path segment} */
  names?: readonly string[];
}

function baseName(path: string): string {
  const parts = path.replace(/[\\/]+$/, "").split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/**
 * Reads `metrics.jsonl` from one or more run directories and writes their
 * charts (`loss.svg`, `accuracy.svg`, …; see `metricCharts`) atomically.
 * With several directories the runs share each chart, one colour per run.
 *
 * Needs `--allow-read` for the run directories and `--allow-write` for `out`.
 *
 * @param dirs A run directory, or several to compare.
 * @param options `out`, `names`, and the chart options `title` (default: the folder's name for one run), `logY`, `width`, `height`.
 * @returns The paths written.
 * @throws {Deno.errors.NotFound} When a metrics file is missing (its path is named).
 * @throws {SyntaxError} When a metrics file is malformed.
 *
 * @example
 * ```ts
 * import { plotRun } from "./plot_run.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/metrics.jsonl`, '{"epoch":1,"loss":0.7}\n{"epoch":2,"loss":0.2}\n');
 * assert.deepEqual(await plotRun(dir), [`${dir}/loss.svg`]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function plotRun(dirs: string | readonly string[], options: PlotRunOptions = {}): Promise<string[]> {
  const list = typeof dirs === "string" ? [dirs] : [...dirs];
  if (list.length === 0 || list.some((d) => typeof d !== "string" || d === "")) {
    throw new TypeError(`Cannot plot runs as dirs must be one or more directory paths: current value is ${list}`);
  }
  const runs = await Promise.all(list.map(async (dir, i) => {
    const path = `${dir.replace(/[\\/]+$/, "")}/${METRICS_FILE}`;
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new Deno.errors.NotFound(`Cannot plot the run as its metrics file is missing: current path is ${path}`);
      }
      throw error;
    }
    return { name: options.names?.[i] ?? baseName(dir), records: parseMetrics(text, path) };
  }));
  const out = (options.out ?? list[0]).replace(/[\\/]+$/, "");
  if (options.out !== undefined) await Deno.mkdir(out, { recursive: true });
  const written: string[] = [];
  const title = options.title ?? (runs.length === 1 ? runs[0].name : undefined);
  for (const chart of metricCharts(runs, { ...options, title })) {
    const path = `${out}/${chart.file}`;
    await writeSvg(path, chart.svg);
    written.push(path);
  }
  return written;
}
