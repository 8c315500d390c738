import assert from "node:assert/strict";
import plugin, { logCosh } from "./log_cosh.ts";
import * as gradflow from "../../core/api.ts";
import { checkPlugin } from "../../tests/kit/mod.ts";

Deno.test("log-cosh passes the gradflow conformance checks, second order included", async () => {
  assert.ok((await checkPlugin(plugin, { secondOrder: true, log: false })).ok);
});

Deno.test("log-cosh is log(cosh(o − t)) without overflow, and its gradient is tanh(o − t)", () => {
  const { grad, tensor, sum } = gradflow;
  const o = tensor([-800, -1, 0, 0.5, 3, 800]), t = tensor([0, 1, 0, 0, 1, 0]);
  const values = logCosh(gradflow, { reduction: "none" })(o, t).toArray() as number[];
  [-800, -2, 0, 0.5, 2, 800].forEach((d, i) => {
    const want = Math.abs(d) > 20 ? Math.abs(d) - Math.LN2 : Math.log(Math.cosh(d));
    assert.ok(Math.abs(values[i] - want) <= 1e-12 * (1 + Math.abs(want)), `${d}: ${values[i]} vs ${want}`);
  });
  const g = grad((x: gradflow.Tensor) => sum(logCosh(gradflow, { reduction: "none" })(x, t)))(o).toArray() as number[];
  [-800, -2, 0, 0.5, 2, 800].forEach((d, i) => assert.ok(Math.abs(g[i] - Math.tanh(d)) < 1e-12));
});

Deno.test("log-cosh imports nothing at run time: only types, which Deno erases", async () => {
  const source = await Deno.readTextFile(new URL("./log_cosh.ts", import.meta.url));
  const imports = [...source.matchAll(/^import (type )?.* from "([^"]+)";/gm)];
  assert.ok(imports.length > 0 && imports.every((m) => m[1] === "type "), imports.map((m) => m[0]).join("\n"));
  assert.doesNotMatch(source, /\bimport\(/);
});
