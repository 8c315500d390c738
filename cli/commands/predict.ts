/**
 * `gradflow predict <run> <data>`: a trained model's outputs on data, as CSV or JSON.
 *
 * @module
 */

import { reshape } from "../../core/ops/mod.ts";
import { predict } from "../../train/predict.ts";
import { writeFileAtomic } from "../../train/io/atomic_write.ts";
import { COMMAND_FLAGS, listFlag, numberFlag, parseFlags } from "../_args.ts";
import { _prepare, UsageError } from "../_errors.ts";
import { openRun, readDataArgument } from "../_inputs.ts";
import type { Experiment } from "../experiment.ts";

/** The help text of `gradflow predict`. */
export const PREDICT_HELP = `Usage: gradflow predict <run> <data> [flags]

Run a trained model on data, in evaluation mode, and print one row per
sample: its outputs (output, or output0, output1, … for several) and, for a
classifier, the predicted class (the argmax of several outputs; for one
output, the sign or 0.5 threshold that suits the run's loss).

Arguments:
  run     a run folder of gradflow train, a model.safetensors file, or a checkpoint folder
  data    a CSV file (its feature columns, with or without the target columns),
          a .json data set or experiment file, or inline JSON such as
          '{"name":"two-spirals","samples":10,"seed":7}'

Flags:
  --format <format>     csv (default) or json
  --out <file>          write there instead of standard output
  --split <split>       train or test, for a data set with both (default test)
  --batch-size <n>      samples per forward pass (default 1024)
  --plugin <url|path>   load a third-party plugin first (repeatable)
  -h, --help            show this help

Exit codes: 0 predicted, 1 the prediction failed, 2 usage error.

Examples:
  gradflow predict runs/spirals '{"name":"two-spirals","samples":5,"seed":3}'
  gradflow predict runs/iris new_flowers.csv --format json --out predictions.json
`;

/** The decision rule of a one-output classifier, from the run's loss: the threshold, and the negative class. */
function binaryRule(experiment: Experiment | null): { threshold: number; negative: number } | null {
  const loss = experiment?.loss.name;
  if (loss === "binary-cross-entropy") return { threshold: 0.5, negative: 0 };
  if (loss === "binary-cross-entropy-with-logits") return { threshold: 0, negative: 0 };
  if (loss === "hinge") return { threshold: 0, negative: -1 };
  return null;
}

/** Whether the run's loss makes several outputs class scores (so the argmax is the class). */
function isClassifier(experiment: Experiment | null): boolean {
  const loss = experiment?.loss.name;
  return experiment === null || loss === "softmax-cross-entropy" || loss === "multiclass-hinge" ||
    (experiment.metrics ?? []).some((m) =>
      /accuracy|precision|recall|f1|confusion/.test(typeof m === "string" ? m : m.name)
    );
}

/**
 * Runs `gradflow predict`.
 *
 * @param args The arguments after `predict`.
 * @returns The exit code.
 *
 * @example
 * ```ts
 * import { predictCommand } from "./predict.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await predictCommand(["--help"]), 0);
 * ```
 */
export async function predictCommand(args: readonly string[]): Promise<number> {
  const prepared = await _prepare(async () => {
    const { values, positionals } = parseFlags("predict", args, COMMAND_FLAGS.predict);
    if (values.help) return null;
    if (positionals.length !== 2) {
      throw new UsageError(
        `Cannot run predict as it takes a run and data (gradflow predict <run> <data>): current arguments are ${
          positionals.length ? positionals.join(" ") : "none"
        }`,
      );
    }
    const format = values.format ?? "csv";
    if (format !== "csv" && format !== "json") {
      throw new UsageError(
        `Cannot use --format as it must be one of csv, json: current value is ${JSON.stringify(format)}`,
      );
    }
    if (values.split !== undefined && values.split !== "train" && values.split !== "test") {
      throw new UsageError(
        `Cannot use --split as it must be train or test: current value is ${JSON.stringify(values.split)}`,
      );
    }
    const batchSize = numberFlag("batch-size", values["batch-size"], { integer: true, min: 1 });
    const run = await openRun(positionals[0], listFlag(values.plugin));
    const inputShape = run.model.inputShape;
    const data = await readDataArgument(positionals[1], {
      experiment: run.experiment,
      targets: false,
      inputWidth: inputShape.reduce((a, b) => a * b, 1),
      split: values.split as "train" | "test" | undefined,
      command: "predict",
    });
    const given = data.x.shape.slice(1);
    if (given.reduce((a, b) => a * b, 1) !== inputShape.reduce((a, b) => a * b, 1)) {
      throw new UsageError(
        `Cannot predict with ${
          positionals[0]
        } as its model takes inputs of shape [${inputShape}] but the data's are [${given}]${
          "features" in data ? ` (columns ${(data as { features: string[] }).features.join(", ")})` : ""
        }`,
      );
    }
    return { run, data, format, out: values.out === undefined ? undefined : String(values.out), batchSize };
  });
  if (prepared === null) {
    console.log(PREDICT_HELP);
    return 0;
  }
  const { run, data, format, out, batchSize } = prepared;
  const inputs = data.x.shape.slice(1).join() === run.model.inputShape.join()
    ? data.x
    : reshape(data.x, [data.x.shape[0], ...run.model.inputShape]);
  const outputs = predict(run.model, inputs, batchSize === undefined ? {} : { batchSize });
  const n = outputs.shape[0], k = outputs.size / Math.max(1, n);
  const rule = k === 1
    ? binaryRule(run.experiment) ??
      (isClassifier(run.experiment) && run.experiment !== null ? { threshold: 0.5, negative: 0 } : null)
    : null;
  const classify = k > 1 ? isClassifier(run.experiment) : rule !== null;
  const rows = Array.from({ length: n }, (_, i) => {
    const values = Array.from(outputs.data.subarray(i * k, (i + 1) * k));
    let predicted: number | undefined;
    if (classify && k > 1) predicted = values.indexOf(Math.max(...values));
    else if (classify && rule) predicted = values[0] > rule.threshold ? 1 : rule.negative;
    return { values, predicted };
  });
  const names = k === 1 ? ["output"] : Array.from({ length: k }, (_, j) => `output${j}`);
  let text: string;
  if (format === "json") {
    text = JSON.stringify(
      rows.map((r) => ({
        ...Object.fromEntries(names.map((name, j) => [name, r.values[j]])),
        ...(classify ? { class: r.predicted } : {}),
      })),
      null,
      2,
    ) + "\n";
  } else {
    const header = [...names, ...(classify ? ["class"] : [])].join(",");
    text = [header, ...rows.map((r) => [...r.values.map(String), ...(classify ? [String(r.predicted)] : [])].join(","))]
      .join("\n") + "\n";
  }
  if (out === undefined) {
    const bytes = new TextEncoder().encode(text);
    let done = 0;
    while (done < bytes.length) done += Deno.stdout.writeSync(bytes.subarray(done));
  } else {
    await writeFileAtomic(out, text);
    console.error(`wrote ${out}: ${n} predictions`);
  }
  return 0;
}
