/**
 * Errors from a third-party plugin's own code, made into one line that names
 * the plugin, its kind, where it came from and what it tried to do.
 *
 * `loadPlugin` wraps every plugin it loads: `create` and each function of what
 * `create` returns (an optimizer's `update`, a loss, a layer's `apply`, …)
 * rethrow what they throw as a {@linkcode PluginError}. A permission the
 * sandbox refused (Deno's `NotCapable`) becomes "tried to read
 * "/etc/passwd"", without Deno's advice to run again with a wider permission.
 * Code a plugin leaves running (a promise it does not await, a timer) fails
 * outside any call: {@linkcode describeStrayError} finds the plugin in the
 * error's stack, for the CLI's one line.
 *
 * @module
 */

import type { Plugin } from "../core/interfaces.ts";

/** Where a loaded plugin came from: its URL, and the specifier its code runs under (a `data:` URL when pinned). */
export interface PluginOrigin {
  /** The URL it was loaded from. */
  url: string;
  /** The module specifier that was imported (the URL, or the `data:` URL of the verified source). */
  specifier: string;
}

/** The plugins loaded so far, by the specifier their code runs under (to attribute stray errors). */
const loaded: { specifier: string; label: string }[] = [];

/**
 * An error thrown by a plugin's own code, named: `Cannot use optimizer "evil"
 * (from https://example.org/evil.ts) as its update tried to read "/etc/passwd",
 * which this run does not permit`.
 *
 * @example
 * ```ts
 * import { PluginError } from "./_guard.ts";
 * import assert from "node:assert/strict";
 *
 * const e = new PluginError("Cannot use optimizer \"x\" as its update threw Error: boom", new Error("boom"));
 * assert.equal(e.name, "PluginError");
 * assert.equal((e.cause as Error).message, "boom");
 * ```
 */
export class PluginError extends Error {
  /**
   * Creates the error.
   *
   * @param message One line.
   * @param cause What the plugin threw.
   */
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = "PluginError";
  }
}

const ACCESS: Record<string, string> = {
  read: "read",
  write: "write",
  net: "connect to",
  env: "read the environment variable",
  run: "run",
  sys: "read the system information",
  ffi: "load the native library",
  import: "import from",
};

/**
 * What a refused permission was for, from Deno's message: `Requires read
 * access to "/etc/passwd", run again with the --allow-read flag` → `read
 * "/etc/passwd"`; `null` for any other error.
 *
 * @param error What was thrown.
 * @returns The attempt, or `null`.
 *
 * @example
 * ```ts
 * import { refusedAccess } from "./_guard.ts";
 * import assert from "node:assert/strict";
 *
 * const e = new Deno.errors.NotCapable('Requires net access to "example.org:443", run again with the --allow-net flag');
 * assert.equal(refusedAccess(e), 'connect to "example.org:443"');
 * assert.equal(refusedAccess(new Error("boom")), null);
 * ```
 */
export function refusedAccess(error: unknown): string | null {
  const refused = typeof Deno !== "undefined" && error instanceof Deno.errors.NotCapable;
  // A refused import is a TypeError from the module loader, with the same message.
  const refusedImport = error instanceof TypeError && /^Requires import access to /.test(error.message);
  if (!refused && !refusedImport && (error as Error | null)?.name !== "NotCapable") return null;
  const m = /Requires (\w+) access(?: to ("[^"]*"|[^,\s]+))?/.exec((error as Error).message);
  if (m === null) return "use a permission";
  const verb = ACCESS[m[1]] ?? `use ${m[1]} access to`;
  return m[2] === undefined ? `${verb} something` : `${verb} ${m[2]}`;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "").split("\n").map((l) => l.trim()).filter(Boolean).join(" ");
}

/** The error to throw for what `plugin`'s `what` threw. */
function named(label: string, what: string, error: unknown): unknown {
  if (error instanceof PluginError) return error;
  const verb = what === "create" ? "create" : "use";
  const attempt = refusedAccess(error);
  if (attempt !== null) {
    return new PluginError(
      `Cannot ${verb} ${label} as its ${what} tried to ${attempt}, which this run does not permit`,
      error,
    );
  }
  // A message that already names the plugin (its own option checks: `Cannot create optimizer "lion" as …`) is
  // already one good line.
  const name = /^(\w+) "([^"]+)"/.exec(label);
  const message = error instanceof Error ? error.message : "";
  if (name !== null && message.includes(`${name[1]} "${name[2]}"`) && !message.includes("\n")) return error;
  return new PluginError(`Cannot ${verb} ${label} as its ${what} threw ${firstLine(error)}`, error);
}

/** Calls `fn`, naming what it throws (and what the promise it returns rejects with). */
function guarded<A extends unknown[], R>(label: string, what: string, fn: (...args: A) => R, self: unknown) {
  return (...args: A): R => {
    let result: R;
    try {
      result = Reflect.apply(fn, self, args);
    } catch (error) {
      throw named(label, what, error);
    }
    if (result instanceof Promise) {
      return result.catch((error) => {
        throw named(label, what, error);
      }) as R;
    }
    return result;
  };
}

/** What `create` returned, with every function it holds guarded (the function itself, for a loss). */
function guardInstance(label: string, kind: string, instance: unknown): unknown {
  if (typeof instance === "function") {
    const what = kind === "loss" ? "loss function" : kind === "scheduler" ? "schedule" : kind;
    return new Proxy(instance, {
      apply: (target, self, args) => guarded(label, what, target as (...a: unknown[]) => unknown, self)(...args),
    });
  }
  if (instance === null || typeof instance !== "object") return instance;
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(instance, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function" || typeof key !== "string") return value;
      let guard = wrapped.get(key);
      if (guard === undefined || (guard as { raw?: unknown }).raw !== value) {
        guard = Object.assign(guarded(label, key, value as (...a: unknown[]) => unknown, target), { raw: value });
        wrapped.set(key, guard);
      }
      return guard;
    },
  });
}

/**
 * A plugin whose own code's errors are named: `create` and every function of
 * what it creates rethrow as a {@linkcode PluginError} (or pass through an
 * error that already names the plugin). The descriptor's other fields are
 * the plugin's own. Also remembers the plugin's module, so that
 * {@linkcode describeStrayError} can attribute an error thrown outside any call.
 *
 * @param plugin A validated plugin.
 * @param origin Where it was loaded from.
 * @returns The guarded plugin.
 *
 * @example
 * ```ts
 * import { guardPlugin } from "./_guard.ts";
 * import { Registry } from "../core/registry.ts";
 * import assert from "node:assert/strict";
 *
 * const plugin = guardPlugin({
 *   apiVersion: 1, kind: "scheduler", name: "broken",
 *   create: () => { throw new Error("create failed"); },
 * }, { url: "https://example.org/broken.ts", specifier: "https://example.org/broken.ts" });
 * assert.throws(
 *   () => new Registry().register(plugin).create("scheduler", "broken"),
 *   /^PluginError: Cannot create scheduler "broken" \(from https:\/\/example\.org\/broken\.ts\) as its create threw Error: create failed$/,
 * );
 * ```
 */
export function guardPlugin(plugin: Plugin, origin: PluginOrigin): Plugin {
  const label = `${plugin.kind} "${plugin.name}" (from ${origin.url})`;
  if (!loaded.some((p) => p.specifier === origin.specifier && p.label === label)) {
    loaded.push({ specifier: origin.specifier, label });
  }
  const create = guarded(label, "create", plugin.create as (...args: unknown[]) => unknown, plugin);
  return Object.freeze({
    ...plugin,
    // Every argument goes through: the options, and the context (the host's gradflow).
    create: (...args: unknown[]) => guardInstance(label, plugin.kind, create(...args)),
  }) as Plugin;
}

/** Whether a module appears in a stack trace; V8 abbreviates a `data:` URL to its start and end there. */
function inStack(stack: string, specifier: string): boolean {
  const comma = specifier.indexOf(",");
  if (!specifier.startsWith("data:") || comma === -1 || specifier.length - comma < 64) return stack.includes(specifier);
  return stack.includes(specifier.slice(0, comma + 17)) && stack.includes(specifier.slice(-16));
}

/**
 * One line for an error that a loaded plugin's code threw outside any call
 * (an unhandled rejection, an error in a timer), found by the plugin's
 * module in the error's stack: `Cannot use optimizer "evil" (from …) as code
 * it left running tried to read "/etc/passwd", which this run does not
 * permit`. `null` when no loaded plugin is in the stack (unless the error is
 * a refused permission and plugins are loaded: only their code is refused).
 *
 * @param error What was thrown or rejected.
 * @returns The line, or `null`.
 *
 * @example
 * ```ts
 * import { describeStrayError } from "./_guard.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(describeStrayError(new Error("not from a plugin")), null);
 * ```
 */
export function describeStrayError(error: unknown): string | null {
  if (error instanceof PluginError) return error.message;
  const stack = error instanceof Error ? String(error.stack ?? "") : "";
  const attempt = refusedAccess(error);
  let origin = loaded.find((p) => inStack(stack, p.specifier));
  if (origin === undefined) {
    // A refused dynamic import rejects without its importer in the stack: only loaded plugins run code
    // the sandbox refuses, so it is theirs.
    if (attempt === null || loaded.length === 0) return null;
    const labels = [...new Set(loaded.map((p) => p.label))];
    origin = { specifier: "", label: labels.length === 1 ? labels[0] : `one of the plugins ${labels.join(", ")}` };
  }
  return attempt !== null
    ? `Cannot use ${origin.label} as code it left running tried to ${attempt}, which this run does not permit`
    : `Cannot use ${origin.label} as code it left running threw ${firstLine(error)}`;
}
