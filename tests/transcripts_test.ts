/**
 * The command-line transcripts in README.md and cli/README.md are what the
 * commands print today: every `$ deno task gradflow …` line of their
 * transcript blocks is run (in order, in a scratch folder where `examples/`
 * is the repository's), and its output must equal the lines shown under it.
 * Figures that measure the machine (samples/s, ETA, seconds) are masked; a
 * line `…` stands for any number of lines, and a line ending in `…` for any
 * line starting with what precedes it.
 *
 * Needs `--allow-run` (the CLI runs in subprocesses), `--allow-read` and `--allow-write`.
 */

import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const canRun = Deno.permissions.querySync({ name: "run", command: Deno.execPath() }).state === "granted";

/** One `$ deno task gradflow …` command of a transcript, with the lines shown after it. */
interface Shown {
  args: string[];
  lines: string[];
}

/** Splits a shell command line into words (single and double quotes, no escapes). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** The commands of a markdown file's transcript blocks: code blocks whose lines start with `$ deno task gradflow`. */
function transcripts(markdown: string): Shown[] {
  const shown: Shown[] = [];
  // Every fenced block, whatever its language, so that a closing fence is never taken for an opening one.
  for (const block of markdown.matchAll(/^```([\w-]*)\n([\s\S]*?)^```$/gm)) {
    if (block[1] !== "" && block[1] !== "text") continue;
    const lines = block[2].replace(/\n$/, "").split("\n");
    if (!lines[0].startsWith("$ deno task gradflow ")) continue;
    let current: Shown | null = null;
    for (const line of lines) {
      if (line.startsWith("$ ")) {
        current = line.startsWith("$ deno task gradflow ") ? { args: words(line).slice(4), lines: [] } : null;
        if (current) shown.push(current);
      } else if (current && !/^\[exit \d+\]$/.test(line)) current.lines.push(line);
    }
  }
  // Trailing blank lines separate commands; a command shown without output is only named, not checked.
  for (const s of shown) while (s.lines.at(-1) === "") s.lines.pop();
  return shown;
}

/** Hides what measures the machine rather than the run. */
function mask(line: string): string {
  return line
    .replace(/\d+ samples\/s/g, "N samples/s")
    .replace(/ETA \d+:\d\d/g, "ETA m:ss")
    .replace(/ in \d+(\.\d+)? s\b/g, " in S s")
    .replace(/\b\d+\.\d(?= {2}(ok|stopped|failed))/g, "S")
    .replace(/,\d+(\.\d+)?,(ok|stopped|failed)/g, ",S,$2");
}

/** Whether the printed lines are the lines shown, with `…` for elided lines and line ends. */
function matches(shown: string[], printed: string[]): boolean {
  const go = (i: number, j: number): boolean => {
    if (i === shown.length) return j === printed.length;
    const want = mask(shown[i]);
    if (want.trim() === "…") {
      for (let k = j; k <= printed.length; k++) if (go(i + 1, k)) return true;
      return false;
    }
    if (j === printed.length) return false;
    const got = mask(printed[j]);
    const same = want.endsWith("…") ? got.startsWith(want.slice(0, -1).trimEnd()) : got === want;
    return same && go(i + 1, j + 1);
  };
  return go(0, 0);
}

async function checkTranscripts(file: string): Promise<void> {
  const shown = transcripts(await Deno.readTextFile(`${ROOT}/${file}`)).filter((s) => s.lines.length > 0);
  assert.ok(shown.length >= 3, `${file} shows commands with their output`);
  const work = await Deno.makeTempDir({ prefix: "gradflow_transcripts_" });
  try {
    await Deno.symlink(`${ROOT}/examples`, `${work}/examples`);
    for (const { args, lines } of shown) {
      const output = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--no-lock",
          "--no-prompt",
          `--allow-read=${ROOT},${work}`,
          `--allow-write=${work}/runs`,
          `${ROOT}/cli/main.ts`,
          ...args,
        ],
        cwd: work,
        env: { NO_COLOR: "1" },
        stdin: "null",
      }).output();
      const decode = (b: Uint8Array) => new TextDecoder().decode(b);
      const printed = (decode(output.stdout) + decode(output.stderr)).replace(/\n$/, "").split("\n");
      assert.ok(
        matches(lines, printed),
        `${file}: "gradflow ${args.join(" ")}" now prints:\n${printed.join("\n")}\n\nbut the transcript shows:\n${
          lines.join("\n")
        }`,
      );
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

Deno.test({
  name: "README.md's command-line transcript is what the commands print",
  ignore: !canRun,
  fn: () => checkTranscripts("README.md"),
});

Deno.test({
  name: "cli/README.md's session is what the commands print",
  ignore: !canRun,
  fn: () => checkTranscripts("cli/README.md"),
});

Deno.test("the transcript matcher takes … for lines and line ends, and masks timings only", () => {
  assert.ok(matches(["a", "…", "d"], ["a", "b", "c", "d"]));
  assert.ok(matches(["error: x, y, …"], ["error: x, y, z"]));
  assert.ok(matches(["epoch 1/2  loss 0.5  900 samples/s  ETA 0:01"], ["epoch 1/2  loss 0.5  12 samples/s  ETA 0:09"]));
  assert.ok(!matches(["epoch 1/2  loss 0.5"], ["epoch 1/2  loss 0.6"]));
  assert.ok(!matches(["a", "b"], ["a"]));
  assert.deepEqual(words(`gradflow evaluate runs/x '{"name":"xor"}' --format json`), [
    "gradflow",
    "evaluate",
    "runs/x",
    '{"name":"xor"}',
    "--format",
    "json",
  ]);
});
