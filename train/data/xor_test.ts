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
