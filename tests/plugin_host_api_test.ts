/**
 * The supported way for a plugin served by URL to use gradflow, end to end
 * over two loopback origins: the plugin (`examples/plugins/log_cosh.ts`)
 * imports nothing at run time and computes with the gradflow its host passes
 * to `create`; one origin serves only the plugin, another serves gradflow and
 * a host program that loads the plugin from the first and trains with it. The
 * CLI does the same. And when a plugin's server is fixed, the next run sees
 * the fix without `--reload`, although Deno's module cache still holds what
 * failed.
 *
 * Every run is a subprocess with `--no-lock` and a temporary `DENO_DIR`, so
 * nothing is recorded in the repository's `deno.lock` or cache. Needs
 * `--allow-net=127.0.0.1` (the servers) and `--allow-run` (the subprocesses).
 */

import assert from "node:assert/strict";

const REPO = new URL("../", import.meta.url);
const CLI = new URL("cli/main.ts", REPO).pathname;
const canRun = Deno.permissions.querySync({ name: "run", command: Deno.execPath() }).state === "granted" &&
  Deno.permissions.querySync({ name: "net", host: "127.0.0.1" }).state === "granted";

/** A loopback HTTP server answering from `files` (path → text), recording every request. */
function origin(files: Map<string, string>, fallback?: (path: string) => Promise<string | undefined>) {
  const requests: string[] = [];
  const stop = new AbortController();
  const failsafe = setTimeout(() => stop.abort(), 180_000);
  let port = 0;
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: stop.signal,
    onListen: (address) => port = address.port,
  }, async (request) => {
    const path = decodeURIComponent(new URL(request.url).pathname);
    requests.push(path);
    const text = files.get(path) ?? (await fallback?.(path));
    return text === undefined
      ? new Response("not found", { status: 404 })
      : new Response(text, { headers: { "content-type": "application/typescript" } });
  });
  return {
    get port() {
      return port;
    },
    get base() {
      return `http://127.0.0.1:${port}`;
    },
    requests,
    async close() {
      clearTimeout(failsafe);
      stop.abort();
      await server.finished;
    },
  };
}

/** Serves the repository's .ts and .json files (nothing under a dot folder). */
async function repositoryFile(path: string): Promise<string | undefined> {
  if (!/\.(ts|json)$/.test(path) || path.split("/").some((part) => part.startsWith("."))) return undefined;
  try {
    return await Deno.readTextFile(new URL(path.slice(1), REPO));
  } catch {
    return undefined;
  }
}

async function run(args: string[], denoDir: string, cwd: string) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-lock", "--no-prompt", ...args],
    cwd,
    env: { NO_COLOR: "1", DENO_DIR: denoDir },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(150_000),
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

// The host program, served from the gradflow origin next to gradflow's mod.ts.
const HOST = `import { createRegistry, loadPlugin, train, twoGaussians } from "./mod.ts";
const registry = createRegistry();
const [plugin] = await loadPlugin(Deno.args[0], { registry });
const result = await train({
  model: [{ name: "dense", units: 8 }, { name: "tanh" }, { name: "dense", units: 1 }],
  loss: plugin.name,
  optimizer: { name: "adam", learningRate: 0.05 },
  data: twoGaussians({ samples: 120, seed: 2 }),
  epochs: 6,
  registry,
  progress: false,
});
console.log(JSON.stringify(result.history.epochs.map((e) => e.loss)));
`;

const EXPERIMENT = {
  name: "by-url",
  data: { name: "two-gaussians", samples: 120, seed: 2 },
  model: [{ name: "dense", units: 8 }, { name: "tanh" }, { name: "dense", units: 1 }],
  loss: "log-cosh",
  optimizer: { name: "adam", learningRate: 0.05 },
  epochs: 4,
};

// What a newcomer first served: a plugin that imports gradflow from next to itself, where there is none.
const BROKEN = `import { abs, mean, sub } from "../gradflow/mod.ts";
export default { apiVersion: 1, kind: "loss", name: "l1-loss", create: () => (p, t) => mean(abs(sub(p, t))) };
`;
// The fix: compute with the gradflow the host passes to create.
const FIXED = `export default {
  apiVersion: 1, kind: "loss", name: "l1-loss",
  create: (_options, { gradflow: { abs, mean, sub } }) => (p, t) => mean(abs(sub(p, t))),
};
`;

Deno.test({
  name: "a plugin on one origin computes with the gradflow of a host on another, through loadPlugin and the CLI",
  ignore: !canRun,
  async fn(t) {
    const work = await Deno.makeTempDir({ prefix: "gradflow_host_api_" });
    const plugins = new Map([["/log_cosh.ts", await Deno.readTextFile(new URL("examples/plugins/log_cosh.ts", REPO))]]);
    const pluginOrigin = origin(plugins);
    const appOrigin = origin(new Map([["/_host.ts", HOST]]), repositoryFile);
    try {
      while (pluginOrigin.port === 0 || appOrigin.port === 0) await new Promise((r) => setTimeout(r, 5));
      const imports = `--allow-import=127.0.0.1:${pluginOrigin.port},127.0.0.1:${appOrigin.port}`;
      const logCosh = `${pluginOrigin.base}/log_cosh.ts`;

      await t.step("a host program served from the second origin loads the plugin and trains with it", async () => {
        const r = await run([imports, `${appOrigin.base}/_host.ts`, logCosh], `${work}/deno_dir`, work);
        assert.equal(r.code, 0, r.stderr);
        const losses = JSON.parse(r.stdout) as number[];
        assert.equal(losses.length, 6);
        assert.ok(losses.every(Number.isFinite) && losses.at(-1)! < losses[0], `the loss must go down: ${losses}`);
        // The plugin's origin served the plugin and nothing else: no second copy of gradflow.
        assert.deepEqual([...new Set(pluginOrigin.requests)], ["/log_cosh.ts"]);
        assert.ok(appOrigin.requests.includes("/mod.ts"), "the host imports gradflow from its own origin");
      });

      await t.step("the CLI trains with it, pinned, and records it in the run's experiment.json", async () => {
        await Deno.writeTextFile(`${work}/exp.json`, JSON.stringify(EXPERIMENT));
        const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(plugins.get("/log_cosh.ts")));
        const pin = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
        const r = await run(
          [
            `--allow-import=127.0.0.1:${pluginOrigin.port}`,
            `--allow-read=${work}`,
            `--allow-write=${work}/run`,
            CLI,
            "train",
            "exp.json",
            "--plugin",
            `${logCosh}#sha256=${pin}`,
            "--out",
            "run",
            "--quiet",
          ],
          `${work}/deno_dir`,
          work,
        );
        assert.equal(r.code, 0, r.stderr);
        const ran = JSON.parse(await Deno.readTextFile(`${work}/run/experiment.json`));
        assert.deepEqual(ran.plugins, [{ url: `${logCosh}#sha256=${pin}` }]);
      });
    } finally {
      await pluginOrigin.close();
      await appOrigin.close();
      await Deno.remove(work, { recursive: true });
    }
  },
});

Deno.test({
  name: "after a plugin's server is fixed, the next run loads the fix without --reload",
  ignore: !canRun,
  async fn(t) {
    const work = await Deno.makeTempDir({ prefix: "gradflow_fixed_server_" });
    const files = new Map<string, string>();
    const server = origin(files);
    try {
      while (server.port === 0) await new Promise((r) => setTimeout(r, 5));
      await Deno.writeTextFile(`${work}/exp.json`, JSON.stringify({ ...EXPERIMENT, loss: "l1-loss" }));
      // One DENO_DIR for every run, as on a user's machine: Deno's cache keeps what it fetched.
      const train = (plugin: string) =>
        run(
          [
            `--allow-import=127.0.0.1:${server.port}`,
            `--allow-read=${work}`,
            `--allow-write=${work}/run`,
            CLI,
            "train",
            "exp.json",
            "--plugin",
            `${server.base}${plugin}`,
            "--out",
            "run",
            "--quiet",
          ],
          `${work}/deno_dir`,
          work,
        );

      await t.step(
        "a plugin that imports a gradflow its server does not have fails, then loads once fixed",
        async () => {
          files.set("/l1.ts", BROKEN);
          const broken = await train("/l1.ts");
          assert.equal(broken.code, 2);
          assert.match(broken.stderr, /Module not found "http:\/\/127\.0\.0\.1:\d+\/gradflow\/mod\.ts"/);
          files.set("/l1.ts", FIXED);
          const fixed = await train("/l1.ts");
          assert.equal(fixed.code, 0, fixed.stderr);
        },
      );

      await t.step("a plugin the server did not have yet loads as soon as it has it", async () => {
        const missing = await train("/later.ts");
        assert.equal(missing.code, 2);
        assert.match(
          missing.stderr,
          /Cannot load a plugin from http:\/\/127\.0\.0\.1:\d+\/later\.ts as the module cannot be fetched/,
        );
        files.set("/later.ts", FIXED);
        const found = await train("/later.ts");
        assert.equal(found.code, 0, found.stderr);
      });

      await t.step("a server that still serves what failed gives the same error again", async () => {
        files.set("/still.ts", BROKEN);
        const first = await train("/still.ts"), second = await train("/still.ts");
        assert.equal(second.code, 2);
        assert.equal(second.stderr, first.stderr);
      });
    } finally {
      await server.close();
      await Deno.remove(work, { recursive: true });
    }
  },
});
