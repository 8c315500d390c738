import assert from "node:assert/strict";
import { Random } from "../../core/random.ts";
import { normal } from "./normal.ts";

Deno.test("normal() draws from N(mean, std²) reproducibly for a seed", () => {
  const init = normal({ mean: 3, std: 0.1 });
  const a = init([2, 50], new Random(8)), b = init([2, 50], new Random(8));
  assert.deepEqual(a.toArray(), b.toArray());
  assert.deepEqual(a.shape, [2, 50]);
  assert.ok(a.data.every((v) => Math.abs(v - 3) < 0.6));
});

Deno.test("normal() with std 0 gives the mean exactly", () => {
  assert.deepEqual(normal({ mean: -2, std: 0 })([3], new Random(0)).toArray(), [-2, -2, -2]);
});

Deno.test("normal() keeps the requested dtype", () => {
  assert.equal(normal()([4], new Random(0), "float32").dtype, "float32");
});

Deno.test("normal() throws RangeError for a negative std and TypeError for a non-number", () => {
  assert.throws(() => normal({ std: -1 }), {
    name: "RangeError",
    message: 'Cannot create initializer "normal" as std must be a number in [0, ∞): current value is -1',
  });
  assert.throws(() => normal({ mean: "0" as unknown as number }), TypeError);
  assert.throws(() => normal({ stddev: 1 } as never), /unknown option "stddev"/);
});
