import assert from "node:assert/strict";
import { lineChart } from "./line_chart.ts";
import { elements, parseSvg } from "./_test_utils.ts";

/** The numbers of a path's `d` attribute, as [x, y] pairs per `M` run. */
function runs(d: string): number[][][] {
  return d.split("M").filter(Boolean).map((run) => run.split("L").map((pair) => pair.trim().split(/\s+/).map(Number)));
}

Deno.test("lineChart() writes well-formed SVG with one series and one legend entry per run", () => {
  const root = parseSvg(lineChart([
    { name: "sgd", y: [0.7, 0.5, 0.4] },
    { name: "momentum", y: [0.7, 0.3, 0.2] },
    { name: "adam", y: [0.7, 0.2, 0.1] },
  ], { title: "Loss", xLabel: "epoch", yLabel: "loss" }));
  assert.equal(elements(root, "g", "series").length, 3);
  assert.deepEqual(elements(root, "g", "series").map((g) => g.getAttribute("data-name")), ["sgd", "momentum", "adam"]);
  assert.equal(elements(root, "g", "legend-item").length, 3);
  assert.equal(elements(root, "text", "title")[0].textContent, "Loss");
  assert.equal(elements(root, "text", "x-label")[0].textContent, "epoch");
  assert.equal(elements(root, "text", "y-label")[0].textContent, "loss");
  assert.equal(elements(root, "title")[0].textContent, "Loss");
});

Deno.test("lineChart() escapes names, titles and labels that contain XML syntax", () => {
  const name = `a < b & "c" 'd' >`;
  const root = parseSvg(lineChart([{ name, y: [1, 2] }], { title: name, xLabel: "<x>", yLabel: "&y" }));
  assert.equal(elements(root, "g", "series")[0].getAttribute("data-name"), name);
  assert.equal(elements(root, "text", "title")[0].textContent, name);
  assert.equal(elements(root, "text", "x-label")[0].textContent, "<x>");
});

Deno.test("lineChart() draws higher values higher and later epochs further right", () => {
  const root = parseSvg(lineChart([{ name: "", y: [1, 3, 2], x: [1, 2, 3] }]));
  const [points] = runs(elements(root, "path", "line")[0].getAttribute("d")!);
  assert.equal(points.length, 3);
  assert.ok(points[0][0] < points[1][0] && points[1][0] < points[2][0]);
  assert.ok(points[1][1] < points[2][1] && points[2][1] < points[0][1]);
  assert.equal(elements(root, "g", "legend").length, 0, "a single unnamed series needs no legend");
});

Deno.test("lineChart() leaves a gap at NaN and infinite values instead of failing", () => {
  const root = parseSvg(lineChart([{ name: "loss", y: [1, 0.5, NaN, 0.3, Infinity, 0.2, 0.1] }]));
  const d = elements(root, "path", "line")[0].getAttribute("d")!;
  assert.deepEqual(runs(d).map((r) => r.length), [2, 1, 2]);
  assert.ok(!/NaN|Infinity/.test(d));
});

Deno.test("lineChart() on a log axis marks decades and skips values that are not positive", () => {
  const root = parseSvg(lineChart([{ name: "loss", y: [10, 1, 0, 0.01, 0.001] }], { logY: true }));
  const labels = elements(root, "g", "ticks")[0].getElementsByTagName("text");
  const text = Array.from(labels).map((t) => t.textContent);
  for (const decade of ["0.001", "0.01", "0.1", "1", "10"]) assert.ok(text.includes(decade), `${decade} in ${text}`);
  const d = elements(root, "path", "line")[0].getAttribute("d")!;
  assert.deepEqual(runs(d).map((r) => r.length), [2, 2]);
  // Equal ratios are equal distances on a log axis.
  const ys = runs(d).flat().map((p) => p[1]);
  assert.ok(Math.abs((ys[1] - ys[0]) - (ys[3] - ys[2])) < 0.05);
});

Deno.test("lineChart() shows only whole-number ticks when x values are whole numbers", () => {
  const root = parseSvg(lineChart([{ name: "acc", x: [1, 2, 3], y: [0.5, 0.7, 0.8] }]));
  const frame = elements(root, "rect", "frame")[0];
  const bottom = Number(frame.getAttribute("y")) + Number(frame.getAttribute("height"));
  const xLabels = Array.from(elements(root, "g", "ticks")[0].getElementsByTagName("text"))
    .filter((t) => Number(t.getAttribute("y")) > bottom)
    .map((t) => t.textContent);
  assert.deepEqual(xLabels, ["1", "2", "3"]);
});

Deno.test("lineChart() keeps a 100 000-point series small and still reaches its extremes", () => {
  const y = Array.from({ length: 100_000 }, (_, i) => Math.exp(-i / 20_000) + (i === 61_234 ? 5 : 0));
  const svg = lineChart([{ name: "loss per step", y }]);
  assert.ok(svg.length < 120_000, `size ${svg.length}`);
  const root = parseSvg(svg);
  const points = runs(elements(root, "path", "line")[0].getAttribute("d")!)[0];
  assert.ok(points.length < 4 * 720 && points.length > 500, `${points.length} points`);
  const frame = elements(root, "rect", "frame")[0];
  const top = Number(frame.getAttribute("y")), height = Number(frame.getAttribute("height"));
  // Values ≤ 1 fill the bottom sixth of the [0, 6] axis; only the spike (5.05) reaches the top sixth.
  assert.equal(points.filter((p) => p[1] < top + height / 4).length, 1, "the spike at step 61 234 is drawn");
});

Deno.test("lineChart() with no usable data draws the axes and says so", () => {
  const root = parseSvg(lineChart([{ name: "loss", y: [NaN, NaN] }]));
  assert.equal(elements(root, "text", "no-data").length, 1);
  assert.equal(elements(root, "g", "series").length, 1);
});

Deno.test("lineChart() draws markers on short series only unless told otherwise", () => {
  const short = parseSvg(lineChart([{ name: "a", y: [1, 2, 3] }]));
  assert.equal(short.getElementsByTagName("circle").length, 3);
  const long = parseSvg(lineChart([{ name: "a", y: Array.from({ length: 100 }, (_, i) => i) }]));
  assert.equal(long.getElementsByTagName("circle").length, 0);
  const none = parseSvg(lineChart([{ name: "a", y: [1, 2, 3] }], { markers: false }));
  assert.equal(none.getElementsByTagName("circle").length, 0);
});

Deno.test("lineChart() uses a given y range and clips points outside it to the plot area", () => {
  const root = parseSvg(lineChart([{ name: "a", y: [0, 10, 100] }], { yRange: [0, 20] }));
  const frame = elements(root, "rect", "frame")[0];
  const top = Number(frame.getAttribute("y")), height = Number(frame.getAttribute("height"));
  const [points] = runs(elements(root, "path", "line")[0].getAttribute("d")!);
  assert.ok(Math.abs(points[0][1] - (top + height)) < 0.01 && Math.abs(points[1][1] - (top + height / 2)) < 0.01);
  assert.ok(points[2][1] < top, "100 lies above the top of a [0, 20] axis");
  const series = elements(root, "g", "series")[0].parentNode as unknown as { getAttribute(n: string): string };
  assert.equal(series.getAttribute("clip-path"), "url(#gf-plot-area)");
});

Deno.test("lineChart() throws RangeError when x and y have different lengths", () => {
  assert.throws(() => lineChart([{ name: "a", y: [1, 2, 3], x: [1, 2] }]), {
    name: "RangeError",
    message: "Cannot draw a line chart as series[0].x must have one value per y value: current lengths are x 2 and y 3",
  });
});

Deno.test("lineChart() throws TypeError for a series without a name or with non-numbers", () => {
  assert.throws(() => lineChart([{ y: [1] } as never]), { name: "TypeError", message: /series\[0\]\.name/ });
  assert.throws(() => lineChart([{ name: "a", y: ["1"] } as never]), {
    name: "TypeError",
    message: /array of numbers/,
  });
});

Deno.test("lineChart() throws RangeError for a non-positive y range on a log axis and for a tiny width", () => {
  assert.throws(() => lineChart([], { logY: true, yRange: [0, 1] }), { name: "RangeError", message: /positive/ });
  assert.throws(() => lineChart([], { width: 10 }), { name: "RangeError", message: /width must be a number ≥ 200/ });
});
