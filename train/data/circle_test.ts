import assert from "node:assert/strict";
import { circle } from "./circle.ts";

Deno.test("circle() puts class 1 inside radius 0.5 and class 0 between radii 0.7 and 1", () => {
  const { x, y } = circle({ samples: 400, noise: 0, seed: 3 });
  for (let i = 0; i < 400; i++) {
    const r = Math.hypot(x.data[2 * i], x.data[2 * i + 1]);
    if (y.data[i] === 1) assert.ok(r <= 0.5, `sample ${i} at radius ${r}`);
    else assert.ok(r >= 0.7 && r <= 1, `sample ${i} at radius ${r}`);
  }
  assert.deepEqual([...y.data.subarray(0, 4)], [0, 1, 0, 1]);
});

Deno.test("circle() spreads the angles around the whole circle", () => {
  const { x } = circle({ samples: 400, noise: 0 });
  const quadrants = [0, 0, 0, 0];
  for (let i = 0; i < 400; i++) quadrants[(x.data[2 * i] < 0 ? 1 : 0) + (x.data[2 * i + 1] < 0 ? 2 : 0)]++;
  assert.ok(quadrants.every((n) => n > 60), `samples per quadrant: ${quadrants}`);
});

Deno.test("circle() is seeded, adds noise, encodes labels and validates its options", () => {
  assert.deepEqual(circle({ seed: 4 }).x.data, circle({ seed: 4 }).x.data);
  assert.notDeepEqual(circle({ noise: 0.1 }).x.data, circle({ noise: 0 }).x.data);
  assert.deepEqual([...circle({ samples: 2, labels: "sign" }).y.data], [-1, 1]);
  assert.throws(() => circle({ noise: -1 }), /noise must be a number in \[0, ∞\): current value is -1/);
  assert.throws(() => circle({ radius: 2 } as never), /unknown option "radius"/);
});
