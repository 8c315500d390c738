/**
 * Helpers for the CLI's end-to-end tests: run `cli/main.ts` in a subprocess
 * with the permissions a user would grant, and check its one-line errors.
 *
 * @module
 */

import assert from "node:assert/strict";

/** The repository root. */
export const ROOT: string = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** Whether this test run may start subprocesses (`--allow-run`); the CLI tests are ignored without it. */
export const canRun: boolean =
  Deno.permissions.querySync({ name: "run", command: Deno.execPath() }).state === "granted";

/** What a CLI run gave. */
export interface CliRun {
  /** The exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/**
 * Runs `deno run --no-prompt --allow-read=<root>,<dir> --allow-write=<dir> cli/main.ts …args`
 * (plus `extra` flags) from `cwd`.
 *
 * @param dir The folder the run may write (and read).
 * @param args The CLI's arguments.
 * @param options `cwd` (default: the repository root), `extra` Deno flags.
 * @returns The exit code and output.
 */
export async function gradflowIn(
  dir: string,
  args: readonly string[],
  options: { cwd?: string; extra?: readonly string[] } = {},
): Promise<CliRun> {
  const permissions = [`--allow-read=${ROOT},${dir}`, `--allow-write=${dir}`, ...(options.extra ?? [])];
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--no-lock", ...permissions, `${ROOT}/cli/main.ts`, ...args],
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

/**
 * Checks that standard error is exactly one `error: …` line matching `pattern`, with no stack trace.
 *
 * @param stderr Standard error.
 * @param pattern What the line must match.
 */
export function assertOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line, got:\n${stderr}`);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(stderr, /\n\s+at /);
}

/** A small experiment that trains in well under a second: XOR with a 2-4-1 network. */
export const TINY = {
  name: "tiny",
  data: { name: "xor" },
  model: [{ name: "dense", units: 4 }, { name: "tanh" }, { name: "dense", units: 1 }, { name: "sigmoid" }],
  loss: "mse",
  optimizer: { name: "sgd", learningRate: 0.5 },
  epochs: 3,
  batching: "full",
  metrics: ["accuracy"],
};
