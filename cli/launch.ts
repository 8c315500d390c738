/**
 * `deno task gradflow`: starts `cli/main.ts` with the narrowest permissions
 * its command line needs, and never a prompt.
 *
 * Deno fixes a process's permissions when it starts, and the permissions a
 * run needs depend on its arguments and its experiment file (the data set's
 * folder, the run folder, the hosts of the plugins it names). So this
 * launcher reads them first (`cli/_permissions.ts`), then runs
 * `Deno.execPath() run --no-prompt --allow-read=… --allow-write=<run folder>
 * --allow-import=<plugin hosts> … cli/main.ts <arguments>`, passing standard
 * input, output and error through and exiting with its exit code. No
 * third-party code runs in the launcher: plugins load in the process it
 * starts, under those permissions. The launcher itself needs `--allow-read`
 * (the experiment file) and `--allow-run` (to start Deno).
 *
 *   deno task gradflow train examples/experiments/spirals.json
 *   deno run --no-prompt --allow-read --allow-run cli/launch.ts train examples/experiments/spirals.json
 *
 * Running `cli/main.ts` directly with permissions of your own choosing works
 * as before (see `cli/README.md`).
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { commandPermissions, denoFlags } from "./_permissions.ts";

/**
 * The `deno` arguments that run `cli/main.ts` on `args` with the permissions it needs.
 *
 * @param args The arguments of `gradflow`.
 * @returns `["run", "--no-prompt", …permission flags, "<…>/cli/main.ts", …args]`.
 *
 * @example
 * ```ts
 * import { launchArgs } from "./launch.ts";
 * import assert from "node:assert/strict";
 *
 * const args = await launchArgs(["list", "optimizer"]);
 * assert.deepEqual(args.slice(0, 2), ["run", "--no-prompt"]);
 * assert.ok(args.some((a) => a.startsWith("--deny-import=") && a.includes("esm.sh:443")));
 * assert.deepEqual(args.slice(-3), [new URL("./main.ts", import.meta.url).pathname, "list", "optimizer"]);
 * ```
 */
export async function launchArgs(args: readonly string[]): Promise<string[]> {
  const flags = denoFlags(await commandPermissions(args));
  return ["run", ...flags, fileURLToPath(new URL("./main.ts", import.meta.url)), ...args];
}

if (import.meta.main) {
  const child = new Deno.Command(Deno.execPath(), {
    args: await launchArgs(Deno.args),
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  // Ctrl-C reaches both processes (one process group): the launcher waits for the run to end as it chooses.
  Deno.addSignalListener("SIGINT", () => {});
  Deno.exit((await child.status).code);
}
