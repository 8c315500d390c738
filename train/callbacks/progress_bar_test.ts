import assert from "node:assert/strict";
import { twoGaussians } from "../data/two_gaussians.ts";
import { train, type TrainOptions } from "../train.ts";
import { progressBar } from "./progress_bar.ts";
import type { Tensor } from "../../core/tensor.ts";
import { mse } from "../../plugins/losses/mse.ts";

const options = (epochs: number): TrainOptions => ({
  model: { name: "dense", units: 1 },
  loss: "mse",
  optimizer: { name: "sgd", learningRate: 0.1 },
  data: twoGaussians({ samples: 40 }),
  batchSize: 10,
  epochs,
  metrics: ["accuracy"],
  validation: 0.25,
});

/** A clock that advances 50 ms per reading. */
function fakeClock(): () => number {
  let t = 0;
  return () => (t += 50);
}

Deno.test("progressBar() prints plain epoch lines with metrics, throughput and ETA when not live", async () => {
  let text = "";
  await train({
    ...options(3),
    callbacks: [progressBar({ write: (t) => (text += t), live: false, now: fakeClock() })],
  });
  const lines = text.trimEnd().split("\n");
  assert.equal(lines.length, 4);
  assert.match(
    lines[0],
    /^epoch 1\/3 {2}loss \S+ {2}accuracy \d+\.\d\d% {2}valLoss \S+ {2}valAccuracy \d+\.\d\d% {2}\d+ samples\/s {2}ETA \d+:\d\d$/,
  );
  assert.match(lines[2], /^epoch 3\/3 .* samples\/s$/); // no ETA on the last epoch
  assert.match(lines[3], /^trained 3 epochs, 9 steps in \d+\.\d s$/);
  assert.ok(!text.includes("\r"));
});

Deno.test("progressBar() redraws a live bar with step, loss, throughput and ETA on a terminal", async () => {
  let text = "";
  await train({
    ...options(2),
    callbacks: [progressBar({ write: (t) => (text += t), live: true, width: 10, now: fakeClock() })],
  });
  assert.ok(text.startsWith("\r\x1b[2Kepoch 1/2 ["));
  assert.match(
    text.replaceAll("\x1b[2K", ""),
    /\repoch 1\/2 \[=*>? *\] 1\/3 {2}loss \S+ {2}\d+ samples\/s {2}ETA \d+:\d\d/,
  );
  assert.match(text, /\[==========\] 3\/3/);
  assert.ok(text.includes("\r\x1b[2Kepoch 2/2  loss")); // the summary replaces the bar
});

Deno.test("progressBar() prints about thirty summary lines for long runs, the first and last always", async () => {
  let text = "";
  await train({
    ...options(90),
    batching: "full",
    callbacks: [progressBar({ write: (t) => (text += t), live: false })],
  });
  const epochs = text.split("\n").filter((l) => l.startsWith("epoch")).map((l) => Number(l.split(/[ /]/)[1]));
  assert.equal(epochs[0], 1);
  assert.equal(epochs.at(-1), 90);
  assert.ok(epochs.length >= 25 && epochs.length <= 35, `${epochs.length} lines`);
});

Deno.test("progressBar() ends an open live line before an error is reported", async () => {
  let text = "", calls = 0;
  const loss = (p: Tensor, t: Tensor) => {
    if (++calls === 2) throw new Error("boom");
    return mse()(p, t);
  };
  await assert.rejects(
    train({ ...options(2), loss, callbacks: [progressBar({ write: (t) => (text += t), live: true })] }),
    /boom/,
  );
  assert.ok(text.startsWith("\r\x1b[2Kepoch 1/2 ["));
  assert.ok(text.endsWith("\n"));
});
