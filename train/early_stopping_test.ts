import assert from "node:assert/strict";
import { earlyStoppingConfig, type EarlyStoppingState, earlyStoppingStep } from "./early_stopping.ts";

function run(values: number[], options = {}): { stops: boolean[]; state: EarlyStoppingState } {
  const config = earlyStoppingConfig(options);
  let state: EarlyStoppingState = { best: null, bestEpoch: null, wait: 0 };
  const stops = values.map((v, i) => {
    const r = earlyStoppingStep(config, state, v, i + 1);
    state = r.state;
    return r.stop;
  });
  return { stops, state };
}

Deno.test("earlyStoppingStep() stops after patience epochs without improvement", () => {
  const { stops, state } = run([1, 0.8, 0.9, 0.85, 0.95], { patience: 3 });
  assert.deepEqual(stops, [false, false, false, false, true]);
  assert.deepEqual(state, { best: 0.8, bestEpoch: 2, wait: 3 });
});

Deno.test("earlyStoppingStep() counts only improvements larger than minDelta, in the chosen direction", () => {
  assert.equal(run([1, 0.95, 0.9], { patience: 2, minDelta: 0.1 }).state.bestEpoch, 1);
  assert.equal(run([0.5, 0.7, 0.6], { monitor: "valAccuracy" }).state.bestEpoch, 2);
  assert.equal(run([NaN, 1], {}).state.bestEpoch, 2);
});

Deno.test("earlyStoppingConfig() fills defaults and rejects bad options", () => {
  assert.deepEqual(earlyStoppingConfig(true), {
    monitor: "valLoss",
    patience: 5,
    minDelta: 0,
    mode: "min",
    restoreBest: true,
  });
  assert.throws(
    () => earlyStoppingConfig({ patience: 1.5 }),
    /patience must be a non-negative integer: current value is 1.5/,
  );
  assert.throws(() => earlyStoppingConfig({ mode: "up" as "min" }), /mode must be one of "min", "max"/);
  assert.throws(() => earlyStoppingConfig({ patients: 3 } as never), /unknown option "patients"/);
});
