/**
 * The narrowest Deno permissions a CLI command needs, worked out from its
 * arguments and experiment file before it runs (Deno's permissions are fixed
 * when a process starts): `cli/launch.ts` starts `cli/main.ts` with them.
 *
 * - read: the working folder, the experiment file, the data set's file or
 *   folder (`path`, `dir`; Fashion-MNIST's Debian folder by default), local
 *   plugins' folders, and the run folder (`evaluate` and `predict`: the run
 *   and the data they are given);
 * - write: the run folder only (`train`, `compare`, `plot`), the file asked
 *   for (`evaluate --heatmap`, `predict --out`), or nothing (`list`,
 *   `gradcheck`, `summary`, `--help`);
 * - import: the hosts of the remote plugins named (`--plugin`, the
 *   experiment's `plugins`), and no other (Deno's default hosts, `deno.land`,
 *   `esm.sh`…, are not allowed: denied by name when no plugin host is named);
 * - ffi: OpenBLAS's paths, only with `--backend blas` (or `"backend": "blas"`);
 * - env: `CI` and `TERM` (the progress bar); no network, no subprocesses, no
 *   system information, never a prompt.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { OPENBLAS_CANDIDATES } from "../plugins/backends/blas.ts";
import { FASHION_MNIST_DIR } from "../train/data/mnist.ts";
import { COMMAND_FLAGS } from "./_args.ts";
import { DATASETS, readExperiment } from "./_setup.ts";
import { overridesFrom } from "./commands/train.ts";
import type { Experiment } from "./experiment.ts";

/** What a command may touch. */
export interface CommandPermissions {
  /** Paths it may read (`.` is the working folder). */
  read: string[];
  /** Paths it may write. */
  write: string[];
  /** Hosts (`host` or `host:port`) it may import modules from; none denies every remote import. */
  importHosts: string[];
  /** Native libraries it may load, or `null` for none. */
  ffi: string[] | null;
  /** Environment variables it may read. */
  env: string[];
}

const ENV = ["CI", "TERM"];

/** The hosts Deno 2 allows imports from when no `--allow-import` is given (`deno run --help`). */
const DENO_DEFAULT_IMPORT_HOSTS = [
  "deno.land:443",
  "jsr.io:443",
  "esm.sh:443",
  "raw.esm.sh:443",
  "cdn.jsdelivr.net:443",
  "raw.githubusercontent.com:443",
  "gist.githubusercontent.com:443",
];

/**
 * A command's flags and positionals, as the command will read them: its row of {@linkcode COMMAND_FLAGS} (every
 * row's flags for a command without one), so that a flag's value is never taken for a path.
 */
function parse(command: string | undefined, args: readonly string[]) {
  const options = command !== undefined && Object.hasOwn(COMMAND_FLAGS, command)
    ? COMMAND_FLAGS[command]
    : Object.assign({}, ...Object.values(COMMAND_FLAGS));
  const { values, positionals } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true });
  return { values: values as Record<string, string | boolean | string[] | undefined>, positionals };
}

function folderOf(path: string): string {
  const i = path.replace(/[\\/]+$/, "").search(/[\\/][^\\/]*$/);
  return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i);
}

/** Where a plugin specifier (`--plugin`, an experiment entry) comes from: a host to import from, or a folder to read. */
function pluginSource(specifier: string): { host?: string; folder?: string } {
  const location = specifier.trim().replace(/#[^#/]*$/, "");
  if (/^https?:\/\//i.test(location)) {
    try {
      return { host: new URL(location).host };
    } catch {
      return {};
    }
  }
  if (/^file:/i.test(location)) {
    try {
      return { folder: folderOf(decodeURIComponent(new URL(location).pathname)) };
    } catch {
      return {};
    }
  }
  return /^[a-z][a-z0-9+.-]+:/i.test(location) && !/^[a-z]:[\\/]/i.test(location) ? {} : { folder: folderOf(location) };
}

/** The files and folders a data set spec reads (its `paths` options, made absolute against `base`). */
function dataPaths(spec: unknown, base = ""): string[] {
  const choice = typeof spec === "string" ? { name: spec } : spec;
  if (choice === null || typeof choice !== "object" || Array.isArray(choice)) return [];
  const { name, ...options } = choice as Record<string, unknown>;
  const paths: string[] = [];
  for (const key of DATASETS[String(name)]?.paths ?? []) {
    const value = options[key];
    if (typeof value === "string" && value !== "") {
      paths.push(value.startsWith("/") || /^[a-zA-Z]:[\\/]/.test(value) ? value : `${base}${value}`);
    }
  }
  if (name === "fashion-mnist" && options.dir === undefined) paths.push(FASHION_MNIST_DIR);
  return paths;
}

/** What `evaluate` and `predict` read besides the run: a CSV file, a JSON data set or experiment file, or inline JSON. */
async function dataArgumentPaths(argument: string): Promise<string[]> {
  const text = argument.trim();
  try {
    if (text.startsWith("{")) return dataPaths(JSON.parse(text));
    if (!/\.json$/i.test(text)) return [text];
    const json = JSON.parse(await Deno.readTextFile(text));
    const spec = json !== null && typeof json === "object" && "data" in json ? json.data : json;
    return [text, ...dataPaths(spec, text.includes("/") ? text.replace(/[^/]*$/, "") : "")];
  } catch {
    return text.startsWith("{") ? [] : [text];
  }
}

function backendOf(values: Record<string, unknown>, experiment: Experiment | null): string | undefined {
  if (typeof values.backend === "string") return values.backend;
  const backend = (experiment as { backend?: { name?: unknown } | null } | null)?.backend;
  return typeof backend?.name === "string" ? backend.name : undefined;
}

/**
 * The permissions a command line needs: see the module documentation. A
 * command line that cannot be read (a missing or malformed experiment, say)
 * gets the least (read the working folder and the file), and `cli/main.ts`
 * then reports the problem as it always does.
 *
 * Needs `--allow-read` (it reads the experiment file, as `cli/main.ts` will).
 *
 * @param args The arguments of `gradflow` (the command first).
 * @returns The permissions.
 *
 * @example
 * ```ts
 * import { commandPermissions } from "./_permissions.ts";
 * import assert from "node:assert/strict";
 *
 * const p = await commandPermissions(["train", "examples/experiments/spirals.json", "--plugin", "https://example.org/lion.ts"]);
 * assert.deepEqual(p.write, ["runs/spirals"]);
 * assert.deepEqual(p.importHosts, ["example.org"]);
 * assert.equal(p.ffi, null);
 * ```
 */
export async function commandPermissions(args: readonly string[]): Promise<CommandPermissions> {
  const [command, ...rest] = args;
  const permissions: CommandPermissions = { read: ["."], write: [], importHosts: [], ffi: null, env: ENV };
  let values: Record<string, string | boolean | string[] | undefined> = {}, positionals: string[] = [];
  try {
    ({ values, positionals } = parse(command, rest));
  } catch {
    return permissions;
  }
  const plugins = [...(Array.isArray(values.plugin) ? values.plugin : [])];
  let experiment: Experiment | null = null;
  if ((command === "train" || command === "compare") && positionals.length === 1) {
    permissions.read.push(positionals[0]);
    try {
      const { out: _out, ...overrides } = overridesFrom(values);
      const base = await readExperiment(positionals[0], overrides);
      experiment = await readExperiment(positionals[0], overridesFrom(values));
      const out = command === "train"
        ? experiment.out ?? `runs/${experiment.name}`
        : (typeof values.out === "string" ? values.out : base.out ?? `runs/${base.name}-compare`);
      permissions.write.push(out.replace(/[\\/]+$/, ""));
      permissions.read.push(...dataPaths(experiment.data));
      plugins.push(...experiment.plugins.map((p) => p.url));
    } catch {
      // main.ts says what is wrong with the experiment.
    }
  } else if (command === "summary" && positionals.length === 1) {
    permissions.read.push(positionals[0]);
    try {
      experiment = await readExperiment(positionals[0], overridesFrom(values));
      permissions.read.push(...dataPaths(experiment.data));
      plugins.push(...experiment.plugins.map((p) => p.url));
    } catch {
      // main.ts says what is wrong with the experiment.
    }
  } else if ((command === "evaluate" || command === "predict") && positionals.length === 2) {
    const run = positionals[0].replace(/[\\/]+$/, "");
    permissions.read.push(run, ...(await dataArgumentPaths(positionals[1])));
    try {
      // The run's plugins, as its experiment.json records them.
      plugins.push(...(await readExperiment(`${run}/experiment.json`, {})).plugins.map((p) => p.url));
    } catch {
      // A model file, or a folder without experiment.json: only the --plugin flags.
    }
    const output = command === "evaluate" ? values.heatmap : values.out;
    if (typeof output === "string") permissions.write.push(output);
  } else if (command === "plot") {
    permissions.read.push(...positionals);
    const out = typeof values.out === "string" ? values.out : positionals[0];
    if (out !== undefined) permissions.write.push(out.replace(/[\\/]+$/, ""));
  } else if (!["list", "gradcheck", "help", "-h", "--help", "--version", "-V", undefined].includes(command)) {
    // A command this table does not know: read what it names that exists, write only an explicit --out.
    for (const p of positionals) if (await exists(p)) permissions.read.push(p);
    if (typeof values.out === "string") permissions.write.push(values.out.replace(/[\\/]+$/, ""));
  }
  permissions.read.push(...permissions.write);
  for (const specifier of plugins) {
    const { host, folder } = pluginSource(specifier);
    if (host !== undefined) permissions.importHosts.push(host);
    if (folder !== undefined) permissions.read.push(folder);
  }
  if (backendOf(values, experiment) === "blas") {
    permissions.ffi = [...(OPENBLAS_CANDIDATES[Deno.build.os] ?? OPENBLAS_CANDIDATES.linux)].filter((p) =>
      p.includes("/") || p.includes("\\")
    );
  }
  permissions.read = unique(permissions.read);
  permissions.importHosts = unique(permissions.importHosts);
  return permissions;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/**
 * The `deno run` flags for these permissions, `--no-prompt` first: what
 * `cli/launch.ts` starts `cli/main.ts` with.
 *
 * @param permissions What the command may touch.
 * @returns The flags.
 *
 * @example
 * ```ts
 * import { denoFlags } from "./_permissions.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(
 *   denoFlags({ read: [".", "/data"], write: ["runs/x"], importHosts: [], ffi: null, env: ["CI", "TERM"] }),
 *   ["--no-prompt", "--allow-read=.,/data", "--allow-write=runs/x", "--deny-import=deno.land:443,jsr.io:443,esm.sh:443,raw.esm.sh:443,cdn.jsdelivr.net:443,raw.githubusercontent.com:443,gist.githubusercontent.com:443", "--allow-env=CI,TERM"],
 * );
 * ```
 */
export function denoFlags(permissions: CommandPermissions): string[] {
  // Deno splits a permission's list on commas; a comma in a path is written twice.
  const list = (paths: readonly string[]) => paths.map((p) => p.replaceAll(",", ",,")).join(",");
  const flags = ["--no-prompt", `--allow-read=${list(permissions.read)}`];
  if (permissions.write.length > 0) flags.push(`--allow-write=${list(permissions.write)}`);
  // Naming hosts replaces Deno's default import hosts; with none, those are denied by name (a bare --deny-import
  // leaves them allowed in Deno 2.9).
  flags.push(
    permissions.importHosts.length > 0
      ? `--allow-import=${list(permissions.importHosts)}`
      : `--deny-import=${DENO_DEFAULT_IMPORT_HOSTS.join(",")}`,
  );
  if (permissions.ffi !== null) flags.push(`--allow-ffi=${list(permissions.ffi)}`);
  if (permissions.env.length > 0) flags.push(`--allow-env=${permissions.env.join(",")}`);
  return flags;
}
