import assert from "node:assert/strict";
import type { Plugin } from "./interfaces.ts";
import { nearestName, Registry, validatePlugin } from "./registry.ts";

const halving: Plugin<"scheduler"> = {
  apiVersion: 1,
  kind: "scheduler",
  name: "halving",
  create: () => (k: number) => 2 ** -k,
};

Deno.test("Registry.create() builds a registered plugin by kind and name", () => {
  const r = new Registry([halving]);
  assert.equal(r.create("scheduler", "halving")(2), 0.25);
  assert.ok(r.has("scheduler", "halving"));
  assert.ok(!r.has("optimizer", "halving"));
});

Deno.test("Registry.register() throws on a duplicate name unless override is asked for", () => {
  const r = new Registry([halving]);
  assert.throws(() => r.register(halving), /already registered: pass \{ override: true \} to replace it/);
  const other = { ...halving, create: () => () => 1 };
  r.register(other, { override: true });
  assert.equal(r.create("scheduler", "halving")(5), 1);
});

Deno.test("Registry.get() lists what exists and suggests the nearest name", () => {
  const r = new Registry([halving, { ...halving, name: "doubling" }]);
  assert.throws(() => r.get("scheduler", "halvin"), {
    name: "RangeError",
    message: `Cannot find scheduler "halvin" (did you mean 'halving'?): registered schedulers are doubling, halving`,
  });
  assert.throws(() => r.get("loss", "mse"), /registered losses are none/);
});

Deno.test("Registry.list() sorts by kind then name and filters by kind", () => {
  const r = new Registry([{ ...halving, name: "b" }, { ...halving, name: "a" }, {
    apiVersion: 1,
    kind: "loss",
    name: "z",
    create: () => () => null as never,
  }]);
  assert.deepEqual(r.list().map((p) => p.name), ["z", "a", "b"]);
  assert.deepEqual(r.list("scheduler").map((p) => p.name), ["a", "b"]);
});

Deno.test("validatePlugin() names the malformed field", () => {
  const cases: [unknown, RegExp][] = [
    [null, /the plugin must be an object: current value is null/],
    [{ ...halving, apiVersion: 2 }, /apiVersion must be 1 \(the version this gradflow supports\): current value is 2/],
    [{ ...halving, apiVersion: "1" }, /apiVersion must be the number 1/],
    [{ ...halving, kind: "optimiser" }, /kind must be one of layer, loss, metric, optimizer/],
    [{ ...halving, name: "Halving Rate" }, /name must be a kebab-case string/],
    [{ ...halving, create: 5 }, /create must be a function: current value is 5/],
    [{ ...halving, defaults: [] }, /defaults must be an object when given/],
  ];
  for (const [value, message] of cases) assert.throws(() => validatePlugin(value), { name: "TypeError", message });
});

Deno.test("Registry.register() rejects a malformed plugin and stays unchanged", () => {
  const r = new Registry();
  assert.throws(() => r.register({ ...halving, kind: "nope" } as never), TypeError);
  assert.equal(r.list().length, 0);
});

Deno.test("nearestName() returns nothing when no name is close", () => {
  assert.equal(nearestName("rmsprop", ["sgd", "adam"]), undefined);
  assert.equal(nearestName("ADAM", ["sgd", "adam"]), "adam");
});

Deno.test("Registry.unregister() removes a plugin", () => {
  const r = new Registry([halving]);
  assert.equal(r.unregister("scheduler", "halving"), true);
  assert.equal(r.has("scheduler", "halving"), false);
});

Deno.test("Registry.get() suggests a registered name contained in the unknown one", () => {
  const r = new Registry([{ ...halving, name: "mse" }]);
  assert.throws(() => r.get("scheduler", "mse-loss"), /did you mean 'mse'\?/);
});

Deno.test("Registry.create() passes gradflow's API and a create for other plugins to the plugin", () => {
  let seen: unknown;
  const registry = new Registry([
    {
      apiVersion: 1,
      kind: "scheduler",
      name: "half-of",
      create: (options, context) => {
        seen = context;
        const inner = context.create("scheduler", (options as { of: string }).of);
        return (k: number) => inner(k) / 2;
      },
    },
    { apiVersion: 1, kind: "scheduler", name: "one", create: () => () => 1 },
  ]);
  assert.equal(registry.create("scheduler", "half-of", { of: "one" })(0), 0.5);
  const context = seen as Registry["context"];
  assert.equal(context, registry.context);
  assert.equal(typeof context.gradflow.grad, "function");
  assert.equal(context.gradflow.tensor([1, 2]).size, 2);
  assert.throws(
    () => context.create("scheduler", 3 as never),
    /as it must be given as a name or \{ name, \.\.\.options \}/,
  );
});
