/**
 * `loadPlugin`: import third-party plugins by URL or path, check them, and
 * (optionally) register them, all or none.
 *
 * Importing a module runs its code with the permissions of the process, so
 * run a program that loads plugins with the least it needs: `--allow-import=<host>`
 * for a remote plugin (and nothing for the network besides), `--allow-read=<dir>`
 * for a local one. See `docs/plugins.md`.
 *
 * @module
 */

import { API_VERSION, type Plugin } from "../core/interfaces.ts";
import { type Registry, validatePlugin } from "../core/registry.ts";
import { guardPlugin } from "./_guard.ts";
import { inlineModule, isMediaTypeError, mayBeContentType, readRelativeImports } from "./_inline_imports.ts";
import { builtinPlugins } from "./mod.ts";

/** Options of {@linkcode loadPlugin}. */
export interface LoadPluginOptions {
  /**
   * Pin the module's source to a SHA-256: `"sha256=<64 hex digits>"`, the bare
   * hex digest, or the Subresource-Integrity form `"sha256-<base64>"`. Same as
   * the specifier suffix `#sha256=<hex>`; when both are given they must agree.
   */
  integrity?: string;
  /** Register the plugins here, all or none (the registry is unchanged on any failure). */
  registry?: Registry;
  /**
   * Replace plugins already registered under the same kind and name (a
   * built-in, say). Same as the specifier suffix `#override`. @default {false}
   */
  override?: boolean;
}

const FRAGMENT_KEYS = ["sha256", "override"] as const;
const FRAGMENT_PATTERN = /^[A-Za-z0-9_-]+(=[^&#/]*)?(&[A-Za-z0-9_-]+(=[^&#/]*)?)*$/;

interface _Target {
  /** The module URL, without the loading options. */
  url: URL;
  /** The expected SHA-256 as lower-case hex, if pinned. */
  sha256?: string;
  /** Replace existing registrations. */
  override: boolean;
  /** The specifier that was imported, once it was (the URL, or a `data:` URL of the verified source). */
  imported?: string;
}

function _show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object" || typeof value === "function") return `a ${typeof value}`;
  return String(value);
}

function _oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // Deno prints the cause of a failed import on indented lines ("    0: error sending request …").
  const line = text.split("\n").map((l) => l.trim().replace(/^\d+: /, "")).filter((l) => l !== "").join(": ");
  // deno-lint-ignore no-control-regex
  return line.replace(/\x1b\[[0-9;]*m/g, "");
}

function _withoutDenoHint(message: string): string {
  return message.replace(/, run again with the --allow-[a-z]+ flag/g, "");
}

function _permissionHint(message: string, url: URL): string {
  if (/Requires import access/.test(message)) {
    const host = /Requires import access to "([^"]+)"/.exec(message)?.[1] ?? url.host;
    return ` (run with --allow-import=${host})`;
  }
  if (/Requires read access/.test(message)) {
    const path = /Requires read access to "([^"]+)"/.exec(message)?.[1];
    const dir = path === undefined ? "<the plugin's folder>" : path.replace(/[\\/][^\\/]*$/, "");
    return ` (run with --allow-read=${dir})`;
  }
  return "";
}

function _normalizeIntegrity(where: string, value: string): string {
  const hex = /^(?:sha256=)?([0-9a-fA-F]{64})$/.exec(value.trim());
  if (hex) return hex[1].toLowerCase();
  const sri = /^sha256-([A-Za-z0-9+/]{43}=)$/.exec(value.trim());
  if (sri) return Array.from(atob(sri[1]), (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
  throw new TypeError(
    `Cannot load a plugin from ${where} as the integrity pin must be sha256=<64 hex digits> (or sha256-<base64>): current value is ${
      JSON.stringify(value)
    }`,
  );
}

/** The base of a relative path: the working directory, or in a browser the page's (or worker's) URL. */
function _cwdUrl(): string {
  if (typeof Deno === "undefined") return globalThis.location.href;
  let cwd = Deno.cwd().replaceAll("\\", "/");
  if (!cwd.startsWith("/")) cwd = `/${cwd}`;
  return `file://${_encodePath(cwd)}/`;
}

function _encodePath(path: string): string {
  return path.replaceAll("%", "%25").replaceAll("?", "%3F").replaceAll("#", "%23");
}

/** Splits `<url-or-path>#sha256=<hex>&override` into the module URL and the loading options. */
function _parseSpecifier(specifier: string, options: LoadPluginOptions): _Target {
  if (typeof specifier !== "string" || specifier.trim() === "") {
    throw new TypeError(
      `Cannot load a plugin as the specifier must be a URL or a path: current value is ${_show(specifier)}`,
    );
  }
  let location = specifier.trim(), fragment = "";
  const hash = location.lastIndexOf("#");
  if (hash !== -1 && FRAGMENT_PATTERN.test(location.slice(hash + 1))) {
    fragment = location.slice(hash + 1);
    location = location.slice(0, hash);
  }
  const isWindowsPath = /^[a-zA-Z]:[\\/]/.test(location);
  const scheme = isWindowsPath ? null : /^([a-zA-Z][a-zA-Z0-9+.-]+):/.exec(location)?.[1].toLowerCase();
  let url: URL;
  if (scheme) {
    if (!["https", "http", "file"].includes(scheme)) {
      throw new TypeError(
        `Cannot load a plugin from ${
          JSON.stringify(specifier)
        } as the specifier must be an https:, http: or file: URL, or a file path: current scheme is ${scheme}:`,
      );
    }
    url = new URL(location);
    if (url.hash !== "") fragment = url.hash.slice(1);
    url.hash = "";
  } else {
    let path = location.replaceAll("\\", "/");
    if (isWindowsPath) path = `/${path}`;
    url = new URL(_encodePath(path), _cwdUrl());
  }
  const where = url.href;
  let sha256: string | undefined, override = options.override ?? false;
  for (const part of fragment === "" ? [] : fragment.split("&")) {
    const [key, value] = part.split("=", 2) as [string, string | undefined];
    if (key === "sha256") sha256 = _normalizeIntegrity(where, value ?? "");
    else if (key === "override" && (value === undefined || value === "true")) override = true;
    else {
      throw new TypeError(
        `Cannot load a plugin from ${where} as the loading options after "#" must be ${
          FRAGMENT_KEYS.map((k) => k === "sha256" ? "sha256=<hex>" : k).join(" and ")
        }: current value is ${JSON.stringify(part)}`,
      );
    }
  }
  if (options.integrity !== undefined) {
    if (typeof options.integrity !== "string") {
      throw new TypeError(
        `Cannot load a plugin from ${where} as options.integrity must be a string: current value is ${
          _show(options.integrity)
        }`,
      );
    }
    const pinned = _normalizeIntegrity(where, options.integrity);
    if (sha256 !== undefined && sha256 !== pinned) {
      throw new TypeError(
        `Cannot load a plugin from ${where} as the #sha256 of the specifier and options.integrity disagree: current values are ${sha256} and ${pinned}`,
      );
    }
    sha256 = pinned;
  }
  return { url, sha256, override };
}

async function _sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Makes every relative import specifier of `source` absolute, against `base`. */
function _absolutizeImports(source: string, base: URL): string {
  return source.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s*)(["'])(\.{1,2}\/[^"'\n]*|\/[^/"'\n][^"'\n]*)\2/g,
    (_match, lead: string, quote: string, specifier: string) =>
      `${lead}${quote}${new URL(specifier, base).href}${quote}`,
  );
}

function _mediaType(url: URL): string {
  const extension = /\.([a-z]+)$/i.exec(url.pathname)?.[1].toLowerCase();
  if (extension === "js" || extension === "mjs") return "text/javascript";
  if (extension === "jsx") return "text/jsx";
  if (extension === "tsx") return "text/tsx";
  return "text/typescript";
}

function _base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** A plugin whose modules a server sends with a Content-Type that is not JavaScript or TypeScript, which cannot be inlined. */
class _ContentTypeError extends Error {}

/** The module's (verified) source as a `data:` URL, its relative imports inlined (see `_inline_imports.ts`). */
async function _inlineOrExplain(url: URL, source: string, sources: Map<string, string>): Promise<string> {
  try {
    return await inlineModule(url, source, (u) => Promise.resolve(sources.get(u.href)!));
  } catch (error) {
    throw new _ContentTypeError(
      `Cannot load a plugin from ${url.href} as its server sends modules with a Content-Type that is not JavaScript or TypeScript, so they are loaded by extension, and ${
        _oneLine(error)
      } (serve .ts files as application/typescript and .js as text/javascript)`,
      { cause: error },
    );
  }
}

/**
 * `import(specifier)` for the absolute URLs (`https:`, `http:`, `file:`, `data:text/`) the loader
 * imports, written so that `deno publish` can see that they need no rewriting (they never go
 * through an import map): each starts with its scheme.
 */
function _dynamicImport(specifier: string, text = false): Promise<Record<string, unknown>> {
  const options = text ? { with: { type: "text" } } : undefined;
  if (specifier.startsWith("https://")) return import(`https://${specifier.slice(8)}`, options);
  if (specifier.startsWith("http://")) return import(`http://${specifier.slice(7)}`, options);
  if (specifier.startsWith("data:text/")) return import(`data:text/${specifier.slice(10)}`, options);
  // Not `./${…}`: Deno would read that as every file under this folder (tests and their npm packages
  // included) and install them before the program starts.
  if (specifier.startsWith("file:")) return import(`file://${_localPath(specifier)}`, options);
  throw new TypeError(`Cannot import ${specifier} as it is not an https:, http:, file: or data:text/ URL`);
}

/** A file URL's path (and query), for `import()`: only where gradflow itself was loaded from a file. */
function _localPath(fileUrl: string): string {
  const here = new URL(".", import.meta.url);
  if (here.protocol !== "file:") {
    throw new TypeError(
      `Cannot load a plugin from ${fileUrl} as gradflow itself was loaded from ${here.href}, and a module loaded from the network cannot import local files: serve the plugin from a URL too`,
    );
  }
  const target = new URL(fileUrl);
  return `${target.pathname}${target.search}`;
}

/**
 * A module's source text. In Deno through the module loader (the same permission, cache and lock
 * file as `import`, so reading needs `--allow-import` or `--allow-read`, never `--allow-net`); a
 * browser has no text imports, so there with `fetch` (from another origin, the server must allow
 * the page's, CORS).
 */
async function _readText(specifier: string): Promise<string> {
  if (typeof Deno === "undefined") {
    const response = await fetch(specifier);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trimEnd());
    return await response.text();
  }
  return (await _dynamicImport(specifier, true)).default as string;
}

/** The module's source as a `data:text/…;base64` URL, its relative imports made absolute against its URL. */
function _dataUrl(url: URL, source: string): string {
  return `data:${_mediaType(url)};base64,${_base64(_absolutizeImports(source, url))}`;
}

/**
 * Fetches, optionally verifies, and imports the module; every failure is one message. With
 * `fresh` (a nonce), the source is read again from the server, past the module cache, and the
 * text read is what runs.
 */
async function _importModule(target: _Target, fresh?: string): Promise<Record<string, unknown>> {
  const { url } = target;
  let source: string;
  try {
    const read = fresh === undefined ? url.href : `${url.href}${url.search ? "&" : "?"}gradflow-fresh=${fresh}`;
    source = await _readText(read);
  } catch (error) {
    const message = _oneLine(error);
    const cors = typeof Deno === "undefined" && error instanceof TypeError
      ? " (a server on another origin must allow this page's origin: Access-Control-Allow-Origin)"
      : "";
    throw new Error(
      `Cannot load a plugin from ${url.href} as the module cannot be fetched: ${_withoutDenoHint(message)}${
        _permissionHint(message, url)
      }${cors}`,
      { cause: error },
    );
  }
  let specifier = url.href;
  if (target.sha256 !== undefined) {
    const actual = await _sha256Hex(source);
    // The loader drops a UTF-8 byte-order mark; accept a pin taken of the file with it (`sha256sum`).
    if (actual !== target.sha256 && (await _sha256Hex(`\uFEFF${source}`)) !== target.sha256) {
      throw new Error(
        `Cannot load a plugin from ${url.href} as its SHA-256 does not match the pin: expected ${target.sha256}, current value is ${actual}`,
      );
    }
    // Run exactly the bytes that were hashed: import them from a data: URL, with relative
    // imports resolved against the original URL (a data: URL has no base of its own).
    specifier = _dataUrl(url, source);
  }
  // A fresh read runs the text read, not the module cache's copy of the URL.
  if (fresh !== undefined) specifier = _dataUrl(url, source);
  const remote = url.protocol === "http:" || url.protocol === "https:";
  try {
    target.imported = specifier;
    let first: unknown;
    try {
      return await _dynamicImport(specifier);
    } catch (error) {
      if (!remote || !mayBeContentType(error)) throw error;
      first = error;
    }
    // The server's Content-Type for the module (or one it imports) may not be a JavaScript or TypeScript one:
    // judge the modules by their extension, as Deno does for text/plain, pinned or not. The module loader
    // refuses a URL it refused once, as text too: the sources its relative imports reach are read afresh.
    const nonce = crypto.randomUUID();
    const read = (u: URL) => _readText(`${u.href}${u.search ? "&" : "?"}gradflow-fresh=${nonce}`);
    let sources: Map<string, string>;
    try {
      sources = await readRelativeImports(url, source, read);
    } catch {
      throw first;
    }
    target.imported = await _inlineOrExplain(url, source, sources);
    try {
      return await _dynamicImport(target.imported);
    } catch (error) {
      throw isMediaTypeError(first) ? error : first; // A real syntax error: reported at its URL.
    }
  } catch (error) {
    if (error instanceof _ContentTypeError) throw error;
    const message = _oneLine(error).replaceAll(specifier, url.href);
    const name = error instanceof Error ? error.name : "Error";
    // A permission the module's own code asked for (files, network, environment, subprocesses)
    // is the sandbox working: say so, and do not suggest granting it.
    const hint = name === "NotCapable"
      ? " (the plugin tried to use a permission this run does not grant)"
      : _permissionHint(message, url);
    throw new Error(
      `Cannot load a plugin from ${url.href} as the module threw an error while being imported: ${name}: ${
        name === "NotCapable" || hint !== "" ? _withoutDenoHint(message) : message
      }${hint}`,
      { cause: error },
    );
  }
}

/**
 * After a remote module failed to load: reads it once more from its server, past Deno's
 * module cache (which keeps a fetched module, and a 404 for a while, until `--reload`), and
 * runs what the server gives now if it differs from what failed. So a plugin whose server
 * was fixed loads on the next run. A failure that fetching again cannot change (a missing
 * permission), a local file, or a server that still gives the same text: the first error.
 */
async function _importAfresh(target: _Target, first: unknown): Promise<Record<string, unknown>> {
  const remote = target.url.protocol === "https:" || target.url.protocol === "http:";
  if (!remote || /Requires import access|NotCapable/.test(String((first as Error)?.message))) throw first;
  let cached: string | undefined;
  try {
    cached = await _readText(target.url.href);
  } catch {
    // The first fetch failed: nothing cached to compare with.
  }
  const nonce = crypto.randomUUID();
  let now: string;
  try {
    const url = `${target.url.href}${target.url.search ? "&" : "?"}gradflow-fresh=${nonce}`;
    now = await _readText(url);
  } catch {
    throw first;
  }
  if (now === cached) throw first;
  return await _importModule(target, nonce);
}

/** Applies the plugin-pack rule to a module namespace: which exports are plugins, and from where. */
function _candidates(where: string, ns: Record<string, unknown>): { value: unknown; source: string }[] {
  const fallback = ns.default;
  if (Array.isArray(fallback)) {
    return fallback.map((value, i) => ({ value, source: `element ${i} of the default export of ${where}` }));
  }
  if (fallback !== undefined) return [{ value: fallback, source: `the default export of ${where}` }];
  return Object.entries(ns)
    .filter(([, value]) => value !== null && typeof value === "object" && ("apiVersion" in value || "create" in value))
    .map(([key, value]) => ({ value, source: `export "${key}" of ${where}` }));
}

/**
 * Imports plugins from a URL or a path, checks that each is a well-formed
 * plugin of a supported `apiVersion` and a known kind, and returns them;
 * given a `registry`, also registers them — all or none.
 *
 * What counts as a plugin in the module (the plugin-pack rule):
 * 1. a default export that is an array: every element is a plugin;
 * 2. otherwise a default export: it is the plugin;
 * 3. with no default export: every named export that is an object with an
 *    `apiVersion` or a `create` field is a plugin (in export-name order).
 * Every candidate is validated (a malformed one is an error, never skipped).
 *
 * The specifier is an `https:`, `http:` or `file:` URL, or a path relative to
 * `Deno.cwd()`. It may end with loading options after `#`:
 * `#sha256=<hex>` pins the module's source (the text the module loader
 * returns, UTF-8) to a SHA-256, and `#override` replaces registered plugins of
 * the same kind and name; join both with `&`. With a pin, the verified source
 * is what runs: it is imported from a `data:` URL, its relative imports made
 * absolute against the original URL. The pin covers that one file, not the
 * modules it imports (pin those with `deno.lock` and `--frozen`), and in it
 * `import.meta.url` is the `data:` URL.
 *
 * The plugins come back guarded: an error thrown by their own code (`create`,
 * an optimizer's `update`, a loss, …) is one line naming the plugin, its kind
 * and URL and what it tried (`… as its update tried to read "/etc/passwd",
 * which this run does not permit`), never advice to widen a permission.
 *
 * Permissions: `--allow-import=<host>` for a remote module and everything it
 * imports remotely, `--allow-read=<dir>` for a local one; reading the source
 * for the pin uses the same permission (never `--allow-net`).
 *
 * In a browser (the playground) the same checks apply, with two differences:
 * the source is read with `fetch` (a server on another origin must allow the
 * page's origin with CORS headers), and a path is relative to the page's or
 * worker's URL. A browser runs JavaScript only, so a TypeScript plugin is
 * served bundled (`deno bundle`).
 *
 * @param specifier A URL or path, optionally followed by `#sha256=<hex>` and/or `#override`.
 * @param options `integrity` (a pin), `registry` (where to register), `override`.
 * @returns The plugins, in the order the module gives them.
 * @throws {TypeError} For a malformed specifier or pin, or a malformed plugin (the field and the export are named).
 * @throws {Error} When the module cannot be fetched, throws on import, has no plugin export, does not match its
 *   pin, or a name is taken in the registry (the message says how to override).
 *
 * @example Load the Lion optimizer from its file and train with it by name
 * ```ts
 * import { loadPlugin } from "./load_plugin.ts";
 * import { createRegistry } from "./mod.ts";
 * import { minimize } from "../train/minimize.ts";
 * import { square, sum, tensor, type Tensor } from "../core/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const registry = createRegistry();
 * const [lion] = await loadPlugin(new URL("../examples/plugins/lion.ts", import.meta.url).href, { registry });
 * assert.equal(lion.name, "lion");
 * const { losses } = minimize((x: Tensor) => sum(square(x)), tensor([1, -2]), { name: "lion", learningRate: 0.01 }, {
 *   steps: 300,
 *   registry,
 * });
 * assert.ok(losses[losses.length - 1] < losses[0] / 10);
 * ```
 *
 * @example A wrong pin is refused and nothing is registered
 * ```ts
 * import { loadPlugin } from "./load_plugin.ts";
 * import { createRegistry } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const registry = createRegistry();
 * const url = new URL("../examples/plugins/lion.ts", import.meta.url).href;
 * await assert.rejects(loadPlugin(`${url}#sha256=${"0".repeat(64)}`, { registry }), /does not match the pin/);
 * assert.equal(registry.has("optimizer", "lion"), false);
 * ```
 */
export async function loadPlugin(specifier: string, options: LoadPluginOptions = {}): Promise<Plugin[]> {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`Cannot load a plugin as options must be an object: current value is ${_show(options)}`);
  }
  const target = _parseSpecifier(specifier, options);
  const where = target.url.href;
  let ns: Record<string, unknown>;
  try {
    ns = await _importModule(target);
  } catch (error) {
    ns = await _importAfresh(target, error);
  }
  const candidates = _candidates(where, ns);
  if (candidates.length === 0) {
    const exports = Object.keys(ns);
    throw new Error(
      `Cannot load a plugin from ${where} as the module has no plugin export (a default export of a descriptor { apiVersion: ${API_VERSION}, kind, name, create }, an array of them, or named exports of them): current exports are ${
        exports.length ? exports.join(", ") : "none"
      }`,
    );
  }
  const plugins = candidates.map(({ value, source }) => {
    if (typeof value === "function") {
      throw new TypeError(
        `Cannot use ${source} as the plugin must be a descriptor object { apiVersion: ${API_VERSION}, kind, name, create }: current value is a function (export the descriptor, not the factory)`,
      );
    }
    return validatePlugin(value, source);
  });
  const seen = new Map<string, string>();
  plugins.forEach((p, i) => {
    const key = `${p.kind} "${p.name}"`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new Error(
        `Cannot load plugins from ${where} as ${key} is exported twice: by ${earlier} and by ${candidates[i].source}`,
      );
    }
    seen.set(key, candidates[i].source);
  });
  // Errors from the plugins' own code name them (kind, name, URL) and never advise widening a permission.
  const guarded = plugins.map((p) => guardPlugin(p, { url: where, specifier: target.imported ?? where }));
  if (options.registry !== undefined) _registerAll(options.registry, guarded, target.override, where);
  return guarded;
}

/** Registers every plugin or none: checks every name first, and undoes a partial registration. */
function _registerAll(registry: Registry, plugins: readonly Plugin[], override: boolean, where: string): void {
  if (!override) {
    for (const p of plugins) {
      if (!registry.has(p.kind, p.name)) continue;
      const existing = registry.get(p.kind, p.name);
      const owner = builtinPlugins.includes(existing) ? `built-in ${p.kind}` : `${p.kind} registered earlier`;
      throw new Error(
        `Cannot register ${p.kind} "${p.name}" from ${where} as ${
          /^[aeiou]/.test(owner) ? "an" : "a"
        } ${owner} has that name: rename the plugin, or replace the ${owner} on purpose with loadPlugin(specifier, { registry, override: true }) or the specifier suffix #override (CLI: --plugin <url>#override)`,
      );
    }
  }
  const previous = plugins.map((p) => registry.has(p.kind, p.name) ? registry.get(p.kind, p.name) : undefined);
  let done = 0;
  try {
    for (const p of plugins) {
      registry.register(p, { override });
      done++;
    }
  } catch (error) {
    for (let i = done - 1; i >= 0; i--) {
      const before = previous[i];
      if (before === undefined) registry.unregister(plugins[i].kind, plugins[i].name);
      else registry.register(before, { override: true });
    }
    throw error;
  }
}
