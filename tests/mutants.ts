/**
 * Mutation testing: plants each one-line bug of {@linkcode MUTATIONS} in a
 * copy of the repository, runs the test files that should notice it, and
 * reports which mutants the tests killed and which survived.
 *
 * ```sh
 * deno task mutants                     # every mutant
 * deno task mutants --subset 6 --key 42 # 6 mutants, chosen by key (CI rotates the key)
 * deno task mutants --only kl-symmetric-clamp,batching-fixed-unshuffled
 * deno task mutants --list              # check every snippet and list the mutants, run nothing
 * ```
 *
 * The working tree is never modified: the repository is copied into a
 * temporary folder (tracked and untracked files, not `.git`, `.tools`,
 * `node_modules` or `runs`), each mutant is written into the copy and
 * undone there, and the copy is removed at the end, on Ctrl-C and on
 * SIGTERM. A snippet that is not found exactly once in its file is an error
 * (the code moved on: update the list), never a silent skip. Before the
 * mutants, the union of their test files must pass on the unmutated copy.
 * A mutant whose tests fail (or time out) is killed; one whose tests pass
 * survived. Tests run with `--no-check` (a mutation is type-correct), so a
 * mutant costs one test run.
 *
 * Exit code 0 when every mutant was killed, 1 when one survived or the list
 * has an error, 2 for a usage error or a failing baseline.
 *
 * Needs `--allow-read --allow-write --allow-run --allow-env` (see the
 * `mutants` task).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type Mutation, MUTATIONS } from "./mutations.ts";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");

/** Folders of the working tree that the copy leaves out. */
const SKIP = new Set([".git", ".tools", "node_modules", "runs", ".device"]);

/** The permissions of `deno task test`. */
const TEST_FLAGS = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-net=127.0.0.1",
  "--allow-run",
  "--allow-ffi",
];

interface Outcome {
  mutation: Mutation;
  status: "killed" | "survived" | "error";
  seconds: number;
  detail: string;
}

/**
 * The problems of one list entry against the tree: a missing file, a snippet
 * found not exactly once, a missing test file.
 *
 * @param m The mutation.
 * @param read Reads a repository-relative path, `null` when it does not exist.
 * @returns One message per problem; `[]` when the mutant can be planted.
 *
 * @example
 * ```ts
 * import { checkMutation } from "./mutants.ts";
 * import type { Mutation } from "./mutations.ts";
 * import assert from "node:assert/strict";
 *
 * const files: Record<string, string> = { "a.ts": "x + y", "a_test.ts": "" };
 * const read = (path: string) => files[path] ?? null;
 * const m: Mutation = {
 *   id: "plus",
 *   kind: "core",
 *   file: "a.ts",
 *   original: "x + y",
 *   replacement: "x - y",
 *   tests: ["a_test.ts"],
 *   why: "",
 * };
 * assert.deepEqual(checkMutation(m, read), []);
 * assert.match(checkMutation({ ...m, original: "x * y" }, read)[0], /no longer in a.ts/);
 * ```
 */
export function checkMutation(m: Mutation, read: (path: string) => string | null): string[] {
  const problems: string[] = [];
  const text = read(m.file);
  if (text === null) return [`${m.id}: ${m.file} does not exist`];
  const count = text.split(m.original).length - 1;
  if (count === 0) {
    problems.push(`${m.id}: the original snippet is no longer in ${m.file}: ${JSON.stringify(m.original)}`);
  }
  if (count > 1) problems.push(`${m.id}: the original snippet occurs ${count} times in ${m.file} (make it unique)`);
  if (m.original === m.replacement) problems.push(`${m.id}: the replacement equals the original`);
  for (const test of m.tests) if (read(test) === null) problems.push(`${m.id}: test file ${test} does not exist`);
  if (m.tests.length === 0) problems.push(`${m.id}: names no test file`);
  return problems;
}

/**
 * The `count` entries that `key` selects: a window that moves on by `count`
 * (wrapping around) each time the key grows by 1, so consecutive keys cover
 * the whole list.
 *
 * @param list The mutants.
 * @param count How many to take.
 * @param key Any integer (CI passes the commit count).
 * @returns The window, in list order from its start.
 *
 * @example
 * ```ts
 * import { rotatingSubset } from "./mutants.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(rotatingSubset([0, 1, 2, 3, 4], 2, 0), [0, 1]);
 * assert.deepEqual(rotatingSubset([0, 1, 2, 3, 4], 2, 2), [4, 0]);
 * ```
 */
export function rotatingSubset<T>(list: readonly T[], count: number, key: number): T[] {
  if (count >= list.length) return [...list];
  const start = ((key * count) % list.length + list.length) % list.length;
  return Array.from({ length: count }, (_, i) => list[(start + i) % list.length]);
}

function readOrNull(path: string): string | null {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return null;
  }
}

/** Copies the working tree into `to`, without the folders of {@linkcode SKIP}. */
async function copyTree(from: string, to: string): Promise<void> {
  for await (const entry of Deno.readDir(from)) {
    if (SKIP.has(entry.name)) continue;
    const source = `${from}/${entry.name}`, target = `${to}/${entry.name}`;
    if (entry.isDirectory) {
      await Deno.mkdir(target);
      await copyTree(source, target);
    } else if (entry.isFile) {
      await Deno.copyFile(source, target);
    }
  }
}

let child: Deno.ChildProcess | null = null;

/** Runs `deno test` on `tests` in `cwd`; resolves to whether they passed, the output's tail and the seconds taken. */
async function runTests(
  cwd: string,
  tests: readonly string[],
  timeoutSeconds: number,
): Promise<{ passed: boolean; timedOut: boolean; output: string; seconds: number }> {
  const started = performance.now();
  child = new Deno.Command(Deno.execPath(), {
    args: ["test", "--no-check", "--fail-fast", ...TEST_FLAGS, ...tests],
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child?.kill("SIGKILL");
    } catch { /* already gone */ }
  }, timeoutSeconds * 1000);
  const { code, stdout, stderr } = await child.output();
  clearTimeout(timer);
  child = null;
  const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  return { passed: code === 0 && !timedOut, timedOut, output, seconds: (performance.now() - started) / 1000 };
}

/** The first failing test's name in a `deno test` output, for the report. */
function firstFailure(output: string): string {
  const line = output.split("\n").find((l) => / \.\.\. FAILED/.test(l));
  if (line !== undefined) return line.replace(/ \.\.\. FAILED.*/, "").replace(/^.*=> /, "").trim();
  const error = output.split("\n").find((l) => /^error:/.test(l));
  return error?.trim() ?? "the test run failed";
}

const USAGE = `Usage: deno task mutants [--list] [--only id,id] [--subset N [--key K]] [--timeout SECONDS]

  --list        check every snippet against the tree and list the mutants; run nothing
  --only        run only these mutants (ids as --list prints them)
  --subset N    run N mutants, a window of the list chosen by --key (default: days since 1970)
  --key K       an integer that picks the window; CI passes the commit count, so the window rotates
  --timeout S   seconds before a mutant's test run counts as killed by timeout (default 300)`;

async function main(args: string[]): Promise<number> {
  let flags;
  try {
    flags = parseArgs({
      args,
      options: {
        list: { type: "boolean", default: false },
        only: { type: "string" },
        subset: { type: "string" },
        key: { type: "string" },
        timeout: { type: "string", default: "300" },
        help: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    console.error(`error: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const timeout = Number(flags.timeout);
  if (!(timeout > 0)) {
    console.error(
      `error: Cannot run mutants as --timeout must be a positive number: current value is ${flags.timeout}`,
    );
    return 2;
  }

  const ids = new Set<string>();
  for (const m of MUTATIONS) {
    if (ids.has(m.id)) {
      console.error(`error: the mutation id ${m.id} appears twice in tests/mutations.ts`);
      return 1;
    }
    ids.add(m.id);
  }
  // Every snippet is checked, whatever runs: a list that drifted from the code is an error.
  const problems = MUTATIONS.flatMap((m) => checkMutation(m, (path) => readOrNull(`${ROOT}/${path}`)));
  for (const p of problems) console.error(`error: ${p}`);
  const broken = new Set(problems.map((p) => p.slice(0, p.indexOf(":"))));

  let selected: Mutation[] = [...MUTATIONS];
  if (flags.only !== undefined) {
    const wanted = flags.only.split(",").map((s) => s.trim()).filter((s) => s !== "");
    const unknown = wanted.filter((id) => !ids.has(id));
    if (unknown.length > 0) {
      console.error(`error: Cannot run mutants as --only names unknown ids: ${unknown.join(", ")}`);
      return 2;
    }
    selected = MUTATIONS.filter((m) => wanted.includes(m.id));
  }
  if (flags.subset !== undefined) {
    const count = Number(flags.subset);
    const key = flags.key === undefined ? Math.floor(Date.now() / 86_400_000) : Number(flags.key);
    if (!Number.isInteger(count) || count < 1 || !Number.isInteger(key)) {
      console.error(
        `error: Cannot run mutants as --subset and --key must be integers (subset ≥ 1): current values are ${flags.subset} and ${flags.key}`,
      );
      return 2;
    }
    selected = rotatingSubset(selected, count, key);
    console.log(`subset of ${selected.length} of ${MUTATIONS.length} mutants (key ${key})`);
  }

  if (flags.list) {
    for (const m of MUTATIONS) {
      console.log(`${broken.has(m.id) ? "ERROR " : ""}${m.id}  ${m.file}  (${m.tests.join(", ")})\n    ${m.why}`);
    }
    console.log(`${MUTATIONS.length} mutants, ${problems.length} errors`);
    return problems.length > 0 ? 1 : 0;
  }

  const runnable = selected.filter((m) => !broken.has(m.id));
  const copy = await Deno.makeTempDir({ prefix: "gradflow_mutants_" });
  const cleanUp = () => {
    try {
      child?.kill("SIGKILL");
    } catch { /* already gone */ }
    try {
      Deno.removeSync(copy, { recursive: true });
    } catch { /* already removed */ }
  };
  const onSignal = () => {
    console.error("\ninterrupted: the copy is removed; the working tree was never changed");
    cleanUp();
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  const started = performance.now();
  const outcomes: Outcome[] = [];
  try {
    await copyTree(ROOT, copy);
    const union = [...new Set(runnable.flatMap((m) => m.tests))].sort();
    console.log(`baseline: ${union.length} test files on the unmutated copy`);
    const baseline = await runTests(copy, union, timeout * 2);
    if (!baseline.passed) {
      console.error(baseline.output.split("\n").slice(-40).join("\n"));
      console.error(`error: the tests fail without any mutant (${firstFailure(baseline.output)}): fix them first`);
      return 2;
    }
    console.log(`baseline passed in ${baseline.seconds.toFixed(1)}s`);
    const width = String(selected.length).length;
    for (const [i, m] of selected.entries()) {
      const n = `[${String(i + 1).padStart(width)}/${selected.length}]`;
      if (broken.has(m.id)) {
        outcomes.push({ mutation: m, status: "error", seconds: 0, detail: "snippet not found (see above)" });
        console.log(`${n} ERROR     ${"".padStart(7)}  ${m.id}  ${m.file}: the snippet is not in the file`);
        continue;
      }
      const path = `${copy}/${m.file}`;
      const original = await Deno.readTextFile(path);
      await Deno.writeTextFile(path, original.replace(m.original, () => m.replacement));
      let r;
      try {
        r = await runTests(copy, m.tests, timeout);
      } finally {
        await Deno.writeTextFile(path, original);
      }
      const status = r.passed ? "survived" : "killed";
      const detail = r.passed
        ? "every test passed"
        : r.timedOut
        ? `timed out after ${timeout}s`
        : firstFailure(r.output);
      outcomes.push({ mutation: m, status, seconds: r.seconds, detail });
      console.log(
        `${n} ${status.toUpperCase().padEnd(9)} ${r.seconds.toFixed(1).padStart(6)}s  ${m.id}  ${m.file}` +
          (r.passed ? `\n      survived: ${m.why}` : `\n      by: ${detail}`),
      );
    }
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
    cleanUp();
  }
  const seconds = (performance.now() - started) / 1000;
  const killed = outcomes.filter((o) => o.status === "killed").length;
  const survivors = outcomes.filter((o) => o.status === "survived");
  const errors = outcomes.filter((o) => o.status === "error").length;
  console.log(
    `\nmutants: ${outcomes.length} run of ${MUTATIONS.length} listed, ${killed} killed, ${survivors.length} survived, ` +
      `${problems.length} list errors, in ${seconds.toFixed(1)}s`,
  );
  for (const s of survivors) console.log(`survivor: ${s.mutation.id} (${s.mutation.file}): ${s.mutation.why}`);
  return survivors.length > 0 || problems.length > 0 || errors > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
