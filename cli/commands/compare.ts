/**
 * `gradflow compare <experiment.json> --optimizers sgd,momentum,adam`: the
 * same experiment with each optimizer, one chart per metric and one table.
 *
 * @module
 */

import { writeFileAtomic } from "../../train/io/atomic_write.ts";
import { parseMetrics } from "../../train/plot/plot_run.ts";
import type { MetricRecord } from "../../train/plot/metric_charts.ts";
import { COMMAND_FLAGS, listFlag, parseFlags } from "../_args.ts";
import { _oneLine, _prepare, UsageError } from "../_errors.ts";
import { formatMetric, RUN_FILES, runExperiment, writeCharts } from "../_run.ts";
import { buildRegistry, checkChoices, loadData, readExperiment, withPluginFlags } from "../_setup.ts";
import type { Overrides } from "../experiment.ts";
import { overridesFrom } from "./train.ts";

/** The help text of `gradflow compare`. */
export const COMPARE_HELP = `Usage: gradflow compare <experiment.json> --optimizers <list> [flags]

Train the same experiment (same data, model, initialization and seed) once
per optimizer, then draw every run in one chart per metric and print a
table. Each run has its folder under the output folder; the charts and
summary.csv (the table's figures as numbers, and the same status) are in the
output folder itself. An output folder that holds an earlier comparison is
refused unless --overwrite is given, which removes that comparison first.

  --optimizers <list>   comma-separated optimizers, each a name with optional
                        options after colons: sgd,momentum,adam or
                        "sgd:learningRate=0.5,adam:learningRate=0.01".
                        The file's own optimizer keeps its options when named
                        without any; the others start from their defaults.

Other flags are those of train (except --optimizer and --resume):
  --learning-rate, --loss, --epochs, --batch-size, --batching, --seed, --backend, --dtype,
  --threads, --set, --plugin (repeatable), --quiet, and --out <dir> (default runs/<name>-compare).
  --overwrite           replace an earlier comparison in the output folder

Exit codes: 0 every run trained, 1 some run failed (the others are still
charted, and the table says why), 2 usage error.

Example:
  gradflow compare examples/experiments/spirals.json --optimizers sgd,momentum,adam --epochs 20
`;

/** One entry of `--optimizers`. */
export interface OptimizerEntry {
  /** The optimizer's name. */
  name: string;
  /** Options given after colons. */
  options: Record<string, unknown>;
  /** The entry as typed, for the legend. */
  label: string;
}

/**
 * Parses `--optimizers`: `name[:key=value…],…`. Values are read as JSON
 * when they parse, else as text.
 *
 * @param text The flag's value.
 * @returns The entries.
 * @throws {UsageError} For an empty list, name or option.
 *
 * @example
 * ```ts
 * import { parseOptimizers } from "./compare.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseOptimizers("sgd,adam:learningRate=0.01"), [
 *   { name: "sgd", options: {}, label: "sgd" },
 *   { name: "adam", options: { learningRate: 0.01 }, label: "adam (learningRate=0.01)" },
 * ]);
 * ```
 */
export function parseOptimizers(text: string): OptimizerEntry[] {
  const entries = text.split(",").map((s) => s.trim());
  if (entries.length === 0 || entries.some((e) => e === "")) {
    throw new UsageError(
      `Cannot use --optimizers as it must be names separated by commas (sgd,adam): current value is "${text}"`,
    );
  }
  return entries.map((entry) => {
    const [name, ...pairs] = entry.split(":").map((s) => s.trim());
    if (name === "") throw new UsageError(`Cannot use --optimizers as "${entry}" has no optimizer name`);
    const options: Record<string, unknown> = {};
    for (const pair of pairs) {
      const eq = pair.indexOf("=");
      if (eq <= 0) {
        throw new UsageError(
          `Cannot use --optimizers as each option must be key=value (adam:learningRate=0.01): current value is "${pair}"`,
        );
      }
      const raw = pair.slice(eq + 1);
      let value: unknown = raw;
      try {
        value = JSON.parse(raw);
      } catch {
        // Plain text.
      }
      options[pair.slice(0, eq)] = value;
    }
    return { name, options, label: pairs.length ? `${name} (${pairs.join(", ")})` : name };
  });
}

function folderNames(entries: readonly OptimizerEntry[]): string[] {
  const seen = new Map<string, number>();
  return entries.map((e) => {
    const n = (seen.get(e.name) ?? 0) + 1;
    seen.set(e.name, n);
    return n === 1 ? e.name : `${e.name}-${n}`;
  });
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => [...r[c]].length)));
  const last = rows[0].length - 1;
  const line = (r: string[]) =>
    r.map((cell, c) => (c === 0 || c === last ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ")
      .trimEnd();
  return [line(rows[0]), widths.map((w) => "─".repeat(w)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Runs `gradflow compare`.
 *
 * @param args The arguments after `compare`.
 * @returns The exit code.
 *
 * @example
 * ```ts
 * import { compareCommand } from "./compare.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await compareCommand(["--help"]), 0);
 * ```
 */
export async function compareCommand(args: readonly string[]): Promise<number> {
  const prepared = await _prepare(async () => {
    const { values, positionals } = parseFlags("compare", args, COMMAND_FLAGS.compare);
    if (values.help) return null;
    if (positionals.length !== 1) {
      throw new UsageError(
        `Cannot run compare as it takes one experiment file (gradflow compare <experiment.json> --optimizers sgd,adam): current arguments are ${
          positionals.length ? positionals.join(" ") : "none"
        }`,
      );
    }
    if (values.optimizer !== undefined) {
      throw new UsageError(
        `Cannot run compare with --optimizer as it takes a list: use --optimizers ${values.optimizer},…`,
      );
    }
    if (values.optimizers === undefined) {
      throw new UsageError(`Cannot run compare as --optimizers is missing: e.g. --optimizers sgd,momentum,adam`);
    }
    const entries = parseOptimizers(String(values.optimizers));
    const { out: outFlag, ...overrides } = overridesFrom(values);
    const base = await readExperiment(positionals[0], overrides);
    // Plugins given on the command line are part of every run: each experiment.json records them.
    const plugins = withPluginFlags(listFlag(values.plugin), base.plugins);
    base.plugins = plugins;
    const registry = await buildRegistry([], plugins);
    const experiments = [];
    for (const entry of entries) {
      const keepFile = entry.name === base.optimizer.name && Object.keys(entry.options).length === 0 &&
        overrides.learningRate === undefined;
      const own: Overrides = keepFile ? overrides : {
        ...overrides,
        optimizer: entry.name,
        set: [
          ...(overrides.set ?? []),
          ...Object.entries(entry.options).map(([k, v]) => `optimizer.${k}=${JSON.stringify(v)}`),
        ],
      };
      const experiment = keepFile ? base : await readExperiment(positionals[0], own);
      experiment.plugins = plugins;
      checkChoices(experiment, registry);
      experiments.push(experiment);
    }
    const data = await loadData(base);
    const root = (outFlag ?? base.out ?? `runs/${base.name}-compare`).replace(/[\\/]+$/, "");
    await clearEarlierComparison(root, values.overwrite === true);
    return { entries, experiments, registry, data, root, quiet: values.quiet === true, name: base.name };
  });
  if (prepared === null) {
    console.log(COMPARE_HELP);
    return 0;
  }
  const { entries, experiments, registry, data, root, quiet, name } = prepared;
  const folders = folderNames(entries);
  const runs: { name: string; records: MetricRecord[] }[] = [];
  const rows: {
    label: string;
    last?: Record<string, number>;
    epochs: number;
    seconds?: number;
    error?: string;
    stop?: string;
  }[] = [];
  let failed = false;
  for (const [i, experiment] of experiments.entries()) {
    const out = `${root}/${folders[i]}`;
    const label = entries[i].label;
    try {
      const r = await runExperiment(experiment, registry, data, { out, quiet, resume: false, label: folders[i] });
      runs.push({ name: label, records: r.records });
      const stop = r.result.stopReason === "completed"
        ? undefined
        : `${r.result.stopReason}${r.result.bestEpoch !== null ? ` (best epoch ${r.result.bestEpoch})` : ""}`;
      rows.push({ label, last: r.result.history.epochs.at(-1), epochs: r.result.epochs, seconds: r.seconds, stop });
    } catch (error) {
      failed = true;
      const message = _oneLine(error);
      console.error(`[${folders[i]}] error: ${message}`);
      let records: MetricRecord[] = [];
      try {
        records = parseMetrics(await Deno.readTextFile(`${out}/${RUN_FILES.metrics}`), `${out}/${RUN_FILES.metrics}`);
      } catch {
        // No epoch finished.
      }
      runs.push({ name: label, records });
      const epochs = records.filter((r) => r.kind === "epoch");
      rows.push({
        label,
        last: epochs.at(-1) as Record<string, number> | undefined,
        epochs: epochs.length,
        error: message,
      });
    }
  }
  const charts = await writeCharts(root, runs, `${name} by optimizer`);

  const keys = ["loss", "valLoss", "accuracy", "valAccuracy"].filter((k) =>
    rows.some((r) => r.last?.[k] !== undefined)
  );
  const header = ["optimizer", "epochs", ...keys, "seconds", "status"];
  const status = (r: (typeof rows)[number]) =>
    r.error !== undefined ? `failed: ${r.error}` : r.stop === undefined ? "ok" : `stopped: ${r.stop}`;
  const cells = rows.map((r) => {
    const s = status(r);
    return [
      r.label,
      String(r.epochs),
      ...keys.map((k) => formatMetric(k, r.last?.[k] as number | undefined)),
      r.seconds === undefined ? "–" : r.seconds.toFixed(1),
      s.length > 68 ? `${s.slice(0, 65)}...` : s,
    ];
  });
  console.log(table([header, ...cells]));
  // The CSV holds the same rows as the table, with numbers as numbers (full precision; empty when absent).
  const number = (v: number | undefined) => (v === undefined ? "" : String(v));
  const csv = [
    header,
    ...rows.map((r) => [
      r.label,
      String(r.epochs),
      ...keys.map((k) => number(r.last?.[k] as number | undefined)),
      number(r.seconds === undefined ? undefined : Math.round(r.seconds * 1000) / 1000),
      status(r),
    ]),
  ].map((r) => r.map(csvCell).join(",")).join("\n") + "\n";
  await writeFileAtomic(`${root}/summary.csv`, csv);
  console.log(`wrote ${root}/: ${[...charts, "summary.csv", ...folders.map((f) => f + "/")].join(", ")}`);
  return failed ? 1 : 0;
}

/** What a comparison writes into its output folder: the summary, the charts, and one run folder each. */
async function earlierComparison(root: string): Promise<{ runs: string[]; files: string[]; other: string[] }> {
  const found = { runs: [] as string[], files: [] as string[], other: [] as string[] };
  try {
    for await (const entry of Deno.readDir(root)) {
      const path = `${root}/${entry.name}`;
      let isRun = false;
      if (entry.isDirectory) {
        isRun = await Deno.stat(`${path}/${RUN_FILES.experiment}`).then(() => true, () => false) ||
          await Deno.stat(`${path}/${RUN_FILES.metrics}`).then(() => true, () => false);
      }
      if (isRun) found.runs.push(entry.name);
      else if (entry.isFile && (entry.name === "summary.csv" || entry.name.endsWith(".svg"))) {
        found.files.push(entry.name);
      } else found.other.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return found;
    throw error;
  }
  found.runs.sort();
  found.files.sort();
  return found;
}

/**
 * Makes sure no earlier comparison's results mix with this one's: without
 * `overwrite`, an output folder holding one is refused; with it, that
 * comparison's run folders, charts and summary are removed (anything else in
 * the folder is left alone).
 *
 * @param root The output folder.
 * @param overwrite Whether `--overwrite` was given.
 * @throws {UsageError} When the folder holds an earlier comparison and `overwrite` is not set.
 */
async function clearEarlierComparison(root: string, overwrite: boolean): Promise<void> {
  const { runs, files } = await earlierComparison(root);
  if (runs.length === 0 && files.length === 0) return;
  if (!overwrite) {
    const listed = [...runs.map((r) => `${r}/`), ...files];
    throw new UsageError(
      `Cannot compare into ${root} as it holds an earlier comparison (${
        listed.length > 6 ? [...listed.slice(0, 6), "…"].join(", ") : listed.join(", ")
      }): pass --overwrite to replace it, or --out <another folder>`,
    );
  }
  for (const run of runs) await Deno.remove(`${root}/${run}`, { recursive: true });
  for (const file of files) await Deno.remove(`${root}/${file}`);
}
