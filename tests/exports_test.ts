/**
 * The package surface: every built-in plugin is importable on its own by the
 * subpath `./<kind folder>/<plugin name>` (what the CLI and docs call it), and
 * that module's default export is the plugin itself.
 */

import assert from "node:assert/strict";
import { builtinPlugins } from "../plugins/mod.ts";

const FOLDERS: Record<string, string> = {
  layer: "layers",
  loss: "losses",
  metric: "metrics",
  optimizer: "optimizers",
  regularizer: "regularizers",
  scheduler: "schedulers",
  initializer: "initializers",
  backend: "backends",
};

const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
const exportsMap: Record<string, string> = config.exports;

Deno.test("deno.json exports the root and the testing kit", () => {
  assert.equal(exportsMap["."], "./mod.ts");
  assert.equal(exportsMap["./testing"], "./tests/kit/mod.ts");
});

Deno.test("every built-in plugin has an export subpath named after it", async (t) => {
  const missing: string[] = [];
  for (const plugin of builtinPlugins) {
    const subpath = `./${FOLDERS[plugin.kind]}/${plugin.name}`;
    const target = exportsMap[subpath];
    if (target === undefined) {
      missing.push(`"${subpath}": "./plugins/${FOLDERS[plugin.kind]}/${plugin.name.replaceAll("-", "_")}.ts"`);
      continue;
    }
    await t.step(`${subpath} default-exports ${plugin.kind} "${plugin.name}"`, async () => {
      const module = await import(`../${target.replace(/^\.\//, "")}`);
      assert.equal(module.default, plugin);
    });
  }
  assert.deepEqual(missing, [], `add these lines to "exports" in deno.json:\n${missing.join(",\n")}`);
});
