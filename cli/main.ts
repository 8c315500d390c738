/**
 * The gradflow command line: train an experiment from a JSON file, evaluate
 * and predict with the trained model, print its summary, compare optimizers,
 * list plugins, check gradients, redraw charts.
 *
 *   deno run --allow-read=. --allow-write=runs cli/main.ts train examples/experiments/spirals.json
 *   deno task gradflow list optimizer
 *
 * Exit codes: 0 success, 1 the run failed, 2 usage error. Errors go to
 * standard error as one line. See `cli/README.md`.
 *
 * @module
 */

import { _oneLine, _reportStrayPluginErrors, EXIT, UsageError } from "./_errors.ts";
import { COMPARE_HELP, compareCommand } from "./commands/compare.ts";
import { EVALUATE_HELP, evaluateCommand } from "./commands/evaluate.ts";
import { GRADCHECK_HELP, gradcheckCommand } from "./commands/gradcheck.ts";
import { LIST_HELP, listCommand } from "./commands/list.ts";
import { PLOT_HELP, plotCommand } from "./commands/plot.ts";
import { PREDICT_HELP, predictCommand } from "./commands/predict.ts";
import { SUMMARY_HELP, summaryCommand } from "./commands/summary.ts";
import { TRAIN_HELP, trainCommand } from "./commands/train.ts";
import { nearestName } from "../core/registry.ts";

/** The version printed by `--version`. */
export const VERSION = "0.1.0";

/** The top-level help text. */
export const HELP = `gradflow ${VERSION}: train neural networks by gradient methods

Usage: gradflow <command> [arguments] [flags]

Commands:
  train <experiment.json>      train an experiment described by a JSON file
  evaluate <run> <data>        the loss and metrics of a trained model on data (text, JSON or CSV)
  predict <run> <data>         a trained model's outputs on data (CSV or JSON)
  summary <experiment.json>    the model's layers, output shapes and parameter counts
  compare <experiment.json>    train it once per optimizer (--optimizers sgd,adam); one chart, one table
  list [kind]                  the registered plugins, with their options and defaults
  gradcheck <kind> <name>      check a plugin's gradients against finite differences
  plot <run dir>...            redraw charts from a run's metrics.jsonl

Flags:
  -h, --help       help (also after a command: gradflow train --help)
  --version        print the version

Exit codes: 0 success, 1 the run failed, 2 usage error.
Permissions: see cli/README.md (train needs --allow-read=. --allow-write=runs).
`;

const COMMANDS: Record<string, { run: (args: readonly string[]) => Promise<number>; help: string }> = {
  train: { run: trainCommand, help: TRAIN_HELP },
  evaluate: { run: evaluateCommand, help: EVALUATE_HELP },
  predict: { run: predictCommand, help: PREDICT_HELP },
  summary: { run: summaryCommand, help: SUMMARY_HELP },
  compare: { run: compareCommand, help: COMPARE_HELP },
  list: { run: listCommand, help: LIST_HELP },
  gradcheck: { run: gradcheckCommand, help: GRADCHECK_HELP },
  plot: { run: plotCommand, help: PLOT_HELP },
};

/**
 * Runs the CLI on the given arguments and returns the exit code; output goes
 * to standard output, errors to standard error as one line.
 *
 * @param args The arguments (without the program name).
 * @returns 0 on success, 1 when the run failed, 2 on a usage error.
 *
 * @example
 * ```ts
 * import { main } from "./main.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await main(["--version"]), 0);
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  const [first, ...rest] = args;
  if (first === undefined) {
    console.error(HELP);
    return EXIT.usage;
  }
  if (first === "-h" || first === "--help" || first === "help") {
    console.log(rest[0] !== undefined && COMMANDS[rest[0]] ? COMMANDS[rest[0]].help : HELP);
    return EXIT.ok;
  }
  if (first === "--version" || first === "-V") {
    console.log(`gradflow ${VERSION}`);
    return EXIT.ok;
  }
  const command = COMMANDS[first];
  try {
    if (command === undefined) {
      const near = nearestName(first, Object.keys(COMMANDS));
      throw new UsageError(
        `Cannot run "${first}" as it is not a command${near ? ` (did you mean "${near}"?)` : ""}: commands are ${
          Object.keys(COMMANDS).join(", ")
        }`,
      );
    }
    return await command.run(rest);
  } catch (error) {
    const usage = error instanceof UsageError;
    console.error(`error: ${_oneLine(error)}`);
    return usage ? EXIT.usage : EXIT.failed;
  }
}

if (import.meta.main) {
  _reportStrayPluginErrors();
  Deno.exit(await main(Deno.args));
}
