/**
 * The README against the code: its plugin table lists every built-in plugin with its description, its code blocks
 * run and assert what their comments state, and it quotes the size of the mutation list.
 */

import assert from "node:assert/strict";
import { builtinPlugins } from "../plugins/mod.ts";
import { MUTATIONS } from "./mutations.ts";

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

/** The README's TypeScript code blocks, in order. */
async function readmeBlocks(): Promise<string[]> {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  return [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

Deno.test("the README's code blocks run and assert the values their comments state", async (t) => {
  const blocks = await readmeBlocks();
  assert.ok(blocks.length >= 2, "the README keeps its code examples");
  const root = new URL("../", import.meta.url).href;
  const dir = await Deno.makeTempDir({ prefix: "gradflow_readme_" });
  try {
    for (const [i, block] of blocks.entries()) {
      await t.step(`block ${i + 1}`, async () => {
        // A block that only prints checks nothing: each one asserts what its comments claim.
        assert.match(block, /\bassert\.\w+\(/, `block ${i + 1} asserts the values its comments state`);
        // It imports "./mod.ts" as a reader in the repository root would; run it from a temporary file.
        const path = `${dir}/block_${i + 1}.ts`;
        const source = block.replaceAll(/from "\.\//g, `from "${root}`);
        await Deno.writeTextFile(path, source);
        const log = console.log;
        console.log = () => {};
        try {
          // As a data: URL (the file above is there to read): an import `deno publish` can analyze.
          const bytes = new TextEncoder().encode(source);
          const base64 = btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
          await import(`data:text/${"typescript;base64," + base64}`);
        } finally {
          console.log = log;
        }
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the README quotes the size of the mutation list", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const quoted = readme.match(/\[tests\/mutations\.ts\]\(tests\/mutations\.ts\) \((\d+) of them/);
  assert.ok(quoted !== null, "the README says how many mutants there are");
  assert.equal(Number(quoted[1]), MUTATIONS.length);
});
