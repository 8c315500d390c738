import assert from "node:assert/strict";
import type { Loss, Optimizer, Plugin } from "../core/interfaces.ts";
import { Registry } from "../core/registry.ts";
import { tensor } from "../core/tensor.ts";
import { describeStrayError, guardPlugin, PluginError, refusedAccess } from "./_guard.ts";

const origin = { url: "https://example.org/p.ts", specifier: "https://example.org/p.ts" };

Deno.test("guardPlugin() names the plugin in what its functions throw, keeping what they return", () => {
  const plugin = guardPlugin({
    apiVersion: 1,
    kind: "optimizer",
    name: "odd",
    create: () => ({
      init: () => ({ calls: 0 }),
      update(grads: unknown) {
        if (grads === null) throw new TypeError("grads is null");
        return { updates: grads, state: {} };
      },
    }),
  } as unknown as Plugin, origin);
  const optimizer = new Registry().register(plugin).create("optimizer", "odd") as Optimizer;
  assert.deepEqual(optimizer.init([]), { calls: 0 });
  assert.equal(optimizer.step, undefined, "an optional method it lacks stays absent");
  assert.throws(() => optimizer.update(null as never, {}, []), {
    name: "PluginError",
    message: 'Cannot use optimizer "odd" (from https://example.org/p.ts) as its update threw TypeError: grads is null',
  });
});

Deno.test("guardPlugin() wraps a loss function and lets through an error that already names the plugin", () => {
  const picky = guardPlugin({
    apiVersion: 1,
    kind: "loss",
    name: "picky",
    create: (options?: { strict?: boolean }) => {
      if (options?.strict === false) throw new RangeError('Cannot create loss "picky" as strict must be true');
      return ((p: { size: number }) => {
        if (p.size > 1) throw new Error("only scalars");
        return tensor(0);
      }) as unknown as Loss;
    },
  } as unknown as Plugin, origin);
  const registry = new Registry().register(picky);
  assert.throws(() => registry.create("loss", "picky", { strict: false }), {
    name: "RangeError",
    message: /^Cannot create loss "picky" as strict/,
  });
  const f = registry.create("loss", "picky") as Loss;
  assert.equal(f(tensor(1), tensor(1)).item(), 0);
  assert.throws(
    () => f(tensor([1, 2]), tensor([1, 2])),
    /^PluginError: Cannot use loss "picky" \(from https:\/\/example\.org\/p\.ts\) as its loss function threw Error: only scalars$/,
  );
});

Deno.test("refusedAccess() says what a refused permission was for, without Deno's advice", () => {
  const refused = (message: string) => refusedAccess(new Deno.errors.NotCapable(message));
  assert.equal(
    refused('Requires read access to "/etc/passwd", run again with the --allow-read flag'),
    'read "/etc/passwd"',
  );
  assert.equal(refused('Requires write access to "/x", run again with the --allow-write flag'), 'write "/x"');
  assert.equal(
    refused('Requires env access to "HOME", run again with the --allow-env flag'),
    'read the environment variable "HOME"',
  );
  assert.equal(refused('Requires run access to "ls", run again with the --allow-run flag'), 'run "ls"');
  assert.equal(
    refused('Requires import access to "esm.sh:443", run again with the --allow-import flag'),
    'import from "esm.sh:443"',
  );
  assert.equal(refusedAccess(new Error('Requires read access to "/x"')), null);
});

Deno.test("describeStrayError() finds a loaded plugin in an error's stack, and nothing in other errors", async () => {
  const source = `export function later() { return new Error("left running"); }`;
  const encoded = btoa(source + "\n// " + "x".repeat(200));
  const specifier = `data:text/typescript;base64,${encoded}`;
  guardPlugin({ apiVersion: 1, kind: "scheduler", name: "stray", create: () => () => 0 } as unknown as Plugin, {
    url: "https://example.org/stray.ts",
    specifier,
  });
  const { later } = await import(`data:text/${specifier.slice(10)}`);
  assert.equal(
    describeStrayError(later()),
    'Cannot use scheduler "stray" (from https://example.org/stray.ts) as code it left running threw Error: left running',
  );
  assert.equal(describeStrayError(new Error("mine")), null);
  assert.equal(describeStrayError(new PluginError("Cannot use x as y", null)), "Cannot use x as y");
});
