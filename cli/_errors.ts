/**
 * The CLI's errors and exit codes. Exit 2 (usage) means the command could
 * not start because of what it was given: a flag, the experiment file, a
 * plugin name or option, a plugin that does not load, a data file that is
 * missing. Exit 1 means the work started and failed: training diverged, a
 * gradient check found a mismatch, an output could not be written.
 *
 * @module
 */

import { describeStrayError } from "../plugins/_guard.ts";

/** Exit codes of the CLI. */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2 });

/**
 * A mistake in the command line or the experiment file: exit code 2.
 *
 * @example
 * ```ts
 * import { UsageError } from "./_errors.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(new UsageError("Cannot run x as y").name, "UsageError");
 * ```
 */
export class UsageError extends Error {
  /**
   * Creates a usage error.
   *
   * @param message One readable line.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Runs the preparation of a command (reading and checking its inputs),
 * turning any error into a {@linkcode UsageError} with the same message.
 *
 * @param work The preparation.
 * @returns What it returns.
 * @throws {UsageError} Whatever it throws, as a usage error.
 *
 * @example
 * ```ts
 * import { _prepare, UsageError } from "./_errors.ts";
 * import assert from "node:assert/strict";
 *
 * await assert.rejects(_prepare(() => JSON.parse("{")), UsageError);
 * ```
 */
export async function _prepare<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(_oneLine(error));
  }
}

/**
 * One readable line for an error: its message without stack, ANSI colours
 * or line breaks (Deno's import errors span several lines).
 *
 * @param error Anything thrown.
 * @returns The line.
 *
 * @example
 * ```ts
 * import { _oneLine } from "./_errors.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(_oneLine(new Error("Import failed:\n    0: not found")), "Import failed: 0: not found");
 * ```
 */
export function _oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "").split("\n").map((l) => l.trim()).filter(Boolean).join(" ");
}

/**
 * Makes an error that a loaded plugin's code throws outside any call (a
 * promise it did not await, a timer) one line naming the plugin, and the exit
 * code 1, instead of Deno's stack trace. Errors of other code are left to
 * Deno. For the CLI's entry point only: it ends the process.
 *
 * @example
 * ```ts
 * import { _reportStrayPluginErrors } from "./_errors.ts";
 *
 * _reportStrayPluginErrors();
 * ```
 */
export function _reportStrayPluginErrors(): void {
  const report = (event: Event, error: unknown) => {
    const line = describeStrayError(error);
    if (line === null) return;
    event.preventDefault();
    console.error(`error: ${_oneLine(line)}`);
    Deno.exit(EXIT.failed);
  };
  globalThis.addEventListener("unhandledrejection", (e) => report(e, e.reason));
  globalThis.addEventListener("error", (e) => report(e, e.error));
}
