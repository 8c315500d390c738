/**
 * Helpers shared by the runnable experiments in this folder: command-line
 * flags, the output folder, SVG files and a plain-text table. Not part of the
 * library.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { writeSvg } from "../train/plot/mod.ts";

/** The flags every example understands. */
export interface ExampleFlags {
  /** `--quick`: a smaller, faster run (what the tests use). */
  quick: boolean;
  /** `--out DIR`: where the charts go. @default {"runs/<example>"} */
  out: string;
  /** Any extra string flags the example declared, by name. */
  extra: Record<string, string | undefined>;
}

/**
 * Reads `--quick`, `--out DIR`, `--help` and the example's own string flags
 * from `Deno.args`. `--help` prints the usage and exits 0; an unknown flag
 * prints the usage and exits 2.
 *
 * @param name The example's name (`"initialization"`): the default folder is `runs/<name>`.
 * @param usage The text `--help` prints.
 * @param extra The names of extra flags that take a value (`["backend"]`).
 * @returns The parsed flags.
 *
 * @example
 * ```ts
 * import { exampleFlags } from "./_shared.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(exampleFlags("demo", "usage").out, "runs/demo");
 * ```
 */
export function exampleFlags(name: string, usage: string, extra: readonly string[] = []): ExampleFlags {
  const options: Record<string, { type: "string" | "boolean" }> = {
    quick: { type: "boolean" },
    help: { type: "boolean" },
    out: { type: "string" },
  };
  for (const flag of extra) options[flag] = { type: "string" };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: Deno.args, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${usage}`);
    Deno.exit(2);
  }
  if (values.help) {
    console.log(usage);
    Deno.exit(0);
  }
  const picked: Record<string, string | undefined> = {};
  for (const flag of extra) picked[flag] = values[flag] as string | undefined;
  return { quick: values.quick === true, out: (values.out as string | undefined) ?? `runs/${name}`, extra: picked };
}

/**
 * Writes a chart into the output folder (created if needed) and prints where.
 * Needs `--allow-write` and `--allow-read` on the folder.
 *
 * @param dir The output folder.
 * @param file The file name, e.g. `"loss.svg"`.
 * @param svg The SVG document.
 * @returns The path written.
 *
 * @example
 * ```ts
 * import { saveChart } from "./_shared.ts";
 * import { lineChart } from "../train/plot/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const path = await saveChart(dir, "loss.svg", lineChart([{ name: "loss", y: [1, 0.5] }]));
 * assert.ok((await Deno.readTextFile(path)).includes("<svg"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveChart(dir: string, file: string, svg: string): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir.replace(/\/+$/, "")}/${file}`;
  await writeSvg(path, svg);
  console.log(`chart: ${path}`);
  return path;
}

/**
 * Writes the numbers an example printed, and whether the effect it
 * demonstrates showed in this run, to `summary.json` in the output folder
 * (the tests in tests/examples_test.ts read it).
 *
 * @param dir The output folder (created if missing).
 * @param summary Plain JSON data; by convention `effect` (boolean) and `conclusion` (the printed text).
 * @returns The file's path.
 *
 * @example
 * ```ts
 * import { saveSummary } from "./_shared.ts";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const path = await saveSummary(dir, { effect: true, conclusion: "it works" });
 * assert.equal(JSON.parse(await Deno.readTextFile(path)).effect, true);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveSummary(dir: string, summary: Record<string, unknown>): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir.replace(/\/+$/, "")}/summary.json`;
  await Deno.writeTextFile(path, JSON.stringify(summary, null, 2) + "\n");
  return path;
}

/**
 * Formats rows as an aligned plain-text table: text left-aligned, numbers right-aligned.
 *
 * @param headers The column headings.
 * @param rows The cells; numbers are printed as given (format them first).
 * @returns The table, one line per row, with a rule under the headings.
 *
 * @example
 * ```ts
 * import { table } from "./_shared.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(table(["run", "acc"], [["a", "0.5"]]), "run  acc\n---  ---\na    0.5");
 * ```
 */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, j) => Math.max([...h].length, ...rows.map((r) => [...(r[j] ?? "")].length)));
  const numeric = headers.map((_, j) =>
    rows.length > 0 && rows.every((r) => /^[-+−]?[\d.]+(e[-+]?\d+)?%?$/.test(r[j] ?? ""))
  );
  const line = (cells: readonly string[]) =>
    cells.map((c, j) => {
      const pad = " ".repeat(widths[j] - [...c].length);
      return numeric[j] ? pad + c : c + pad;
    }).join("  ").trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/**
 * Formats a fraction in [0, 1] as a percentage with one decimal.
 *
 * @param fraction The fraction.
 * @returns E.g. `"93.5%"`.
 *
 * @example
 * ```ts
 * import { percent } from "./_shared.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(percent(0.935), "93.5%");
 * ```
 */
export function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(1)}%`;
}
