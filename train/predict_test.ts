import assert from "node:assert/strict";
import type { Layer } from "../core/interfaces.ts";
import { isRecording } from "../core/graph.ts";
import { Random } from "../core/random.ts";
import { tensor } from "../core/tensor.ts";
import { dense } from "../plugins/layers/dense.ts";
import { predict } from "./predict.ts";

Deno.test("predict() gives the same outputs in chunks as in one pass", () => {
  const model = dense({ units: 2 });
  const { params, state } = model.init([3], new Random(1));
  const x = tensor(Array.from({ length: 7 }, (_, i) => [i, -i, i / 2]));
  const whole = predict({ model, params, state }, x);
  assert.deepEqual(predict({ model, params, state }, x, { batchSize: 3 }).data, whole.data);
});

Deno.test("predict() runs in evaluation mode without recording a graph", () => {
  const seen: [boolean, boolean][] = [];
  const probe: Layer = {
    init: (s) => ({ params: {}, state: {}, outputShape: [...s] }),
    apply: (_p, state, input, context) => {
      seen.push([context.training, isRecording()]);
      return { output: input, state };
    },
  };
  predict({ model: probe, params: {}, state: {} }, tensor([[1]]));
  assert.deepEqual(seen, [[false, false]]);
  assert.throws(
    () => predict({ model: probe, params: {}, state: {} }, tensor([[1]]), { batchSize: 0 }),
    /batchSize must be a positive integer/,
  );
});
