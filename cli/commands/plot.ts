/**
 * `gradflow plot <run dir>…`: redraw a run's charts from its metrics.
 *
 * @module
 */

import { plotRun } from "../../train/plot/plot_run.ts";
import { COMMAND_FLAGS, parseFlags } from "../_args.ts";
import { _prepare, UsageError } from "../_errors.ts";

/** The help text of `gradflow plot`. */
export const PLOT_HELP = `Usage: gradflow plot <run dir>... [flags]

Redraw the charts (loss.svg, accuracy.svg, …) from the metrics.jsonl of a
run folder, into that folder. With several folders, draw them together (one
colour per run) into --out.

Flags:
  --out <dir>      where to write (default: the first run folder)
  --title <text>   put before each chart's title
  --log            log-scale y axis for every metric
  --linear         linear y axis for every metric (default: log for losses spanning decades)
  -h, --help       show this help

Examples:
  gradflow plot runs/spirals
  gradflow plot runs/sgd runs/adam --out runs/sgd-vs-adam
`;

/**
 * Runs `gradflow plot`.
 *
 * @param args The arguments after `plot`.
 * @returns The exit code.
 *
 * @example
 * ```ts
 * import { plotCommand } from "./plot.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await plotCommand(["--help"]), 0);
 * ```
 */
export async function plotCommand(args: readonly string[]): Promise<number> {
  const prepared = await _prepare(() => {
    const { values, positionals } = parseFlags("plot", args, COMMAND_FLAGS.plot);
    if (values.help) return null;
    if (positionals.length === 0) {
      throw new UsageError(
        "Cannot run plot as <run dir> is missing: usage is gradflow plot <run dir>... [--out <dir>]",
      );
    }
    if (values.log && values.linear) throw new UsageError("Cannot run plot with both --log and --linear");
    return {
      dirs: positionals,
      out: values.out as string | undefined,
      title: values.title as string | undefined,
      logY: values.log ? true : values.linear ? false : "auto" as const,
    };
  });
  if (prepared === null) {
    console.log(PLOT_HELP);
    return 0;
  }
  const written = await _prepare(() =>
    plotRun(prepared.dirs, { out: prepared.out, title: prepared.title, logY: prepared.logY })
  );
  console.log(`wrote ${written.join(", ")}`);
  return 0;
}
