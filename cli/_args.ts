/**
 * Flag parsing for the CLI's commands: `node:util` `parseArgs` in strict
 * mode, with usage errors that name the flag and suggest the nearest one.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { nearestName } from "../core/registry.ts";
import { UsageError } from "./_errors.ts";

/** A flag's declaration: `parseArgs`'s option config. */
export interface FlagSpec {
  /** `"string"` takes a value, `"boolean"` does not. */
  type: "string" | "boolean";
  /** Whether it may be given several times. */
  multiple?: boolean;
  /** A one-letter alias. */
  short?: string;
}

/** The flags `train`, `compare` and `summary` share: what an experiment can be changed by. */
export const EXPERIMENT_FLAGS: Readonly<Record<string, FlagSpec>> = {
  optimizer: { type: "string" },
  "learning-rate": { type: "string" },
  loss: { type: "string" },
  epochs: { type: "string" },
  "batch-size": { type: "string" },
  batching: { type: "string" },
  seed: { type: "string" },
  backend: { type: "string" },
  dtype: { type: "string" },
  threads: { type: "string" },
  set: { type: "string", multiple: true },
  out: { type: "string" },
  plugin: { type: "string", multiple: true },
  quiet: { type: "boolean" },
};

/**
 * Every command's flags, in one table: each command parses its arguments with
 * its row, and `cli/launch.ts` reads the same rows to tell a flag's value from
 * a path before the command runs (a flag missing here would shift the
 * positionals and narrow the permissions wrongly).
 *
 * @example
 * ```ts
 * import { COMMAND_FLAGS } from "./_args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(COMMAND_FLAGS.train.threads.type, "string");
 * assert.equal(COMMAND_FLAGS.train.resume.type, "boolean");
 * ```
 */
export const COMMAND_FLAGS: Readonly<Record<string, Readonly<Record<string, FlagSpec>>>> = {
  train: { ...EXPERIMENT_FLAGS, resume: { type: "boolean" } },
  compare: { ...EXPERIMENT_FLAGS, optimizers: { type: "string" }, overwrite: { type: "boolean" } },
  summary: EXPERIMENT_FLAGS,
  evaluate: {
    metrics: { type: "string" },
    loss: { type: "string" },
    format: { type: "string" },
    heatmap: { type: "string" },
    split: { type: "string" },
    "batch-size": { type: "string" },
    plugin: { type: "string", multiple: true },
  },
  predict: {
    format: { type: "string" },
    out: { type: "string" },
    split: { type: "string" },
    "batch-size": { type: "string" },
    plugin: { type: "string", multiple: true },
  },
  gradcheck: {
    options: { type: "string" },
    "input-shape": { type: "string" },
    "second-order": { type: "boolean" },
    seed: { type: "string" },
    plugin: { type: "string", multiple: true },
  },
  list: { plugin: { type: "string", multiple: true }, json: { type: "boolean" } },
  plot: { out: { type: "string" }, title: { type: "string" }, log: { type: "boolean" }, linear: { type: "boolean" } },
};

/** What {@linkcode parseFlags} returns. */
export interface ParsedFlags {
  /** The flags given, by long name (values are strings, booleans or arrays of strings). */
  values: Record<string, string | boolean | string[] | undefined>;
  /** The positional arguments. */
  positionals: string[];
}

/**
 * Parses a command's arguments. `--help` and `-h` are always accepted.
 *
 * @param command The command's name, for messages (`"train"`).
 * @param args The arguments after the command.
 * @param flags The command's flags.
 * @returns The values and positionals.
 * @throws {UsageError} For an unknown flag (naming the nearest one) or a missing value.
 *
 * @example
 * ```ts
 * import { parseFlags } from "./_args.ts";
 * import assert from "node:assert/strict";
 *
 * const { values, positionals } = parseFlags("train", ["x.json", "--epochs", "3"], { epochs: { type: "string" } });
 * assert.equal(values.epochs, "3");
 * assert.deepEqual(positionals, ["x.json"]);
 * assert.throws(() => parseFlags("train", ["--epoch", "3"], { epochs: { type: "string" } }), /did you mean --epochs\?/);
 * ```
 */
export function parseFlags(
  command: string,
  args: readonly string[],
  flags: Readonly<Record<string, FlagSpec>>,
): ParsedFlags {
  const options = { ...flags, help: { type: "boolean" as const, short: "h" } };
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
    return { values: values as ParsedFlags["values"], positionals };
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    if (unknown !== undefined) {
      const near = nearestName(unknown.replace(/^-+/, ""), Object.keys(options));
      throw new UsageError(
        `Cannot run ${command} as ${unknown} is not one of its flags${
          near ? ` (did you mean --${near}?)` : ""
        }: see gradflow ${command} --help`,
      );
    }
    const missing = /Option '(?:-\w, )?(--[^ ]+) <value>' argument missing/.exec(message)?.[1];
    if (missing !== undefined) throw new UsageError(`Cannot run ${command} as ${missing} needs a value`);
    throw new UsageError(`Cannot run ${command} as ${message.replace(/\.$/, "")}`);
  }
}

/**
 * Reads a numeric flag.
 *
 * @param flag The flag's name without dashes, for messages.
 * @param value The text given (or undefined).
 * @param rule `integer`, `min`, `positive`.
 * @returns The number, or undefined when the flag was not given.
 * @throws {UsageError} When the text is not such a number.
 *
 * @example
 * ```ts
 * import { numberFlag } from "./_args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(numberFlag("epochs", "5", { integer: true, min: 1 }), 5);
 * assert.equal(numberFlag("epochs", undefined), undefined);
 * assert.throws(() => numberFlag("epochs", "five", { integer: true, min: 1 }), /--epochs as it must be an integer ≥ 1/);
 * ```
 */
export function numberFlag(
  flag: string,
  value: string | boolean | string[] | undefined,
  rule: { integer?: boolean; min?: number; positive?: boolean } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const n = text === "" ? NaN : Number(text);
  const ok = Number.isFinite(n) && (!rule.integer || Number.isInteger(n)) &&
    (rule.min === undefined || n >= rule.min) && (!rule.positive || n > 0);
  if (!ok) {
    const what = rule.integer
      ? `an integer${rule.min !== undefined ? ` ≥ ${rule.min}` : ""}`
      : rule.positive
      ? "a positive number"
      : "a number";
    throw new UsageError(`Cannot use --${flag} as it must be ${what}: current value is ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * The values of a repeatable string flag (empty when not given).
 *
 * @param value The parsed value.
 * @returns The strings.
 *
 * @example
 * ```ts
 * import { listFlag } from "./_args.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(listFlag(undefined), []);
 * assert.deepEqual(listFlag(["a.ts", "b.ts"]), ["a.ts", "b.ts"]);
 * ```
 */
export function listFlag(value: string | boolean | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [String(value)];
}
