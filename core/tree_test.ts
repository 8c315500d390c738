import assert from "node:assert/strict";
import { mul } from "./ops/mod.ts";
import { type Tensor, tensor } from "./tensor.ts";
import { applyUpdates, flattenTree, type Tree, treeLeaves, treeMap, unflattenTree } from "./tree.ts";

Deno.test("flattenTree() names leaves by dotted paths in a stable order", () => {
  const tree: Tree = { layers: [{ weight: tensor([1]), bias: tensor([2]) }, {}], scale: tensor(3) };
  assert.deepEqual(flattenTree(tree).map(([p]) => p), ["layers.0.weight", "layers.0.bias", "scale"]);
  assert.deepEqual(flattenTree(tensor([1])).map(([p]) => p), [""]);
});

Deno.test("flattenTree() throws TypeError naming a non-tensor leaf", () => {
  assert.throws(() => flattenTree({ a: { b: 3 } } as never), { name: "TypeError", message: /leaf "a.b" is number/ });
});

Deno.test("treeMap() keeps the structure and zips other trees", () => {
  const doubled = treeMap((t) => mul(t, 2), { a: [tensor([1]), tensor([2])] }) as { a: Tensor[] };
  assert.deepEqual(doubled.a.map((t) => t.item()), [2, 4]);
  assert.throws(() => treeMap((t) => t, { a: tensor([1]) }, { b: tensor([1]) }), /tree 1 has no "a"/);
});

Deno.test("unflattenTree() inverts treeLeaves()", () => {
  const tree = { w: tensor([1, 2]), b: [tensor([3])] };
  const back = unflattenTree(tree, treeLeaves(tree));
  assert.deepEqual(flattenTree(back).map(([p, t]) => [p, t.toArray()]), [["w", [1, 2]], ["b.0", [3]]]);
  assert.throws(() => unflattenTree(tree, []), RangeError);
});

Deno.test("applyUpdates() adds updates and keeps each parameter's dtype", () => {
  const p = applyUpdates({ w: tensor([1, 2], [2], "float32") }, { w: tensor([0.5, 0.5]) }) as { w: Tensor };
  assert.equal(p.w.dtype, "float32");
  assert.deepEqual(p.w.toArray(), [1.5, 2.5]);
});
