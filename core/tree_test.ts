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

Deno.test("applyUpdates() adds updates of each parameter's dtype and keeps it", () => {
  const p = applyUpdates({ w: tensor([1, 2], [2], "float32") }, { w: tensor([0.5, 0.5], [2], "float32") }) as {
    w: Tensor;
  };
  assert.equal(p.w.dtype, "float32");
  assert.deepEqual(p.w.toArray(), [1.5, 2.5]);
});

Deno.test("applyUpdates() refuses an update of another shape or dtype instead of broadcasting or casting it", () => {
  const params = { layer: { w: tensor([[1, 2], [3, 4]]), b: tensor([0, 0], [2], "float32") } };
  const ok = { layer: { w: tensor([[0, 0], [0, 0]]), b: tensor([0, 0], [2], "float32") } };
  for (const donate of [false, true]) {
    assert.throws(
      () => applyUpdates(params, { layer: { ...ok.layer, w: tensor(0.5) } }, { donate }),
      {
        name: "RangeError",
        message:
          `Cannot apply updates as the update of "layer.w" must have its parameter's shape and dtype exactly: current value is [] (float64) for a parameter of [2,2] (float64)`,
      },
    );
    assert.throws(() => applyUpdates(params, { layer: { ...ok.layer, w: tensor([[1, 1]]) } }, { donate }), /"layer.w"/);
    assert.throws(
      () => applyUpdates(params, { layer: { ...ok.layer, b: tensor([1, 1]) } }, { donate }),
      /\(float64\) for a parameter of \[2\] \(float32\)/,
    );
  }
  assert.deepEqual((params.layer.w as Tensor).toArray(), [[1, 2], [3, 4]]);
});
