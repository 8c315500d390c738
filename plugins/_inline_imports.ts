/**
 * Loading a plugin whose server sends its modules with a Content-Type that is
 * not a JavaScript or TypeScript one (Python's `http.server` sends `.ts` as
 * `text/vnd.trolltech.linguist`), which Deno's module loader refuses: the
 * modules are judged by their extension instead, as Deno does for
 * `text/plain`, by importing their sources from `data:` URLs.
 *
 * @module
 */

/** Relative (`./x.ts`, `../x.ts`) and root-relative (`/x.ts`) specifiers after `from`, `import(` and `import`. */
const RELATIVE_IMPORT = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s*)(["'])(\.{1,2}\/[^"'\n]*|\/[^/"'\n][^"'\n]*)\2/g;

/** `import type … from "…"` and `export type … from "…"`: erased when the module runs, so never fetched. */
const TYPE_ONLY = /\b(?:import|export)\s+type\s[^;]*?\bfrom\s*(["'])[^"'\n]*\1/g;

/** The relative specifiers a module imports at run time (type-only imports left out), resolved against `at`. */
function relativeImports(text: string, at: URL): string[] {
  return [...text.replace(TYPE_ONLY, "").matchAll(RELATIVE_IMPORT)].map((m) => new URL(m[3], at).href);
}

/**
 * Whether an import failed because a module was served with a Content-Type
 * that Deno does not take for JavaScript or TypeScript.
 *
 * @param error What the import threw.
 * @returns `true` for that failure.
 *
 * @example
 * ```ts
 * import { isMediaTypeError } from "./_inline_imports.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(isMediaTypeError(new TypeError("Expected a JavaScript or TypeScript module, but identified a Unknown module.")));
 * assert.ok(!isMediaTypeError(new TypeError("Module not found")));
 * ```
 */
export function isMediaTypeError(error: unknown): boolean {
  return error instanceof Error && /Expected a JavaScript or TypeScript module, but identified an? \w+ module/.test(
    error.message,
  );
}

/**
 * Whether an import may have failed because of the server's Content-Type:
 * Deno refused the module's type, or parsed it as another language than its
 * extension says (TypeScript as JavaScript: a `SyntaxError`). The second is
 * also what a real syntax error gives; loading by extension then fails the
 * same way.
 *
 * @param error What the import threw.
 * @returns `true` when loading by extension may help.
 *
 * @example
 * ```ts
 * import { mayBeContentType } from "./_inline_imports.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(mayBeContentType(new TypeError("SyntaxError: Expected ',', got ':'")));
 * assert.ok(!mayBeContentType(new Error("Module not found")));
 * ```
 */
export function mayBeContentType(error: unknown): boolean {
  return isMediaTypeError(error) ||
    (error instanceof Error && (error.name === "SyntaxError" || error.message.startsWith("SyntaxError")));
}

/**
 * The sources of the modules reachable from `source` by relative imports
 * (`./x.ts`, `../x.ts`, `/x.ts`; not type-only ones), by URL. Once the module
 * loader has refused a module (for its Content-Type), it refuses to read that
 * URL as text too: give a `read` that reads past its cache.
 *
 * @param url The module's URL.
 * @param source Its source.
 * @param read Reads a module's source (`import(…, { with: { type: "text" } })`).
 * @returns The sources of the modules it reaches, not including its own.
 *
 * @example
 * ```ts
 * import { readRelativeImports } from "./_inline_imports.ts";
 * import assert from "node:assert/strict";
 *
 * const files: Record<string, string> = { "https://example.org/a.ts": 'import "./b.ts";', "https://example.org/b.ts": "" };
 * const read = (u: URL) => Promise.resolve(files[u.href]);
 * const sources = await readRelativeImports(new URL("https://example.org/p.ts"), 'import "./a.ts";', read);
 * assert.deepEqual([...sources.keys()], ["https://example.org/a.ts", "https://example.org/b.ts"]);
 * ```
 */
export async function readRelativeImports(
  url: URL,
  source: string,
  read: (url: URL) => Promise<string>,
): Promise<Map<string, string>> {
  const sources = new Map<string, string>();
  const visit = async (at: URL, text: string) => {
    for (const href of relativeImports(text, at)) {
      if (href === url.href || sources.has(href)) continue;
      const depSource = await read(new URL(href));
      sources.set(href, depSource);
      await visit(new URL(href), depSource);
    }
  };
  await visit(url, source);
  return sources;
}

/**
 * The media type a module's extension implies: `.js`/`.mjs` JavaScript, `.jsx`, `.tsx`, and TypeScript
 * otherwise (`.ts`, `.mts`, or none).
 *
 * @param url The module's URL.
 * @returns A media type for a `data:` URL.
 *
 * @example
 * ```ts
 * import { mediaTypeOf } from "./_inline_imports.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(mediaTypeOf(new URL("https://example.org/lion.js")), "text/javascript");
 * assert.equal(mediaTypeOf(new URL("https://example.org/lion.ts")), "text/typescript");
 * ```
 */
export function mediaTypeOf(url: URL): string {
  const extension = /\.([a-z]+)$/i.exec(url.pathname)?.[1].toLowerCase();
  if (extension === "js" || extension === "mjs") return "text/javascript";
  if (extension === "jsx") return "text/jsx";
  if (extension === "tsx") return "text/tsx";
  return "text/typescript";
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * A `data:` URL of a module's source whose relative imports are `data:` URLs
 * of their own sources in turn, each typed by its extension: the module graph
 * reachable by relative imports, inlined, so that no module of it is fetched
 * by the module loader (which would judge it by the server's Content-Type).
 * Other imports (bare, other hosts) stay as they are. Relative imports that
 * form a cycle cannot be inlined (a `data:` URL must exist before the module
 * that names it): that is an error naming the cycle.
 *
 * @param url The module's URL (the base of its relative imports).
 * @param source Its source (already read, and verified when pinned).
 * @param read Gives another module's source (from {@linkcode readRelativeImports}, say).
 * @returns The `data:` URL to import.
 * @throws {Error} When the relative imports form a cycle, or a source cannot be read.
 *
 * @example
 * ```ts
 * import { inlineModule } from "./_inline_imports.ts";
 * import assert from "node:assert/strict";
 *
 * const sources: Record<string, string> = { "https://example.org/rate.ts": "export const rate: number = 0.5;" };
 * const url = await inlineModule(
 *   new URL("https://example.org/plugin.ts"),
 *   'import { rate } from "./rate.ts";\nexport default rate;',
 *   (u) => Promise.resolve(sources[u.href]),
 * );
 * assert.equal((await import(url)).default, 0.5);
 * ```
 */
export async function inlineModule(url: URL, source: string, read: (url: URL) => Promise<string>): Promise<string> {
  const done = new Map<string, string>();
  const visit = async (at: URL, text: string, path: string[]): Promise<string> => {
    for (const dep of relativeImports(text, at)) {
      if (done.has(dep)) continue;
      if (path.includes(dep)) {
        throw new Error(
          `its modules import each other in a cycle (${
            [...path.slice(path.indexOf(dep)), dep].join(" → ")
          }), which cannot be loaded from data: URLs`,
        );
      }
      done.set(dep, await visit(new URL(dep), await read(new URL(dep)), [...path, dep]));
    }
    // Type-only imports are dropped (they are erased anyway, and their modules were not read).
    const inlined = text.replace(TYPE_ONLY, "").replace(
      RELATIVE_IMPORT,
      (_m, lead: string, quote: string, specifier: string) =>
        `${lead}${quote}${done.get(new URL(specifier, at).href)}${quote}`,
    );
    return `data:${mediaTypeOf(at)};base64,${base64(inlined)}`;
  };
  return await visit(url, source, [url.href]);
}
