/** The README's plugin table lists every built-in plugin, with its description, and nothing else. */

import assert from "node:assert/strict";
import { builtinPlugins } from "../plugins/mod.ts";

Deno.test("the README's plugin table lists every built-in plugin by kind and name", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const start = readme.indexOf("<!-- plugin-table:start -->"), end = readme.indexOf("<!-- plugin-table:end -->");
  assert.ok(start !== -1 && end > start, "the README must keep the plugin-table markers");
  const rows = readme.slice(start, end).split("\n").filter((l) =>
    l.startsWith("| ") && !l.startsWith("| kind") && !/^\| -/.test(l)
  );
  const listed = rows.map((l) => l.split("|").map((c) => c.trim())).map(([, kind, name]) =>
    `${kind} ${name.replaceAll("`", "")}`
  );
  const expected = builtinPlugins.map((p) => `${p.kind} ${p.name}`);
  assert.deepEqual(listed.toSorted(), expected.toSorted());
  // The "what it is" column is each plugin's own description (table pipes escaped).
  for (const row of rows) {
    const [, kind, name, what] = row.split(/(?<!\\)\|/).map((c) => c.trim());
    const plugin = builtinPlugins.find((p) => `${p.kind} ${p.name}` === `${kind} ${name.replaceAll("`", "")}`)!;
    assert.equal(what.replaceAll("\\|", "|"), plugin.description, `${kind} ${name}`);
  }
});
