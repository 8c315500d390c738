import assert from "node:assert/strict";
import { Random } from "../../core/random.ts";
import { zeros } from "./zeros.ts";

Deno.test("zeros() fills with 0 in the requested shape and dtype", () => {
  const t = zeros()([2, 2], new Random(0), "float32");
  assert.equal(t.dtype, "float32");
  assert.deepEqual(t.toArray(), [[0, 0], [0, 0]]);
  assert.equal(zeros()([3], new Random(0)).dtype, "float64");
});

Deno.test("zeros() throws on an option, a bad shape or a bad dtype", () => {
  assert.throws(() => zeros({ value: 1 } as never), {
    name: "TypeError",
    message: 'Cannot create initializer "zeros" as it has an unknown option "value": known options are none',
  });
  assert.throws(() => zeros()([1.5], new Random(0)), RangeError);
  assert.throws(() => zeros()("3" as never, new Random(0)), TypeError);
  assert.throws(() => zeros()([1], new Random(0), "float16" as never), RangeError);
});
