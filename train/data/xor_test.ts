import assert from "node:assert/strict";
import { xor } from "./xor.ts";

Deno.test("xor() repeats the truth table and labels each point a XOR b", () => {
  const { x, y } = xor({ samples: 8, labels: "sign" });
  assert.deepEqual(x.toArray(), [[0, 0], [0, 1], [1, 0], [1, 1], [0, 0], [0, 1], [1, 0], [1, 1]]);
  assert.deepEqual([...y.data], [-1, 1, 1, -1, -1, 1, 1, -1]);
});

Deno.test("xor() jitters the corners with seeded noise", () => {
  const a = xor({ samples: 40, noise: 0.1, seed: 3 }), b = xor({ samples: 40, noise: 0.1, seed: 3 });
  assert.deepEqual(a.x.data, b.x.data);
  assert.ok(a.x.data.some((v) => v !== 0 && v !== 1));
  assert.ok(a.x.data.every((v) => v > -0.6 && v < 1.6));
  assert.throws(() => xor({ noise: -1 }), RangeError);
});

Deno.test("xor() gives float32 by default and float64 on request", () => {
  const single = xor({ samples: 8, noise: 0.1 }), double = xor({ samples: 8, noise: 0.1, dtype: "float64" });
  assert.equal(single.x.dtype, "float32");
  assert.equal(single.y.dtype, "float32");
  assert.deepEqual([...single.x.data], [...double.x.data].map(Math.fround));
  assert.throws(() => xor({ dtype: "int32" as never }), /dtype must be one of "float32", "float64"/);
});
