import assert from "node:assert/strict";
import { Random } from "../../core/random.ts";
import { tensor } from "../../core/tensor.ts";
import { avgPool2d } from "./avg_pool2d.ts";

Deno.test("avgPool2d() averages 2×2 windows with stride 2 by default", () => {
  const layer = avgPool2d();
  const x = tensor([1, 5, 2, 0, 3, 4, 8, 6, 7, 1, 0, 2, 9, 3, 4, 4], [1, 1, 4, 4]);
  assert.deepEqual(layer.init([1, 4, 4], new Random(0)).outputShape, [1, 2, 2]);
  assert.deepEqual(layer.apply({}, {}, x, { training: false }).output.toArray(), [[[[3.25, 4], [5, 2.5]]]]);
});

Deno.test("avgPool2d() counts the padding in the mean unless countIncludePad is false", () => {
  const x = tensor([4, 8, 12, 16], [1, 1, 2, 2]);
  const included = avgPool2d({ poolSize: 2, padding: 1 });
  const excluded = avgPool2d({ poolSize: 2, padding: 1, countIncludePad: false });
  assert.deepEqual(included.apply({}, {}, x, { training: false }).output.toArray(), [[[[1, 2], [3, 4]]]]);
  assert.deepEqual(excluded.apply({}, {}, x, { training: false }).output.toArray(), [[[[4, 8], [12, 16]]]]);
});

Deno.test("avgPool2d() throws for bad options, naming them", () => {
  assert.throws(() => avgPool2d({ dilation: 2 } as never), /unknown option "dilation"/);
  assert.throws(() => avgPool2d({ countIncludePad: "yes" as never }), {
    name: "TypeError",
    message: 'Cannot create layer "avg-pool2d" as countIncludePad must be true or false: current value is "yes"',
  });
  assert.throws(() => avgPool2d({ poolSize: [3, 1], padding: [2, 0] }), /at most half the window \(3×1\)/);
});
