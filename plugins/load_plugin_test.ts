import assert from "node:assert/strict";
import { relative } from "node:path";
import { loadPlugin } from "./load_plugin.ts";
import { createRegistry } from "./mod.ts";
import { Registry } from "../core/registry.ts";

const lionUrl = new URL("../examples/plugins/lion.ts", import.meta.url).href;

/** Writes self-contained fixture modules to a fresh temporary folder; returns name → file URL. */
async function fixtures(files: Record<string, string>): Promise<Record<string, string>> {
  const dir = await Deno.makeTempDir({ prefix: "gradflow_load_plugin_" });
  const urls: Record<string, string> = {};
  for (const [name, source] of Object.entries(files)) {
    const path = `${dir}/${name}`;
    await Deno.writeTextFile(path, source);
    urls[name] = new URL(`file://${path}`).href;
  }
  return urls;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

const plugin = (kind: string, name: string, extra = "") =>
  `{ apiVersion: 1, kind: ${JSON.stringify(kind)}, name: ${JSON.stringify(name)}, create: () => () => 0${extra} }`;

const files = await fixtures({
  "single.ts": `export default ${plugin("scheduler", "fixture-single")};\n`,
  "array.ts": `export default [${plugin("scheduler", "fixture-a")}, ${plugin("loss", "fixture-b")}];\n`,
  "named.ts": `export const zeta = ${plugin("scheduler", "fixture-zeta")};\nexport const alpha = ${
    plugin("scheduler", "fixture-alpha")
  };\nexport const VERSION = "1.0";\nexport function helper() {}\n`,
  "throws.ts": `throw new Error("boom at import");\n`,
  "syntax.ts": `export default {;\n`,
  "nothing.ts": `export const VERSION = "1.0";\nexport function helper() {}\n`,
  "no_create.ts": `export default { apiVersion: 1, kind: "loss", name: "fixture-no-create" };\n`,
  "bad_name.ts": `export default ${plugin("loss", "Fixture_Bad")};\n`,
  "bad_description.ts": `export default ${plugin("loss", "fixture-desc", ", description: 42")};\n`,
  "version2.ts": `export default { ...${plugin("loss", "fixture-v2")}, apiVersion: 2 };\n`,
  "no_version.ts": `export const p = { kind: "loss", name: "fixture-nov", create: () => () => 0 };\n`,
  "unknown_kind.ts": `export default ${plugin("optimiser", "fixture-kind")};\n`,
  "factory.ts": `export default function lion() { return {}; }\n`,
  "twice.ts": `export const a = ${plugin("loss", "fixture-twice")};\nexport const b = ${
    plugin("loss", "fixture-twice")
  };\n`,
  "sgd.ts": `export default ${plugin("optimizer", "sgd", ', description: "my sgd"')};\n`,
  "pack_collides.ts": `export default [${plugin("scheduler", "fixture-first")}, ${plugin("optimizer", "sgd")}];\n`,
  "pack_malformed.ts": `export default [${plugin("scheduler", "fixture-ok")}, { apiVersion: 1, kind: "loss" }];\n`,
  "helper.ts": `export const name = "fixture-relative";\n`,
  "relative.ts":
    `import { name } from "./helper.ts";\nexport default { apiVersion: 1, kind: "scheduler", name, create: () => () => 1 };\n`,
  "reexport.ts": `export * from "./named.ts";\n`,
  "dynamic.ts":
    `const { name } = await import(\n  "./helper.ts"\n);\nexport default { apiVersion: 1, kind: "scheduler", name: \`\${name}-dynamic\`, create: () => () => 1 };\n`,
  "bom.ts": `\uFEFFexport default ${plugin("scheduler", "fixture-bom")};\n`,
  "main.js": `export default ${plugin("scheduler", "fixture-js")};\n`,
});

Deno.test("loadPlugin() loads a default-export plugin from a path relative to the working directory", async () => {
  const path = relative(Deno.cwd(), new URL(files["single.ts"]).pathname);
  const [p] = await loadPlugin(path);
  assert.equal(p.name, "fixture-single");
  assert.equal(p.kind, "scheduler");
});

Deno.test("loadPlugin() loads from a file: URL and from an absolute path", async () => {
  assert.equal((await loadPlugin(files["single.ts"]))[0].name, "fixture-single");
  assert.equal((await loadPlugin(new URL(files["single.ts"]).pathname))[0].name, "fixture-single");
  assert.equal((await loadPlugin(files["main.js"]))[0].name, "fixture-js");
});

Deno.test("loadPlugin() returns every element of an array default export, in order", async () => {
  const pack = await loadPlugin(files["array.ts"]);
  assert.deepEqual(pack.map((p) => `${p.kind}:${p.name}`), ["scheduler:fixture-a", "loss:fixture-b"]);
});

Deno.test("loadPlugin() returns the named plugin exports in export-name order and ignores the rest", async () => {
  const pack = await loadPlugin(files["named.ts"]);
  assert.deepEqual(pack.map((p) => p.name), ["fixture-alpha", "fixture-zeta"]);
});

Deno.test("loadPlugin() registers the plugins when given a registry, and they are usable by name", async () => {
  const registry = createRegistry();
  const plugins = await loadPlugin(lionUrl, { registry });
  assert.equal(plugins.length, 1);
  assert.equal(registry.get("optimizer", "lion"), plugins[0]);
  assert.equal(typeof registry.create("optimizer", "lion", { learningRate: 0.01 }).update, "function");
});

Deno.test("loadPlugin() fails when the module cannot be fetched, naming the URL", async () => {
  await assert.rejects(
    loadPlugin(files["single.ts"].replace("single.ts", "missing.ts")),
    (e: Error) => {
      assert.match(e.message, /^Cannot load a plugin from file:\/\/\/.*missing\.ts as the module cannot be fetched: /);
      assert.match(e.message, /not found/i);
      return true;
    },
  );
});

Deno.test("loadPlugin() fails when the module throws on import, with the module's error", async () => {
  await assert.rejects(
    loadPlugin(files["throws.ts"]),
    /^Error: Cannot load a plugin from file:\/\/\/.*throws\.ts as the module threw an error while being imported: Error: boom at import$/,
  );
  await assert.rejects(
    loadPlugin(files["syntax.ts"]),
    /syntax\.ts as the module threw an error while being imported: /,
  );
});

Deno.test("loadPlugin() fails when the module has no plugin export, listing its exports", async () => {
  await assert.rejects(
    loadPlugin(files["nothing.ts"]),
    /nothing\.ts as the module has no plugin export \(a default export of a descriptor \{ apiVersion: 1, kind, name, create \}, an array of them, or named exports of them\): current exports are VERSION, helper$/,
  );
});

Deno.test("loadPlugin() names the missing or mistyped field and the export it is in", async () => {
  await assert.rejects(
    loadPlugin(files["no_create.ts"]),
    {
      name: "TypeError",
      message: `Cannot use the default export of ${
        files["no_create.ts"]
      } as create must be a function: current value is undefined`,
    },
  );
  await assert.rejects(
    loadPlugin(files["bad_name.ts"]),
    /as name must be a kebab-case string such as "my-optimizer": current value is "Fixture_Bad"$/,
  );
  await assert.rejects(
    loadPlugin(files["bad_description.ts"]),
    /as description must be a string when given: current value is 42$/,
  );
  await assert.rejects(
    loadPlugin(files["no_version.ts"]),
    /^TypeError: Cannot use export "p" of .*no_version\.ts as apiVersion must be the number 1: current value is undefined$/,
  );
  await assert.rejects(
    loadPlugin(files["pack_malformed.ts"]),
    /^TypeError: Cannot use element 1 of the default export of .*pack_malformed\.ts as name must be a kebab-case string/,
  );
});

Deno.test("loadPlugin() refuses an unsupported apiVersion", async () => {
  await assert.rejects(
    loadPlugin(files["version2.ts"]),
    /version2\.ts as apiVersion must be 1 \(the version this gradflow supports\): current value is 2$/,
  );
});

Deno.test("loadPlugin() refuses an unknown kind, listing the known kinds", async () => {
  await assert.rejects(
    loadPlugin(files["unknown_kind.ts"]),
    /unknown_kind\.ts as kind must be one of layer, loss, metric, optimizer, regularizer, scheduler, initializer, backend: current value is "optimiser"$/,
  );
});

Deno.test("loadPlugin() explains a default export that is a factory instead of a descriptor", async () => {
  await assert.rejects(
    loadPlugin(files["factory.ts"]),
    /as the plugin must be a descriptor object \{ apiVersion: 1, kind, name, create \}: current value is a function \(export the descriptor, not the factory\)$/,
  );
});

Deno.test("loadPlugin() refuses a module that exports the same kind and name twice", async () => {
  await assert.rejects(
    loadPlugin(files["twice.ts"]),
    /twice\.ts as loss "fixture-twice" is exported twice: by export "a" of .* and by export "b" of /,
  );
});

Deno.test("loadPlugin() refuses a name taken by a built-in and says how to override", async () => {
  const registry = createRegistry();
  const builtin = registry.get("optimizer", "sgd");
  await assert.rejects(
    loadPlugin(files["sgd.ts"], { registry }),
    {
      name: "Error",
      message: `Cannot register optimizer "sgd" from ${
        files["sgd.ts"]
      } as a built-in optimizer has that name: rename the plugin, or replace the built-in optimizer on purpose with loadPlugin(specifier, { registry, override: true }) or the specifier suffix #override (CLI: --plugin <url>#override)`,
    },
  );
  assert.equal(registry.get("optimizer", "sgd"), builtin);
});

Deno.test("loadPlugin() replaces a built-in with override: true or the #override suffix", async () => {
  for (const [specifier, options] of [[files["sgd.ts"], { override: true }], [`${files["sgd.ts"]}#override`, {}]]) {
    const registry = createRegistry();
    await loadPlugin(specifier as string, { registry, ...options as object });
    assert.equal(registry.get("optimizer", "sgd").description, "my sgd");
  }
});

Deno.test("loadPlugin() refuses a name registered by an earlier plugin", async () => {
  const registry = new Registry();
  await loadPlugin(files["single.ts"], { registry });
  await assert.rejects(
    loadPlugin(files["single.ts"], { registry }),
    /as a scheduler registered earlier has that name: rename the plugin, or replace the scheduler registered earlier on purpose/,
  );
});

Deno.test("loadPlugin() registers all of a pack or none of it", async () => {
  const registry = createRegistry();
  const before = registry.list().map((p) => `${p.kind}:${p.name}`);
  await assert.rejects(loadPlugin(files["pack_collides.ts"], { registry }), /a built-in optimizer has that name/);
  await assert.rejects(loadPlugin(files["pack_malformed.ts"], { registry }), /element 1 of the default export/);
  assert.deepEqual(registry.list().map((p) => `${p.kind}:${p.name}`), before);
  assert.equal(registry.has("scheduler", "fixture-first"), false);
});

Deno.test("loadPlugin() loads a module whose SHA-256 matches the pin, in every accepted form", async () => {
  const source = await Deno.readTextFile(new URL(files["single.ts"]));
  const hex = await sha256(source);
  const base64 = btoa(String.fromCharCode(...new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)))));
  for (
    const [specifier, integrity] of [
      [`${files["single.ts"]}#sha256=${hex}`, undefined],
      [`${files["single.ts"]}#sha256=${hex.toUpperCase()}&override`, undefined],
      [files["single.ts"], `sha256=${hex}`],
      [files["single.ts"], hex],
      [files["single.ts"], `sha256-${base64}`],
      [`${files["single.ts"]}#sha256=${hex}`, hex],
    ]
  ) {
    const [p] = await loadPlugin(specifier!, { integrity });
    assert.equal(p.name, "fixture-single");
  }
});

Deno.test("loadPlugin() refuses a module whose SHA-256 does not match the pin, and registers nothing", async () => {
  const registry = createRegistry();
  const actual = await sha256(await Deno.readTextFile(new URL(lionUrl)));
  const wrong = "ab".repeat(32);
  await assert.rejects(
    loadPlugin(`${lionUrl}#sha256=${wrong}`, { registry }),
    {
      name: "Error",
      message:
        `Cannot load a plugin from ${lionUrl} as its SHA-256 does not match the pin: expected ${wrong}, current value is ${actual}`,
    },
  );
  assert.equal(registry.has("optimizer", "lion"), false);
});

Deno.test("loadPlugin() runs a pinned module with its relative static, re-export and dynamic imports resolved against its URL", async () => {
  const hex = await sha256(await Deno.readTextFile(new URL(files["relative.ts"])));
  const [p] = await loadPlugin(`${files["relative.ts"]}#sha256=${hex}`);
  assert.equal(p.name, "fixture-relative");
  const [lion] = await loadPlugin(lionUrl, { integrity: await sha256(await Deno.readTextFile(new URL(lionUrl))) });
  assert.equal(lion.name, "lion");
  const reexport = await loadPlugin(files["reexport.ts"], {
    integrity: await sha256(await Deno.readTextFile(new URL(files["reexport.ts"]))),
  });
  assert.deepEqual(reexport.map((p) => p.name), ["fixture-alpha", "fixture-zeta"]);
  const [dynamic] = await loadPlugin(files["dynamic.ts"], {
    integrity: await sha256(await Deno.readTextFile(new URL(files["dynamic.ts"]))),
  });
  assert.equal(dynamic.name, "fixture-relative-dynamic");
});

Deno.test("loadPlugin() accepts a pin taken of a file that starts with a byte-order mark", async () => {
  const [p] = await loadPlugin(files["bom.ts"], {
    integrity: await sha256(await Deno.readTextFile(new URL(files["bom.ts"]))),
  });
  assert.equal(p.name, "fixture-bom");
  const withoutBom = await sha256((await Deno.readTextFile(new URL(files["bom.ts"]))).replace(/^\uFEFF/, ""));
  assert.equal((await loadPlugin(files["bom.ts"], { integrity: withoutBom }))[0].name, "fixture-bom");
});

Deno.test("loadPlugin() refuses a malformed or contradictory pin", async () => {
  await assert.rejects(
    loadPlugin(`${files["single.ts"]}#sha256=1234`),
    {
      name: "TypeError",
      message: `Cannot load a plugin from ${
        files["single.ts"]
      } as the integrity pin must be sha256=<64 hex digits> (or sha256-<base64>): current value is "1234"`,
    },
  );
  await assert.rejects(
    loadPlugin(files["single.ts"], { integrity: "md5=abc" }),
    /integrity pin must be sha256=<64 hex digits>.*current value is "md5=abc"$/,
  );
  await assert.rejects(
    loadPlugin(`${files["single.ts"]}#sha256=${"a".repeat(64)}`, { integrity: "b".repeat(64) }),
    /the #sha256 of the specifier and options\.integrity disagree: current values are a{64} and b{64}$/,
  );
});

Deno.test("loadPlugin() refuses unknown loading options after #", async () => {
  await assert.rejects(
    loadPlugin(`${files["single.ts"]}#sha-256=abc`),
    /as the loading options after "#" must be sha256=<hex> and override: current value is "sha-256=abc"$/,
  );
  await assert.rejects(
    loadPlugin("https://example.com/lion.ts#top"),
    /as the loading options after "#" must be sha256=<hex> and override: current value is "top"$/,
  );
});

Deno.test("loadPlugin() refuses specifiers that are not https:, http:, file: URLs or paths", async () => {
  await assert.rejects(
    loadPlugin("npm:gradflow-lion"),
    {
      name: "TypeError",
      message:
        'Cannot load a plugin from "npm:gradflow-lion" as the specifier must be an https:, http: or file: URL, or a file path: current scheme is npm:',
    },
  );
  await assert.rejects(loadPlugin("data:text/javascript,export default 1"), /current scheme is data:$/);
  await assert.rejects(
    loadPlugin(""),
    /^TypeError: Cannot load a plugin as the specifier must be a URL or a path: current value is ""$/,
  );
});
