/**
 * `gradflow train <experiment.json>`: train the experiment a JSON file
 * describes, with flags overriding its fields.
 *
 * @module
 */

import { COMMAND_FLAGS, listFlag, numberFlag, parseFlags } from "../_args.ts";
import { _prepare, UsageError } from "../_errors.ts";
import { CHECKPOINT_FILE } from "../../train/checkpoint.ts";
import { formatSummary, modelSummary } from "../../train/summary.ts";
import { RUN_FILES, runExperiment, summary, writeCharts } from "../_run.ts";
import { buildRegistry, checkChoices, loadData, readExperiment, withPluginFlags } from "../_setup.ts";
import type { Overrides } from "../experiment.ts";

/** The help text of `gradflow train`. */
export const TRAIN_HELP = `Usage: gradflow train <experiment.json> [flags]

Train the model an experiment file describes (see cli/README.md for the
format and examples/experiments/ for examples). It prints the model's
summary, then progress. The run folder gets metrics.jsonl, metrics.csv, the
charts (loss.svg, accuracy.svg, …), a checkpoint/ folder, model.safetensors
(the trained model, for gradflow evaluate and predict) and experiment.json
(what was run, --plugin included: gradflow train <run>/experiment.json
runs it again).

Flags (each overrides the file):
  --optimizer <name>      the optimizer, with its default options
  --learning-rate <x>     the optimizer's learningRate (the scheduler's, if there is one)
  --loss <name>           the loss, with its default options
  --epochs <n>            epochs to train
  --batch-size <n>        samples per minibatch
  --batching <mode>       full | single | minibatch-fixed | minibatch-shuffled
  --seed <n>              the seed of every random choice
  --backend <name>        the kernel backend: wasm (default), js, or blas (needs --allow-ffi and libopenblas0)
  --dtype <type>          float32 (default, as in PyTorch and Keras) or float64: the data's, which the layers follow
  --threads <n>           threads for the backend's matrix products (wasm; default: every core)
  --set <path=value>      any field, e.g. --set optimizer.momentum=0.9 --set data.samples=400 (repeatable)
  --out <dir>             the run folder (default runs/<name>)
  --resume                continue from the run folder's checkpoint up to --epochs (the total, more
                          than the checkpoint's epoch)
  --plugin <url|path>     load a third-party plugin first (repeatable; #sha256=<hex> pins it)
  --quiet                 no summary and no progress output
  -h, --help              show this help

Exit codes: 0 trained, 1 the run failed (e.g. the loss became NaN), 2 usage error
(a bad flag or file, a plugin that does not load, a missing data file, --resume
without a checkpoint or with --epochs not past it).

Examples:
  gradflow train examples/experiments/spirals.json
  gradflow train examples/experiments/spirals.json --optimizer adam --learning-rate 0.01 --epochs 5
`;

/**
 * The overrides that the shared flags ask for.
 *
 * @param values The parsed flags.
 * @returns The overrides.
 * @throws {UsageError} For a flag whose value is not of its type.
 *
 * @example
 * ```ts
 * import { overridesFrom } from "./train.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(overridesFrom({ optimizer: "adam", "learning-rate": "0.01" }).learningRate, 0.01);
 * ```
 */
export function overridesFrom(values: Record<string, string | boolean | string[] | undefined>): Overrides {
  const text = (key: string) => {
    const v = values[key];
    if (v !== undefined && String(v).trim() === "") throw new UsageError(`Cannot use --${key} as it is empty`);
    return v === undefined ? undefined : String(v);
  };
  return {
    optimizer: text("optimizer"),
    learningRate: numberFlag("learning-rate", values["learning-rate"], { positive: true }),
    loss: text("loss"),
    epochs: numberFlag("epochs", values.epochs, { integer: true, min: 1 }),
    batchSize: numberFlag("batch-size", values["batch-size"], { integer: true, min: 1 }),
    batching: text("batching"),
    seed: numberFlag("seed", values.seed, { integer: true }),
    backend: text("backend"),
    dtype: text("dtype"),
    threads: numberFlag("threads", values.threads, { integer: true, min: 1 }),
    out: text("out"),
    set: listFlag(values.set),
  };
}

/**
 * Runs `gradflow train`.
 *
 * @param args The arguments after `train`.
 * @returns The exit code.
 *
 * @example
 * ```ts
 * import { trainCommand } from "./train.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await trainCommand(["--help"]), 0);
 * ```
 */
export async function trainCommand(args: readonly string[]): Promise<number> {
  const prepared = await _prepare(async () => {
    const { values, positionals } = parseFlags("train", args, COMMAND_FLAGS.train);
    if (values.help) return null;
    if (positionals.length !== 1) {
      throw new UsageError(
        `Cannot run train as it takes one experiment file (gradflow train <experiment.json>): current arguments are ${
          positionals.length ? positionals.join(" ") : "none"
        }`,
      );
    }
    const experiment = await readExperiment(positionals[0], overridesFrom(values));
    // Plugins given on the command line are part of the run: experiment.json records them.
    experiment.plugins = withPluginFlags(listFlag(values.plugin), experiment.plugins);
    const registry = await buildRegistry([], experiment.plugins);
    checkChoices(experiment, registry);
    const out = (experiment.out ?? `runs/${experiment.name}`).replace(/[\\/]+$/, "");
    const resume = values.resume === true;
    if (resume) await checkResume(out, experiment.epochs, values.epochs !== undefined);
    const data = await loadData(experiment);
    return { experiment, registry, data, out, quiet: values.quiet === true, resume };
  });
  if (prepared === null) {
    console.log(TRAIN_HELP);
    return 0;
  }
  const { experiment, registry, data, out, quiet, resume } = prepared;
  if (!quiet) {
    const inputShape = data.train.x.shape.slice(1);
    console.log(formatSummary(modelSummary(structuredClone(experiment.model), inputShape, registry), experiment.name));
  }
  const { result, records, seconds } = await runExperiment(experiment, registry, data, { out, quiet, resume });
  const charts = await writeCharts(out, [{ name: experiment.name, records }], experiment.name);
  console.log(summary(result, seconds));
  console.log(
    `wrote ${out}/: ${
      [RUN_FILES.metrics, RUN_FILES.csv, ...charts, RUN_FILES.checkpoint + "/", RUN_FILES.model, RUN_FILES.experiment]
        .join(", ")
    }`,
  );
  return 0;
}

/**
 * Checks, before anything loads, that `--resume` can continue the run in `out`:
 * it has a checkpoint, and the epochs asked for go past the checkpoint's.
 *
 * @param out The run folder.
 * @param epochs The epoch count to reach.
 * @param given Whether `--epochs` was given (for the message).
 * @throws {UsageError} When there is no checkpoint, or it is at `epochs` or later.
 */
async function checkResume(out: string, epochs: number, given: boolean): Promise<void> {
  const path = `${out}/${RUN_FILES.checkpoint}/${CHECKPOINT_FILE}`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new UsageError(
      `Cannot resume the run in ${out} as it has no checkpoint: ${path} does not exist (train without --resume first, or give the run's folder with --out)`,
    );
  }
  let at: unknown;
  try {
    at = (JSON.parse(text) as { epoch?: unknown }).epoch;
  } catch {
    return; // A damaged checkpoint: loading it says what is wrong.
  }
  if (typeof at === "number" && epochs <= at) {
    throw new UsageError(
      `Cannot resume the run in ${out} as its checkpoint is at epoch ${at} and ${
        given ? `--epochs ${epochs}` : `the experiment's epochs (${epochs})`
      } is the total to reach: ask for more, e.g. --epochs ${2 * at}`,
    );
  }
}
