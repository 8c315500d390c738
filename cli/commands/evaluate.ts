/**
 * `gradflow evaluate <run> <data>`: the loss and metrics of a trained model on data.
 *
 * @module
 */

import { matrixOf } from "../../plugins/metrics/confusion_matrix.ts";
import { evaluate } from "../../train/evaluate.ts";
import { confusionHeatmap, confusionTable } from "../../train/plot/confusion_matrix.ts";
import { writeSvg } from "../../train/plot/write_svg.ts";
import { COMMAND_FLAGS, listFlag, numberFlag, parseFlags } from "../_args.ts";
import { _prepare, UsageError } from "../_errors.ts";
import { openRun, readDataArgument } from "../_inputs.ts";
import { formatMetric } from "../_run.ts";

/** The help text of `gradflow evaluate`. */
export const EVALUATE_HELP = `Usage: gradflow evaluate <run> <data> [flags]

Evaluate a trained model on data, like Keras's model.evaluate: the loss and
the metrics over every sample, in evaluation mode.

Arguments:
  run     a run folder of gradflow train (its model.safetensors, or its last
          checkpoint), a model.safetensors file, or a checkpoint folder
  data    a CSV file (read with the run's target and feature columns), a .json
          data set or experiment file, or inline JSON such as
          '{"name":"two-spirals","samples":200,"seed":7}'

Flags:
  --metrics <list>      metrics, comma-separated (default: the run's): accuracy,f1,
                        precision,recall,roc-auc,top-k-accuracy,confusion-matrix
  --loss <name>         the loss to report (default: the run's)
  --format <format>     text (default), json or csv
  --heatmap <file.svg>  also draw the confusion matrix as an SVG heatmap
  --split <split>       train or test, for a data set with both (default test)
  --batch-size <n>      samples per forward pass (default 1024)
  --plugin <url|path>   load a third-party plugin first (repeatable)
  -h, --help            show this help

Exit codes: 0 evaluated, 1 the evaluation failed, 2 usage error.

Examples:
  gradflow evaluate runs/spirals '{"name":"two-spirals","samples":400,"seed":9}'
  gradflow evaluate runs/iris test.csv --metrics accuracy,f1,confusion-matrix --heatmap cm.svg
  gradflow evaluate runs/fashion '{"name":"fashion-mnist"}' --format json
`;

const FORMATS = ["text", "json", "csv"] as const;

/**
 * Checks `--format`.
 *
 * @param value The flag's value.
 * @returns The format.
 * @throws {UsageError} For another value.
 */
export function formatFlag(value: unknown): (typeof FORMATS)[number] {
  if (value === undefined) return "text";
  if (!FORMATS.includes(value as never)) {
    throw new UsageError(
      `Cannot use --format as it must be one of ${FORMATS.join(", ")}: current value is ${JSON.stringify(value)}`,
    );
  }
  return value as (typeof FORMATS)[number];
}

/**
 * Runs `gradflow evaluate`.
 *
 * @param args The arguments after `evaluate`.
 * @returns The exit code.
 *
 * @example
 * ```ts
 * import { evaluateCommand } from "./evaluate.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await evaluateCommand(["--help"]), 0);
 * ```
 */
export async function evaluateCommand(args: readonly string[]): Promise<number> {
  const prepared = await _prepare(async () => {
    const { values, positionals } = parseFlags("evaluate", args, COMMAND_FLAGS.evaluate);
    if (values.help) return null;
    if (positionals.length !== 2) {
      throw new UsageError(
        `Cannot run evaluate as it takes a run and data (gradflow evaluate <run> <data>): current arguments are ${
          positionals.length ? positionals.join(" ") : "none"
        }`,
      );
    }
    const format = formatFlag(values.format);
    if (values.split !== undefined && values.split !== "train" && values.split !== "test") {
      throw new UsageError(
        `Cannot use --split as it must be train or test: current value is ${JSON.stringify(values.split)}`,
      );
    }
    const batchSize = numberFlag("batch-size", values["batch-size"], { integer: true, min: 1 });
    const run = await openRun(positionals[0], listFlag(values.plugin));
    const { experiment } = run;
    const metrics: (string | { name: string })[] = values.metrics !== undefined
      ? String(values.metrics).split(",").map((m) => m.trim()).filter((m) => m !== "")
      : [...(experiment?.metrics ?? [])];
    const heatmap = values.heatmap === undefined ? undefined : String(values.heatmap);
    if (heatmap !== undefined && !metrics.some((m) => (typeof m === "string" ? m : m.name) === "confusion-matrix")) {
      metrics.push("confusion-matrix");
    }
    for (const m of metrics) run.registry.get("metric", typeof m === "string" ? m : m.name);
    const loss = values.loss !== undefined ? String(values.loss) : experiment?.loss ?? undefined;
    if (loss !== undefined) run.registry.get("loss", typeof loss === "string" ? loss : loss.name);
    const data = await readDataArgument(positionals[1], {
      experiment,
      targets: true,
      split: values.split as "train" | "test" | undefined,
      command: "evaluate",
    });
    return { run, data, metrics, loss, format, heatmap, batchSize, where: positionals[0] };
  });
  if (prepared === null) {
    console.log(EVALUATE_HELP);
    return 0;
  }
  const { run, data, metrics, loss, format, heatmap, batchSize, where } = prepared;
  const scores = evaluate(run.model, data, {
    metrics,
    registry: run.registry,
    ...(loss === undefined ? {} : { loss: typeof loss === "string" ? loss : { ...loss } }),
    ...(batchSize === undefined ? {} : { batchSize }),
  });
  // The confusion matrix is a table, not a figure: gather its counts back into rows.
  const counts = Object.fromEntries(
    Object.entries(scores).filter(([k]) => k.startsWith("confusionMatrix.")).map(([k, v]) => [
      k.slice("confusionMatrix.".length),
      v as number,
    ]),
  );
  const matrix = Object.keys(counts).length > 0 ? matrixOf(counts) : null;
  const figures = Object.entries(scores).filter(([k]) => !k.startsWith("confusionMatrix."));
  if (format === "json") {
    console.log(
      JSON.stringify({ ...Object.fromEntries(figures), ...(matrix ? { confusionMatrix: matrix } : {}) }, null, 2),
    );
  } else if (format === "csv") {
    const entries = Object.entries(scores);
    console.log(entries.map(([k]) => k).join(","));
    console.log(entries.map(([, v]) => String(v)).join(","));
  } else {
    const shown = figures.filter(([k]) => k !== "samples").map(([k, v]) => `${k} ${formatMetric(k, v)}`);
    console.log(
      `evaluated ${where} on ${scores.samples} samples: ${shown.join(", ") || "no loss or metric asked for"}`,
    );
    if (matrix) console.log(`confusion matrix:\n${confusionTable(matrix)}`);
  }
  if (heatmap !== undefined && matrix !== null) {
    const svg = confusionHeatmap(matrix, { title: `Confusion matrix of ${where}` });
    await writeSvg(heatmap, svg);
    if (format === "text") console.log(`wrote ${heatmap}`);
  }
  return 0;
}
