import assert from "node:assert/strict";
import { Random } from "../../core/random.ts";
import { initializerPlugins, resolveInitializer } from "./mod.ts";

Deno.test("initializerPlugins lists every initializer of the issue", () => {
  assert.deepEqual(initializerPlugins.map((p) => p.name).sort(), [
    "constant",
    "he-normal",
    "he-uniform",
    "normal",
    "uniform",
    "xavier-normal",
    "xavier-uniform",
    "zeros",
  ]);
});

Deno.test("resolveInitializer() accepts a function, a name, or { name, ...options }", () => {
  const fn = () => {
    throw new Error("unused");
  };
  assert.equal(resolveInitializer("x", "initializer", fn), fn);
  assert.deepEqual(resolveInitializer("x", "initializer", "zeros")([1], new Random(0)).toArray(), [0]);
  const init = resolveInitializer("x", "initializer", { name: "uniform", low: 5, high: 6 });
  assert.ok(init([10], new Random(0)).data.every((v) => v >= 5 && v <= 6));
});

Deno.test("resolveInitializer() throws RangeError for an unknown name, suggesting the nearest", () => {
  assert.throws(() => resolveInitializer('layer "dense"', "initializer", "he_normal"), {
    name: "RangeError",
    message:
      `Cannot create layer "dense" as initializer must be an initializer function or one of constant, he-normal, he-uniform, normal, uniform, xavier-normal, xavier-uniform, zeros (did you mean 'he-normal'?): current value is "he_normal"`,
  });
  assert.throws(() => resolveInitializer('layer "dense"', "initializer", 3), RangeError);
  assert.throws(() => resolveInitializer('layer "dense"', "initializer", { name: "normal", std: -1 }), /std must be/);
});
