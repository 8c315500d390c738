import assert from "node:assert/strict";
import { twoGaussians } from "./two_gaussians.ts";

Deno.test("twoGaussians() draws each class around its mean with the given spread", () => {
  const { x, y } = twoGaussians({ samples: 2000, seed: 5, means: [[-2, 0], [3, 1]], std: 0.5 });
  const sums = [[0, 0, 0], [0, 0, 0]];
  for (let i = 0; i < 2000; i++) {
    const c = y.data[i];
    sums[c][0] += x.data[2 * i];
    sums[c][1] += x.data[2 * i + 1];
    sums[c][2]++;
  }
  assert.equal(sums[0][2], 1000);
  assert.ok(Math.abs(sums[0][0] / 1000 + 2) < 0.1 && Math.abs(sums[0][1] / 1000) < 0.1);
  assert.ok(Math.abs(sums[1][0] / 1000 - 3) < 0.1 && Math.abs(sums[1][1] / 1000 - 1) < 0.1);
});

Deno.test("twoGaussians() is seeded and encodes labels as binary, sign or one-hot", () => {
  assert.deepEqual(twoGaussians({ seed: 1 }).x.data, twoGaussians({ seed: 1 }).x.data);
  assert.notDeepEqual(twoGaussians({ seed: 1 }).x.data, twoGaussians({ seed: 2 }).x.data);
  assert.deepEqual(twoGaussians({ samples: 2, labels: "binary" }).y.toArray(), [[0], [1]]);
  assert.deepEqual(twoGaussians({ samples: 2, labels: "sign" }).y.toArray(), [[-1], [1]]);
  assert.deepEqual(twoGaussians({ samples: 2, labels: "one-hot" }).y.toArray(), [[1, 0], [0, 1]]);
});

Deno.test("twoGaussians() rejects bad options, naming them", () => {
  assert.throws(() => twoGaussians({ samples: 0 }), /samples must be an integer in \[1, ∞\): current value is 0/);
  assert.throws(() => twoGaussians({ labels: "pm1" as "sign" }), /labels must be one of "binary", "sign", "one-hot"/);
  assert.throws(() => twoGaussians({ means: [[0, 0]] as never }), /means must be two points/);
  assert.throws(() => twoGaussians({ sigma: 1 } as never), /unknown option "sigma"/);
});
