import assert from "node:assert/strict";
import { cosine } from "./cosine.ts";

Deno.test("cosine() follows PyTorch's CosineAnnealingLR closed form up to maxSteps", () => {
  const lr = 0.1, min = 0.001, T = 50;
  const schedule = cosine({ learningRate: lr, maxSteps: T, minLearningRate: min });
  for (const k of [0, 1, 10, 25, 49, 50]) {
    const expected = min + (lr - min) * (1 + Math.cos(Math.PI * k / T)) / 2;
    assert.ok(Math.abs(schedule(k) - expected) < 1e-15, `step ${k}`);
  }
});

Deno.test("cosine() stays at minLearningRate after maxSteps instead of rising again", () => {
  const schedule = cosine({ learningRate: 1, maxSteps: 10, minLearningRate: 0.1 });
  assert.deepEqual([10, 11, 15, 20, 1e6].map((k) => schedule(k)), [0.1, 0.1, 0.1, 0.1, 0.1]);
});

Deno.test("cosine() throws RangeError when minLearningRate exceeds learningRate", () => {
  assert.throws(() => cosine({ learningRate: 0.1, minLearningRate: 0.2 }), {
    name: "RangeError",
    message: 'Cannot create scheduler "cosine" as minLearningRate must be a number in [0, 0.1]: current value is 0.2',
  });
  assert.throws(() => cosine({ maxSteps: 0 }), /maxSteps must be an integer in \[1, ∞\)/);
});
