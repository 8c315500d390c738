/**
 * `gradflow list [kind]`: every registered plugin with its description,
 * options and defaults.
 *
 * @module
 */

import { type Plugin, PLUGIN_KINDS, type PluginKind } from "../../core/interfaces.ts";
import { nearestName } from "../../core/registry.ts";
import { COMMAND_FLAGS, listFlag, parseFlags } from "../_args.ts";
import { _prepare, UsageError } from "../_errors.ts";
import { buildRegistry } from "../_setup.ts";

/** The help text of `gradflow list`. */
export const LIST_HELP = `Usage: gradflow list [kind] [flags]

List the registered plugins (built-in and loaded) with their descriptions,
options and defaults, grouped by kind.

Arguments:
  kind                 only this kind: ${PLUGIN_KINDS.join(", ")} (plurals work too)

Flags:
  --plugin <url|path>  load a third-party plugin first (repeatable; append #sha256=<hex> to pin it)
  --json               print JSON: [{ kind, name, description, defaults, required }]
  -h, --help           show this help

Examples:
  gradflow list optimizer
  gradflow list --plugin ./examples/plugins/lion.ts optimizer
`;

function formatValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "<function>";
  if (Array.isArray(value) || (value !== null && typeof value === "object")) return JSON.stringify(value);
  return String(value);
}

/**
 * The kind named by a command-line word (`"optimizers"` → `"optimizer"`).
 *
 * @param word What was typed.
 * @returns The kind.
 * @throws {UsageError} For an unknown kind, naming the nearest one.
 *
 * @example
 * ```ts
 * import { parseKind } from "./list.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(parseKind("losses"), "loss");
 * assert.throws(() => parseKind("optimisers"), /did you mean "optimizer"/);
 * ```
 */
export function parseKind(word: string): PluginKind {
  const words = new Map<string, PluginKind>(
    PLUGIN_KINDS.flatMap((k) => [[k, k], [k === "loss" ? "losses" : `${k}s`, k]] as [string, PluginKind][]),
  );
  const kind = words.get(word.toLowerCase());
  if (kind !== undefined) return kind;
  const near = nearestName(word, [...words.keys()]);
  throw new UsageError(
    `Cannot list plugins of kind "${word}" as it is unknown${
      near ? ` (did you mean "${words.get(near)}"?)` : ""
    }: kinds are ${PLUGIN_KINDS.join(", ")}`,
  );
}

/**
 * The listing of plugins as text: a heading per kind, then each plugin's
 * name, description and `option=default` pairs.
 *
 * @param plugins The plugins, grouped by kind (as `Registry.list` gives them).
 * @returns The text, ending with a newline.
 *
 * @example
 * ```ts
 * import { formatPluginList } from "./list.ts";
 * import sgd from "../../plugins/optimizers/sgd.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(formatPluginList([sgd]), /^optimizers:\n {2}sgd +Gradient descent.*\n +options: learningRate=0\.001 /);
 * ```
 */
export function formatPluginList(plugins: readonly Plugin[]): string {
  const lines: string[] = [];
  const width = Math.max(8, ...plugins.map((p) => p.name.length)) + 2;
  let kind: string | undefined;
  for (const p of plugins) {
    if (p.kind !== kind) {
      if (kind !== undefined) lines.push("");
      kind = p.kind;
      lines.push(`${p.kind === "loss" ? "losses" : `${p.kind}s`}:`);
    }
    lines.push(`  ${p.name.padEnd(width)}${p.description ?? ""}`.trimEnd());
    const required = Object.entries(p.required ?? {});
    if (required.length) {
      lines.push(`  ${" ".repeat(width)}required: ${required.map(([k, what]) => `${k} (${what})`).join(", ")}`);
    }
    const defaults = Object.entries(p.defaults ?? {});
    if (defaults.length) {
      lines.push(`  ${" ".repeat(width)}options: ${defaults.map(([k, v]) => `${k}=${formatValue(v)}`).join(" ")}`);
    }
  }
  return lines.join("\n") + "\n";
}

/**
 * Runs `gradflow list`.
 *
 * @param args The arguments after `list`.
 * @returns The exit code.
 *
 * @example
 * ```ts
 * import { listCommand } from "./list.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await listCommand(["scheduler"]), 0);
 * ```
 */
export async function listCommand(args: readonly string[]): Promise<number> {
  const { values, kind, registry } = await _prepare(async () => {
    const { values, positionals } = parseFlags("list", args, COMMAND_FLAGS.list);
    if (values.help) return { values, kind: undefined, registry: null };
    if (positionals.length > 1) {
      throw new UsageError(
        `Cannot run list as it takes at most one kind: current arguments are ${positionals.join(" ")}`,
      );
    }
    const kind = positionals.length ? parseKind(positionals[0]) : undefined;
    return { values, kind, registry: await buildRegistry(listFlag(values.plugin)) };
  });
  if (values.help || registry === null) {
    console.log(LIST_HELP);
    return 0;
  }
  const plugins = registry.list(kind);
  if (values.json) {
    const rows = plugins.map((p) => ({
      kind: p.kind,
      name: p.name,
      description: p.description ?? "",
      defaults: JSON.parse(JSON.stringify(p.defaults ?? {}, (_k, v) => (typeof v === "function" ? "<function>" : v))),
      required: p.required ?? {},
    }));
    console.log(JSON.stringify(rows, null, 2));
  } else {
    console.log(formatPluginList(plugins).trimEnd());
  }
  return 0;
}
