/**
 * `deno task playground`: builds the playground and serves it on localhost.
 *
 *   deno task playground [--port 8000] [--no-build] [--no-isolation]
 *
 * The server sends the cross-origin isolation headers (COOP/COEP), which let
 * the page use shared WebAssembly memory where the backend wants it; the
 * built files work without them too, from any static host.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { buildPlayground } from "./build.ts";

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  json: "application/json",
  map: "application/json",
  svg: "image/svg+xml",
  png: "image/png",
  wasm: "application/wasm",
};

/** Options of {@linkcode staticHandler}. */
export interface StaticOptions {
  /** Send `Cross-Origin-Opener-Policy` and `Cross-Origin-Embedder-Policy` (cross-origin isolation). @default {true} */
  isolation?: boolean;
  /** Allow any origin to read the files (CORS), as a plugin host must. @default {false} */
  cors?: boolean;
}

/**
 * A request handler that serves the files of a folder (`/` is `index.html`), and nothing outside it.
 *
 * Needs `--allow-read` on the folder.
 *
 * @param dir The folder.
 * @param options `isolation`, `cors`.
 * @returns The handler for `Deno.serve`.
 */
export function staticHandler(dir: string, options: StaticOptions = {}): (request: Request) => Promise<Response> {
  const isolation = options.isolation ?? true, cors = options.cors ?? false;
  return async (request) => {
    const headers = new Headers({ "cache-control": "no-cache" });
    if (isolation) {
      headers.set("cross-origin-opener-policy", "same-origin");
      headers.set("cross-origin-embedder-policy", "require-corp");
    }
    if (cors) {
      headers.set("access-control-allow-origin", "*");
      headers.set("cross-origin-resource-policy", "cross-origin");
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405, headers });
    }
    let name = decodeURIComponent(new URL(request.url).pathname);
    if (name.endsWith("/")) name += "index.html";
    if (name.split("/").some((part) => part === "..")) return new Response("not found\n", { status: 404, headers });
    try {
      const body = await Deno.readFile(`${dir}${name}`);
      headers.set("content-type", TYPES[name.split(".").pop() ?? ""] ?? "application/octet-stream");
      return new Response(request.method === "HEAD" ? null : body, { headers });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.IsADirectory) {
        return new Response("not found\n", { status: 404, headers });
      }
      throw error;
    }
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      port: { type: "string", default: "8000" },
      "no-build": { type: "boolean", default: false },
      "no-isolation": { type: "boolean", default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(
      `error: Cannot serve the playground as --port must be a port number: current value is ${values.port}`,
    );
    Deno.exit(2);
  }
  const dir = decodeURIComponent(new URL("dist", import.meta.url).pathname);
  if (!values["no-build"]) await buildPlayground({ out: dir });
  Deno.serve({
    hostname: "127.0.0.1",
    port,
    onListen: ({ port }) => console.log(`gradflow playground: http://127.0.0.1:${port}/  (Ctrl+C stops it)`),
  }, staticHandler(dir, { isolation: !values["no-isolation"] }));
}
