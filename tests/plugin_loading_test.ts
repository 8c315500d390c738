/**
 * Third-party plugins loaded by URL, end to end: a loopback HTTP server on
 * 127.0.0.1 serves this repository (as any web server would serve a copy of
 * it), and the CLI, run in a subprocess with the least permissions, trains
 * with `examples/plugins/lion.ts` and `focal_loss.ts` loaded by
 * `http://127.0.0.1:<port>/…` URL, checks the integrity pins, and reports
 * plugins that try to use permissions the run did not grant.
 *
 * The plugins are loaded only in subprocesses, run with `--no-lock` and a
 * temporary `DENO_DIR`: an in-process remote import would record the
 * loopback URL in the repository's `deno.lock`.
 *
 * This file needs `--allow-net=127.0.0.1` (the server) and `--allow-run` (to start `Deno.execPath()`)
 * (the CLI subprocesses), besides the read and write access of the test task.
 */

import assert from "node:assert/strict";

const REPO = new URL("../", import.meta.url);
const CLI = new URL("cli/main.ts", REPO).pathname;
const DESCRIPTOR = `{ apiVersion: 1, kind: "scheduler", name: "sneaky", create: () => () => 0.1 }`;

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Serves the repository's .ts/.js/.json files (and some in-memory fixtures) on 127.0.0.1, for a bounded time. */
function serve(fixtures: Map<string, string>) {
  const requests: string[] = [];
  const stop = new AbortController();
  const failsafe = setTimeout(() => stop.abort(), 120_000);
  let port = 0;
  const types: Record<string, string> = {
    ts: "application/typescript",
    js: "text/javascript",
    json: "application/json",
  };
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: stop.signal,
    onListen: (address) => port = address.port,
  }, async (request) => {
    const path = decodeURIComponent(new URL(request.url).pathname);
    requests.push(path);
    if (requests.length > 2_000) return new Response("too many requests", { status: 503 });
    const fixture = fixtures.get(path);
    if (fixture !== undefined) return new Response(fixture, { headers: { "content-type": types.ts } });
    const type = types[/\.([a-z]+)$/.exec(path)?.[1] ?? ""];
    if (type === undefined || path.split("/").some((part) => part.startsWith("."))) {
      return new Response("not found", { status: 404 });
    }
    try {
      return new Response(await Deno.readFile(new URL(path.slice(1), REPO)), { headers: { "content-type": type } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  return {
    get base() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    requests,
    async close() {
      clearTimeout(failsafe);
      stop.abort();
      await server.finished;
    },
  };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in a subprocess with exactly the given permission flags. */
async function cli(work: string, permissions: string[], args: string[]): Promise<Run> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-lock", ...permissions, CLI, ...args],
    cwd: work,
    env: { NO_COLOR: "1", DENO_DIR: `${work}/deno_dir` },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

function experiment(plugins: unknown[] = []): string {
  return JSON.stringify({
    name: "lion-focal",
    seed: 1,
    plugins,
    data: { name: "two-gaussians", samples: 200 },
    model: [{ name: "dense", units: 8 }, { name: "tanh" }, { name: "dense", units: 1 }],
    loss: { name: "focal-loss" },
    optimizer: { name: "lion", learningRate: 0.01 },
    epochs: 4,
    batchSize: 32,
  });
}

async function requirePermissions(): Promise<void> {
  const missing: string[] = [];
  if ((await Deno.permissions.query({ name: "net", host: "127.0.0.1" })).state !== "granted") {
    missing.push("--allow-net=127.0.0.1");
  }
  if ((await Deno.permissions.query({ name: "run", command: Deno.execPath() })).state !== "granted") {
    missing.push("--allow-run");
  }
  if (missing.length > 0) {
    throw new Error(`Cannot run the loopback plugin test as it needs ${missing.join(" ")} (add them to the test task)`);
  }
}

Deno.test("plugins load by http://127.0.0.1 URL through the CLI, pinned, and in a sandbox", async (t) => {
  await requirePermissions();
  const work = await Deno.makeTempDir({ prefix: "gradflow_plugin_loading_" });
  const fixtures = new Map<string, string>();
  const server = serve(fixtures);
  try {
    while (server.port === 0) await new Promise((r) => setTimeout(r, 5));
    const { base, port } = server;
    const lion = `${base}/examples/plugins/lion.ts`;
    const focal = `${base}/examples/plugins/focal_loss.ts`;
    const lionHash = await sha256(await Deno.readTextFile(new URL("examples/plugins/lion.ts", REPO)));
    const focalHash = await sha256(await Deno.readTextFile(new URL("examples/plugins/focal_loss.ts", REPO)));
    const wrongHash = lionHash.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    await Deno.writeTextFile(`${work}/exp.json`, experiment());
    await Deno.writeTextFile(`${work}/secret.txt`, "not for plugins");
    // The least a remote-plugin run needs: import from the plugin host, read the experiment, write the run.
    const least = (out: string) => [
      `--allow-import=127.0.0.1:${port}`,
      `--allow-read=${work}/exp.json,${work}/${out}`,
      `--allow-write=${work}/${out}`,
    ];
    const train = (out: string, ...plugins: string[]) =>
      cli(work, least(out), ["train", "exp.json", "--out", out, "--quiet", ...plugins.flatMap((p) => ["--plugin", p])]);

    await t.step("the CLI trains with lion and focal-loss loaded by URL, pinned by SHA-256", async () => {
      const run = await train("run-good", `${lion}#sha256=${lionHash}`, `${focal}#sha256=${focalHash}`);
      assert.equal(run.code, 0, run.stderr);
      const lines = (await Deno.readTextFile(`${work}/run-good/metrics.jsonl`)).trim().split("\n").map((l) =>
        JSON.parse(l)
      );
      const losses = lines.filter((l) => typeof l.loss === "number").map((l) => l.loss as number);
      assert.ok(losses.length >= 4 && losses.every(Number.isFinite), JSON.stringify(losses));
      assert.ok(losses[losses.length - 1] < losses[0], `the loss must go down: ${losses.join(", ")}`);
      assert.ok(server.requests.includes("/examples/plugins/lion.ts"));
      assert.ok(server.requests.includes("/mod.ts"), "lion.ts imports gradflow's public API from its own server");
    });

    await t.step("the CLI refuses a wrong pin with a non-zero exit, the mismatch, and no run folder", async () => {
      const run = await train("run-wrong-pin", `${lion}#sha256=${wrongHash}`, focal);
      assert.notEqual(run.code, 0);
      assert.match(
        run.stderr,
        new RegExp(
          `Cannot load a plugin from ${lion} as its SHA-256 does not match the pin: expected ${wrongHash}, current value is ${lionHash}`,
        ),
      );
      await assert.rejects(Deno.stat(`${work}/run-wrong-pin`), Deno.errors.NotFound);
    });

    await t.step("pins in the experiment's plugins array are checked the same way", async () => {
      await Deno.writeTextFile(
        `${work}/pinned.json`,
        experiment([{ url: lion, sha256: lionHash }, { url: focal, sha256: focalHash }]),
      );
      await Deno.writeTextFile(`${work}/mispinned.json`, experiment([{ url: lion, sha256: wrongHash }, focal]));
      const flags = (file: string, out: string) => [
        `--allow-import=127.0.0.1:${port}`,
        `--allow-read=${work}/${file},${work}/${out}`,
        `--allow-write=${work}/${out}`,
      ];
      const [good, bad] = await Promise.all([
        cli(work, flags("pinned.json", "run-json"), ["train", "pinned.json", "--out", "run-json", "--quiet"]),
        cli(work, flags("mispinned.json", "run-json-bad"), [
          "train",
          "mispinned.json",
          "--out",
          "run-json-bad",
          "--quiet",
        ]),
      ]);
      assert.equal(good.code, 0, good.stderr);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /does not match the pin: expected [0-9a-f]{64}, current value is [0-9a-f]{64}/);
    });

    await t.step("list shows a plugin loaded by URL, and says which flag a remote plugin needs", async () => {
      const [listed, denied] = await Promise.all([
        cli(work, [`--allow-import=127.0.0.1:${port}`], ["list", "optimizer", "--plugin", lion]),
        cli(work, [], ["list", "optimizer", "--plugin", lion]),
      ]);
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(listed.stdout, /\blion\b/);
      assert.notEqual(denied.code, 0);
      assert.match(
        denied.stderr,
        new RegExp(`cannot be fetched: .*\\(run with --allow-import=127\\.0\\.0\\.1:${port}\\)`),
      );
    });

    await t.step("an unreachable plugin host is one clear error", async () => {
      const closed = await Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const deadPort = (closed.addr as Deno.NetAddr).port;
      closed.close();
      const run = await cli(work, [`--allow-import=127.0.0.1:${deadPort}`], [
        "list",
        "--plugin",
        `http://127.0.0.1:${deadPort}/lion.ts`,
      ]);
      assert.notEqual(run.code, 0);
      assert.match(
        run.stderr,
        new RegExp(
          `Cannot load a plugin from http://127\\.0\\.0\\.1:${deadPort}/lion\\.ts as the module cannot be fetched: .*(refused|connect)`,
          "i",
        ),
      );
    });

    await t.step(
      "a plugin that reads a file, writes one or opens a socket without permission fails cleanly",
      async () => {
        const target = new URL("never_written_by_a_plugin.txt", REPO).pathname;
        fixtures.set(
          "/_fixtures/reads_file.ts",
          `Deno.readTextFileSync(${JSON.stringify(`${work}/secret.txt`)});\nexport default ${DESCRIPTOR};\n`,
        );
        fixtures.set(
          "/_fixtures/writes_file.ts",
          `Deno.writeTextFileSync(${JSON.stringify(target)}, "x");\nexport default ${DESCRIPTOR};\n`,
        );
        fixtures.set(
          "/_fixtures/opens_socket.ts",
          `(await Deno.connect({ hostname: "127.0.0.1", port: ${port} })).close();\nexport default ${DESCRIPTOR};\n`,
        );
        fixtures.set("/_fixtures/fetches.ts", `await fetch("${base}/leak?secret=1");\nexport default ${DESCRIPTOR};\n`);
        const cases: [string, RegExp][] = [
          ["reads_file", new RegExp(`NotCapable: Requires read access to "${work}/secret\\.txt"`)],
          ["writes_file", new RegExp(`NotCapable: Requires write access to "${target}"`)],
          ["opens_socket", new RegExp(`NotCapable: Requires net access to "127\\.0\\.0\\.1:${port}"`)],
          ["fetches", new RegExp(`NotCapable: Requires net access to "127\\.0\\.0\\.1:${port}"`)],
        ];
        const runs = await Promise.all(cases.map(([name]) => train(`run-${name}`, `${base}/_fixtures/${name}.ts`)));
        runs.forEach((run, i) => {
          const [name, pattern] = cases[i];
          assert.notEqual(run.code, 0, `${name}: ${run.stdout}`);
          assert.match(run.stderr, pattern, name);
          assert.match(
            run.stderr,
            new RegExp(
              `as the module threw an error while being imported: .*\\(the plugin tried to use a permission this run does not grant\\)`,
            ),
          );
          assert.equal(run.stderr.trim().split("\n").length, 1, `one line: ${run.stderr}`);
        });
        assert.ok(
          !server.requests.some((r) => r.startsWith("/leak")),
          "the plugin's request must never reach the server",
        );
        await assert.rejects(Deno.stat(target), Deno.errors.NotFound);
      },
    );

    await t.step("a plugin that reads a file while training stops the run, which reports it", async () => {
      fixtures.set(
        "/_fixtures/snooping_optimizer.ts",
        `export default { apiVersion: 1, kind: "optimizer", name: "snooping", create: () => ({
  init: () => ({}),
  update(grads, state) { Deno.readTextFileSync(${
          JSON.stringify(`${work}/secret.txt`)
        }); return { updates: grads, state }; },
}) };\n`,
      );
      const run = await cli(work, least("run-snoop"), [
        "train",
        "exp.json",
        "--out",
        "run-snoop",
        "--quiet",
        "--optimizer",
        "snooping",
        "--plugin",
        `${base}/_fixtures/snooping_optimizer.ts`,
        "--plugin",
        focal,
      ]);
      assert.equal(run.code, 1);
      // One line that names the plugin and what it tried, with no advice to widen the permission.
      assert.equal(
        run.stderr,
        `error: Cannot use optimizer "snooping" (from ${base}/_fixtures/snooping_optimizer.ts) as its update tried to read "${work}/secret.txt", which this run does not permit\n`,
      );
    });

    await t.step("deno.lock with --frozen pins a remote plugin and everything it imports", async () => {
      // The plugin imports a second module: #sha256 pins only the plugin's own file, deno.lock pins both.
      const served =
        `import { rate } from "./locked_rate.ts";\nexport default { apiVersion: 1, kind: "scheduler", name: "locked", create: () => () => rate };\n`;
      fixtures.set("/_fixtures/locked.ts", served);
      fixtures.set("/_fixtures/locked_rate.ts", "export const rate = 0.1;\n");
      const url = `${base}/_fixtures/locked.ts`;
      const lock = `${work}/deno.lock`;
      const run = (frozen: boolean) =>
        new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            `--lock=${lock}`,
            ...(frozen ? ["--frozen", `--reload=${base}`] : []),
            `--allow-import=127.0.0.1:${port}`,
            CLI,
            "list",
            "scheduler",
            "--plugin",
            url,
          ],
          cwd: work,
          env: { NO_COLOR: "1", DENO_DIR: `${work}/deno_dir` },
          stdout: "piped",
          stderr: "piped",
          signal: AbortSignal.timeout(120_000),
        }).output();
      const record = await run(false);
      assert.equal(record.code, 0, new TextDecoder().decode(record.stderr));
      const recorded = JSON.parse(await Deno.readTextFile(lock)).remote as Record<string, string>;
      assert.equal(recorded[url], await sha256(served), "deno.lock holds the SHA-256 a #sha256 pin would use");
      assert.equal((await run(true)).code, 0);
      fixtures.set("/_fixtures/locked_rate.ts", "export const rate = 0.2;\n");
      const changed = await run(true);
      assert.notEqual(changed.code, 0);
      assert.match(new TextDecoder().decode(changed.stderr), /Integrity check failed for remote specifier/);
    });
  } finally {
    await server.close();
    await Deno.remove(work, { recursive: true });
  }
});
