import assert from "node:assert/strict";
import { Random } from "../../core/random.ts";
import { uniform } from "./uniform.ts";

Deno.test("uniform() draws from U(0, 1) by default, like torch.nn.init.uniform_", () => {
  const t = uniform()([1000], new Random(0));
  assert.ok(t.data.every((v) => v >= 0 && v < 1));
  assert.ok(t.data.some((v) => v < 0.1) && t.data.some((v) => v > 0.9));
});

Deno.test("uniform() stays inside [low, high] and is reproducible for a seed", () => {
  const init = uniform({ low: -2, high: -1 });
  const a = init([50], new Random(5), "float32"), b = init([50], new Random(5), "float32");
  assert.equal(a.dtype, "float32");
  assert.ok(a.data.every((v) => v >= -2 && v <= -1));
  assert.deepEqual(a.toArray(), b.toArray());
  assert.deepEqual(uniform({ low: 3, high: 3 })([2], new Random(0)).toArray(), [3, 3]);
});

Deno.test("uniform() throws RangeError when high is below low", () => {
  assert.throws(() => uniform({ low: 1, high: 0 }), {
    name: "RangeError",
    message: 'Cannot create initializer "uniform" as high must be at least low (1): current value is 0',
  });
});

Deno.test("uniform() throws TypeError for a non-number bound, an unknown option, or a missing generator", () => {
  assert.throws(() => uniform({ low: NaN }), {
    name: "TypeError",
    message: 'Cannot create initializer "uniform" as low must be a finite number: current value is NaN',
  });
  assert.throws(() => uniform({ a: 0 } as never), /unknown option "a"/);
  assert.throws(() => uniform()([2], undefined as never), {
    name: "TypeError",
    message:
      'Cannot initialize with initializer "uniform" as rng must be a Random (new Random(seed)): current value is undefined',
  });
});
