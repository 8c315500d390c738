import assert from "node:assert/strict";
import { Random } from "../core/random.ts";
import { dense } from "../plugins/layers/dense.ts";
import { createRegistry } from "../plugins/mod.ts";
import { jsonSpec, resolveModel } from "./model.ts";

Deno.test("resolveModel() builds nested specs and passes instances through", () => {
  const inner = dense({ units: 2 });
  const model = resolveModel(
    { name: "sequential", layers: [{ name: "sequential", layers: [{ name: "dense", units: 3 }] }, inner] },
    createRegistry(),
  );
  assert.deepEqual(model.init([4], new Random(0)).outputShape, [2]);
  assert.equal(resolveModel(inner, createRegistry()), inner);
});

Deno.test("resolveModel() names the position of a bad entry and the unknown layer", () => {
  assert.throws(
    () => resolveModel({ name: "sequential", layers: [{ name: "dense", units: 1 }, 5 as never] }, createRegistry()),
    /model.layers\[1\] must be a layer or \{ name, \.\.\.options \}: current value is number/,
  );
  assert.throws(() => resolveModel({ name: "dence", units: 1 }, createRegistry()), /dence/);
});

Deno.test("jsonSpec() copies plain specs and refuses instances and functions", () => {
  const spec = { name: "dense", units: 2 };
  const copy = jsonSpec(spec)!;
  assert.deepEqual(copy, spec);
  assert.notEqual(copy, spec);
  assert.equal(jsonSpec(dense({ units: 1 })), null);
  assert.equal(jsonSpec({ name: "sequential", layers: [dense({ units: 1 })] }), null);
});

Deno.test("resolveModel() looks names up among the built-ins when no registry is given", () => {
  const model = resolveModel([{ name: "dense", units: 2 }, { name: "relu" }]);
  assert.deepEqual(model.init([3], new Random(0)).outputShape, [2]);
});
