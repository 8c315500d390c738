import assert from "node:assert/strict";
import { metricCharts } from "./metric_charts.ts";
import { elements, parseSvg } from "./_test_utils.ts";

const epochs = (losses: number[], accuracy: number[]) =>
  losses.map((loss, i) => ({
    epoch: i + 1,
    loss,
    accuracy: accuracy[i],
    valLoss: loss * 1.1,
    val_accuracy: accuracy[i] - 0.05,
    elapsedMs: 10 * i,
  }));

Deno.test("metricCharts() draws one chart per metric with train and validation lines", () => {
  const charts = metricCharts([{ name: "spirals", records: epochs([0.7, 0.5, 0.3], [0.5, 0.7, 0.9]) }]);
  assert.deepEqual(charts.map((c) => c.file), ["loss.svg", "accuracy.svg"]);
  for (const chart of charts) {
    const root = parseSvg(chart.svg);
    assert.deepEqual(elements(root, "g", "series").map((g) => g.getAttribute("data-name")), ["train", "validation"]);
    assert.equal(elements(root, "text", "x-label")[0].textContent, "epoch");
  }
});

Deno.test("metricCharts() compares runs in one chart per metric, one colour per run and dashed validation", () => {
  const charts = metricCharts([
    { name: "sgd", records: epochs([0.7, 0.6, 0.5], [0.5, 0.6, 0.65]) },
    { name: "adam", records: epochs([0.7, 0.2, 0.1], [0.5, 0.9, 0.95]) },
  ]);
  const root = parseSvg(charts[0].svg);
  const names = elements(root, "g", "series").map((g) => g.getAttribute("data-name"));
  assert.deepEqual(names, ["sgd", "adam", "sgd (validation)", "adam (validation)"]);
  const lines = elements(root, "path", "line");
  assert.equal(lines[0].getAttribute("stroke"), lines[2].getAttribute("stroke"));
  assert.notEqual(lines[0].getAttribute("stroke"), lines[1].getAttribute("stroke"));
  assert.equal(lines[0].getAttribute("stroke-dasharray"), null);
  assert.equal(lines[2].getAttribute("stroke-dasharray"), "6 3");
});

Deno.test("metricCharts() charts step records against iterations in a separate file", () => {
  const records = [
    { kind: "step", epoch: 1, step: 1, loss: 0.9 },
    { kind: "step", epoch: 1, step: 2, loss: 0.8 },
    { epoch: 1, loss: 0.85 },
  ];
  const charts = metricCharts([{ name: "run", records }]);
  assert.deepEqual(charts.map((c) => c.file), ["loss.svg", "loss-steps.svg"]);
  assert.equal(elements(parseSvg(charts[1].svg), "text", "x-label")[0].textContent, "iteration");
});

Deno.test("metricCharts() uses a log axis for a loss spanning decades but not for accuracy", () => {
  const charts = metricCharts([{ name: "run", records: epochs([1, 0.1, 0.001], [0.01, 0.5, 0.99]) }]);
  assert.match(elements(parseSvg(charts[0].svg), "text", "y-label")[0].textContent!, /log scale/);
  assert.doesNotMatch(elements(parseSvg(charts[1].svg), "text", "y-label")[0].textContent!, /log scale/);
  const linear = metricCharts([{ name: "run", records: epochs([1, 0.1, 0.001], [0.1, 0.5, 0.9]) }], { logY: false });
  assert.doesNotMatch(elements(parseSvg(linear[0].svg), "text", "y-label")[0].textContent!, /log scale/);
});

Deno.test("metricCharts() charts custom metrics under their own names and ignores clocks", () => {
  const charts = metricCharts([{
    name: "run",
    records: [{ epoch: 1, f1: 0.5, durationMs: 3 }, { epoch: 2, f1: 0.6 }],
  }]);
  assert.deepEqual(charts.map((c) => c.file), ["f1.svg"]);
});

Deno.test("metricCharts() throws TypeError when a run is not { name, records }", () => {
  assert.throws(() => metricCharts([{ name: "a" } as never]), {
    name: "TypeError",
    message: "Cannot chart metrics as runs[0] must be { name, records }: current value is object",
  });
});

Deno.test("metricCharts() draws per-layer gradient norms in one chart and skips a constant learning rate", () => {
  const records = [
    { epoch: 1, loss: 0.5, learningRate: 0.1, "gradNorm.0": 1, "gradNorm.2": 0.01 },
    { epoch: 2, loss: 0.4, learningRate: 0.1, "gradNorm.0": 0.5, "gradNorm.2": 0.001 },
  ];
  const charts = metricCharts([{ name: "run", records }]);
  assert.deepEqual(charts.map((c) => c.file), ["loss.svg", "gradNorm.svg"]);
  const names = elements(parseSvg(charts[1].svg), "g", "series").map((g) => g.getAttribute("data-name"));
  assert.deepEqual(names, ["layer 0", "layer 2"]);
});

Deno.test('metricCharts() reads the loggers\' "NaN" strings as gaps', () => {
  const records = [{ epoch: 1, loss: 1 }, { epoch: 2, loss: 0.5 }, { epoch: 3, loss: "NaN" }, { epoch: 4, loss: 0.2 }, {
    epoch: 5,
    loss: 0.1,
  }];
  const d = elements(parseSvg(metricCharts([{ name: "run", records }])[0].svg), "path", "line")[0].getAttribute("d")!;
  assert.equal(d.split("M").filter(Boolean).length, 2);
});
