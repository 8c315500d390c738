import assert from "node:assert/strict";
import { sparkline, terminalChart } from "./terminal_chart.ts";

Deno.test("sparkline() maps the lowest value to ▁ and the highest to █", () => {
  assert.equal(sparkline([0, 7]), "▁█");
  assert.equal(sparkline([3, 3, 3]), "▄▄▄");
  assert.equal(sparkline([]), "");
});

Deno.test("sparkline() averages long sequences down to the width", () => {
  const line = sparkline(Array.from({ length: 1000 }, (_, i) => i), { width: 8 });
  assert.equal(line, "▁▂▃▄▅▆▇█");
});

Deno.test("sparkline() throws RangeError when the width is not a positive integer", () => {
  assert.throws(() => sparkline([1], { width: 0 }), {
    name: "RangeError",
    message: "Cannot draw a sparkline as width must be an integer ≥ 1: current value is 0",
  });
});

Deno.test("terminalChart() has the requested size in characters and uses braille dots", () => {
  const chart = terminalChart([{ name: "loss", y: [1, 0.5, 0.25, 0.125] }], { width: 30, height: 5, title: "loss" });
  const lines = chart.split("\n");
  assert.equal(lines[0], "loss");
  assert.equal(lines.length, 1 + 5 + 2);
  const axis = lines[6];
  assert.equal([...axis.trimStart()].length, 31, "the x axis spans the width");
  assert.ok(lines.slice(1, 6).every((l) => [...l.replace(/^.*?[┤│]/, "")].length <= 30));
  assert.ok(/^[\u2800-\u28ff ]*$/.test(lines.slice(1, 6).map((l) => l.replace(/^.*?[┤│]/, "")).join("")));
});

Deno.test("terminalChart() puts the first point of a falling curve top left and the last bottom right", () => {
  const lines = terminalChart([{ name: "loss", y: [4, 3, 2, 1] }], { width: 10, height: 3 }).split("\n");
  const body = lines.slice(0, 3).map((l) => [...l.replace(/^.*?[┤│]/, "").padEnd(10)]);
  assert.notEqual(body[0][0], " ");
  assert.notEqual(body[2][9], " ");
  assert.equal(body[2][0], " ");
  assert.ok(lines[0].trimStart().startsWith("4 ┤") && lines[2].trimStart().startsWith("1 ┤"));
});

Deno.test("terminalChart() colours series only when asked and lists them in a legend", () => {
  const series = [{ name: "sgd", y: [1, 2] }, { name: "adam", y: [2, 1] }];
  const plain = terminalChart(series, { width: 10, height: 3 });
  assert.ok(!plain.includes("\x1b["));
  assert.ok(plain.endsWith("sgd, adam"));
  const coloured = terminalChart(series, { width: 10, height: 3, color: true });
  assert.ok(coloured.includes("\x1b[34m") && coloured.includes("\x1b[31m"));
});

Deno.test("terminalChart() says when there is nothing to draw", () => {
  assert.equal(terminalChart([{ name: "loss", y: [NaN] }]), "(no data)");
});
