/**
 * What each entry point installs, from an empty cache: the CLI and the demo
 * nothing, the tests only the packages they import (fast-check, @xmldom/xmldom),
 * and only the benchmark TF.js, from its own configuration
 * (`tests/bench/deno.json` and its lock). The npm registry is a loopback
 * server that records what is asked of it and has nothing to give.
 *
 * Needs `--allow-run` (to start `Deno.execPath()`), `--allow-net=127.0.0.1`
 * (the registry) and `--allow-write` (the empty cache); ignored without them.
 */

import assert from "node:assert/strict";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const permitted = Deno.permissions.querySync({ name: "run", command: Deno.execPath() }).state === "granted" &&
  Deno.permissions.querySync({ name: "net", host: "127.0.0.1" }).state === "granted";

/** The npm package a registry request is for: `/@xmldom%2fxmldom`, `/fast-check/-/fast-check-4.3.0.tgz` → its name. */
function packageOf(path: string): string {
  const parts = decodeURIComponent(path).split("/").filter(Boolean);
  return parts[0].startsWith("@") && !parts[0].includes("/") ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** Runs `deno <args>` in the repository with an empty DENO_DIR and the npm registry at a recording loopback server. */
async function fromEmptyCache(args: string[]): Promise<{ code: number; output: string; packages: string[] }> {
  const cache = await Deno.makeTempDir({ prefix: "gradflow_empty_cache_" });
  const requests: string[] = [];
  const stop = new AbortController();
  let port = 0;
  const registry = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: stop.signal, onListen: (a) => port = a.port },
    (request) => {
      requests.push(new URL(request.url).pathname);
      return new Response("not here", { status: 404 });
    },
  );
  try {
    while (port === 0) await new Promise((r) => setTimeout(r, 5));
    const out = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      env: { DENO_DIR: cache, NPM_CONFIG_REGISTRY: `http://127.0.0.1:${port}/`, NO_COLOR: "1" },
      stdin: "null",
      signal: AbortSignal.timeout(180_000),
    }).output();
    const output = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return { code: out.code, output, packages: [...new Set(requests.map(packageOf))].sort() };
  } finally {
    stop.abort();
    await registry.finished;
    await Deno.remove(cache, { recursive: true });
  }
}

Deno.test({
  name: "deno task gradflow --version and deno task demo --help install nothing, from an empty cache with no registry",
  ignore: !permitted,
  async fn() {
    const cli = await fromEmptyCache(["task", "gradflow", "--version"]);
    assert.equal(cli.code, 0, cli.output);
    assert.match(cli.output, /gradflow \d+\.\d+\.\d+/);
    assert.deepEqual(cli.packages, [], cli.output);
    const demo = await fromEmptyCache(["task", "demo", "--help"]);
    assert.equal(demo.code, 0, demo.output);
    assert.match(demo.output, /Usage: deno task demo/);
    assert.deepEqual(demo.packages, [], demo.output);
  },
});

Deno.test({
  name: "the tests ask the registry for the packages they import and nothing else; TF.js is the benchmark's",
  ignore: !permitted,
  async fn() {
    const tests = await fromEmptyCache(["task", "test", "--no-run", "train/serialize_test.ts"]);
    assert.notEqual(tests.packages.length, 0, "the tests need fast-check from the registry");
    for (const name of tests.packages) {
      assert.ok(["fast-check", "pure-rand", "@xmldom/xmldom"].includes(name), `the tests asked for ${name}`);
    }
    const bench = await fromEmptyCache([
      "check",
      "--config",
      "tests/bench/deno.json",
      "tests/bench/fashion_mnist_bench.ts",
    ]);
    assert.ok(bench.packages.some((name) => name.startsWith("@tensorflow/")), bench.output);
    // The lock files say the same: TF.js in the benchmark's, never in the main one.
    const main = await Deno.readTextFile(`${ROOT}/deno.lock`);
    assert.doesNotMatch(main, /tensorflow/);
    assert.match(await Deno.readTextFile(`${ROOT}/tests/bench/deno.lock`), /"npm:@tensorflow\/tfjs@/);
  },
});
