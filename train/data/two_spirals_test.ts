import assert from "node:assert/strict";
import { twoSpirals } from "./two_spirals.ts";

Deno.test("twoSpirals() puts the second spiral at the first turned by half a turn", () => {
  const { x, y } = twoSpirals({ samples: 400, noise: 0, seed: 2, dtype: "float64" });
  for (let i = 0; i < 400; i++) {
    const px = x.data[2 * i], py = x.data[2 * i + 1];
    const r = Math.hypot(px, py);
    assert.ok(r <= 1 + 1e-12 && r > 0);
    // On spiral 0 the angle of the point (mod 2π) equals its radius' angle θ = r·θ_max (mod 2π); spiral 1 is shifted by π.
    const thetaMax = 0.25 + 2 * Math.PI * 1.25;
    const theta = r * thetaMax + (y.data[i] === 1 ? Math.PI : 0);
    assert.ok(Math.abs(Math.cos(theta) * r - px) < 1e-9 && Math.abs(Math.sin(theta) * r - py) < 1e-9, `sample ${i}`);
  }
  assert.deepEqual([...y.data.subarray(0, 4)], [0, 1, 0, 1]);
});

Deno.test("twoSpirals() gives float32 by default: the float64 points rounded", () => {
  const single = twoSpirals({ samples: 50, seed: 2 }), double = twoSpirals({ samples: 50, seed: 2, dtype: "float64" });
  assert.equal(single.x.dtype, "float32");
  assert.equal(single.y.dtype, "float32");
  assert.deepEqual([...single.x.data], [...double.x.data].map(Math.fround));
  assert.deepEqual([...single.y.data], [...double.y.data]);
});

Deno.test("twoSpirals() is seeded and validates its options", () => {
  assert.deepEqual(twoSpirals({ seed: 4 }).x.data, twoSpirals({ seed: 4 }).x.data);
  assert.throws(() => twoSpirals({ turns: 0 }), /turns must be a number in \(0, ∞\)/);
});
