import assert from "node:assert/strict";
import { Random } from "../core/random.ts";
import { flattenTree } from "../core/tree.ts";
import { dense } from "../plugins/layers/dense.ts";
import { resolveModel } from "./model.ts";
import { formatSummary, modelSummary } from "./summary.ts";

const SPEC = [
  { name: "dense", units: 8 },
  { name: "batch-norm" },
  { name: "relu" },
  { name: "sequential", layers: [{ name: "dense", units: 3 }, { name: "softmax" }] },
];

Deno.test("modelSummary() counts what init creates, row by row, under the paths the parameters have", () => {
  const s = modelSummary(SPEC, [5]);
  assert.deepEqual(s.rows.map((r) => [r.path, r.type, r.outputShape]), [
    ["0", "dense", [8]],
    ["1", "batch-norm", [8]],
    ["2", "relu", [8]],
    ["3.0", "dense", [3]],
    ["3.1", "softmax", [3]],
  ]);
  const { params, state } = resolveModel(SPEC).init([5], new Random(0));
  const flat = flattenTree(params);
  assert.equal(s.trainable, flat.reduce((n, [, t]) => n + t.size, 0));
  assert.equal(s.nonTrainable, flattenTree(state).reduce((n, [, t]) => n + t.size, 0));
  for (const row of s.rows) {
    const own = flat.filter(([p]) => p.startsWith(`${row.path}.`)).reduce((n, [, t]) => n + t.size, 0);
    assert.equal(row.params, own, row.path);
  }
  assert.equal(s.rows[0].params, 5 * 8 + 8);
});

Deno.test("formatSummary() prints Keras's columns and totals", () => {
  const text = formatSummary(modelSummary(SPEC, [5]), "net");
  const lines = text.split("\n");
  assert.equal(lines[0], 'Model: "net"  (input: (None, 5))');
  assert.match(lines[2], /^Layer \(type\) +Output Shape +Param #$/);
  assert.match(text, /\n3\.0 \(dense\) +\(None, 3\) +27\n/);
  assert.match(text, /\nTotal params: 107 \(856 B\)\nTrainable params: 91\nNon-trainable params: 16$/);
});

Deno.test("modelSummary() shows a layer instance as one row, and names a layer it cannot build", () => {
  assert.deepEqual(modelSummary(dense({ units: 2 }), [3]).rows.map((r) => [r.type, r.params]), [["layer", 8]]);
  assert.throws(() => modelSummary([{ name: "dense", units: 2 }, { name: "dnse" }], [3]), /did you mean 'dense'/);
});
