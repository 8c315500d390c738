/**
 * Plugins from a server that sends TypeScript with a Content-Type that is not
 * a JavaScript or TypeScript one, as Python's `http.server` does (`.ts` as
 * `text/vnd.trolltech.linguist`): pinned or not, with relative imports or
 * not, they load, judged by their extension as Deno judges `text/plain`.
 * The CLI runs in subprocesses with `--no-lock` and a temporary `DENO_DIR`
 * (an in-process remote import would record the loopback URL in `deno.lock`).
 *
 * Needs `--allow-net=127.0.0.1` (the server) and `--allow-run` (the CLI subprocesses); ignored without them.
 */

import assert from "node:assert/strict";

const CLI = new URL("../cli/main.ts", import.meta.url).pathname;
const permitted = Deno.permissions.querySync({ name: "net", host: "127.0.0.1" }).state === "granted" &&
  Deno.permissions.querySync({ name: "run", command: Deno.execPath() }).state === "granted";

const FILES: Record<string, string> = {
  "/single.ts":
    `export default { apiVersion: 1, kind: "scheduler", name: "ct-single", create: () => (k: number) => 0.5 };\n`,
  "/with_dep.ts": `import { rate } from "./dep/rate.ts";
export default { apiVersion: 1, kind: "scheduler", name: "ct-dep", create: () => (_k: number) => rate };\n`,
  "/dep/rate.ts": `import { half } from "../half.js";\nexport const rate: number = half(0.5);\n`,
  "/half.js": `export const half = (x) => x / 2;\n`,
  "/cycle_a.ts": `import { b } from "./cycle_b.ts";\nexport const a: number = 1;
export default { apiVersion: 1, kind: "scheduler", name: "ct-cycle", create: () => () => b };\n`,
  "/cycle_b.ts": `import { a } from "./cycle_a.ts";\nexport const b = (): number => a;\n`,
};

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test({
  name: "plugins served with a Content-Type that is not JavaScript or TypeScript load by extension, pinned or not",
  ignore: !permitted,
  async fn(t) {
    const work = await Deno.makeTempDir({ prefix: "gradflow_content_type_" });
    const stop = new AbortController();
    let port = 0;
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      signal: stop.signal,
      onListen: (address) => port = address.port,
    }, (request) => {
      const source = FILES[new URL(request.url).pathname];
      if (source === undefined) return new Response("not found", { status: 404 });
      // What Python's http.server sends for .ts (and a JavaScript file as plain text).
      const type = request.url.endsWith(".js") ? "text/plain" : "text/vnd.trolltech.linguist";
      return new Response(source, { headers: { "content-type": type } });
    });
    try {
      while (port === 0) await new Promise((r) => setTimeout(r, 5));
      const list = async (...plugins: string[]) => {
        const out = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--quiet",
            "--no-lock",
            "--no-prompt",
            `--allow-import=127.0.0.1:${port}`,
            CLI,
            "list",
            "scheduler",
            ...plugins.flatMap((p) => ["--plugin", p]),
          ],
          env: { NO_COLOR: "1", DENO_DIR: `${work}/deno_dir` },
          signal: AbortSignal.timeout(120_000),
        }).output();
        const decode = (b: Uint8Array) => new TextDecoder().decode(b);
        return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
      };
      const url = (path: string) => `http://127.0.0.1:${port}${path}`;
      for (const [path, name] of [["/single.ts", "ct-single"], ["/with_dep.ts", "ct-dep"]]) {
        for (const pinned of [false, true]) {
          await t.step(`${path}${pinned ? ", pinned" : ""}`, async () => {
            const run = await list(pinned ? `${url(path)}#sha256=${await sha256(FILES[path])}` : url(path));
            assert.equal(run.code, 0, run.stderr);
            assert.match(run.stdout, new RegExp(`\\b${name}\\b`));
          });
        }
      }
      await t.step("relative imports in a cycle are one clear error, pinned or not", async () => {
        for (const suffix of ["", `#sha256=${await sha256(FILES["/cycle_a.ts"])}`]) {
          const run = await list(url("/cycle_a.ts") + suffix);
          assert.equal(run.code, 2);
          assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
          assert.match(
            run.stderr,
            new RegExp(
              `^error: Cannot load a plugin from ${
                url("/cycle_a.ts").replaceAll(".", "\\.")
              } as its server sends modules with a Content-Type that is not JavaScript or TypeScript, so they are loaded by extension, and its modules import each other in a cycle \\(.*cycle_b\\.ts → .*cycle_a\\.ts\\)`,
            ),
          );
        }
      });
    } finally {
      stop.abort();
      await server.finished;
      await Deno.remove(work, { recursive: true });
    }
  },
});
