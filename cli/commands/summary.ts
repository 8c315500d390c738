/**
 * `gradflow summary <experiment.json>`: the model's layers, output shapes and parameter counts.
 *
 * @module
 */

import { formatSummary, modelSummary } from "../../train/summary.ts";
import { COMMAND_FLAGS, listFlag, parseFlags } from "../_args.ts";
import { _prepare, UsageError } from "../_errors.ts";
import { buildRegistry, loadData, readExperiment, withPluginFlags } from "../_setup.ts";
import { overridesFrom } from "./train.ts";

/** The help text of `gradflow summary`. */
export const SUMMARY_HELP = `Usage: gradflow summary <experiment.json> [flags]

Print the model an experiment describes, as Keras's model.summary() does:
each layer with its output shape and parameter count, and the totals. The
data is made or read only to learn the shape of one sample; nothing trains.
gradflow train prints the same table before training.

Flags: those of train, which can change the model or the data, e.g.
  --set <path=value>    --set data.name=xor
  --plugin <url|path>   load a third-party plugin first (repeatable)
  -h, --help            show this help

Example:
  gradflow summary examples/experiments/spirals.json
`;

/**
 * Runs `gradflow summary`.
 *
 * @param args The arguments after `summary`.
 * @returns The exit code.
 *
 * @example
 * ```ts
 * import { summaryCommand } from "./summary.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await summaryCommand(["--help"]), 0);
 * ```
 */
export async function summaryCommand(args: readonly string[]): Promise<number> {
  const text = await _prepare(async () => {
    const { values, positionals } = parseFlags("summary", args, COMMAND_FLAGS.summary);
    if (values.help) return null;
    if (positionals.length !== 1) {
      throw new UsageError(
        `Cannot run summary as it takes one experiment file (gradflow summary <experiment.json>): current arguments are ${
          positionals.length ? positionals.join(" ") : "none"
        }`,
      );
    }
    const experiment = await readExperiment(positionals[0], overridesFrom(values));
    const registry = await buildRegistry([], withPluginFlags(listFlag(values.plugin), experiment.plugins));
    const data = await loadData(experiment);
    const inputShape = data.train.x.shape.slice(1);
    return formatSummary(modelSummary(structuredClone(experiment.model), inputShape, registry), experiment.name);
  });
  console.log(text ?? SUMMARY_HELP);
  return 0;
}
