import assert from "node:assert/strict";
import { contourPlot } from "./contour_plot.ts";
import { elements, parseSvg, type SvgRoot } from "./_test_utils.ts";

const rosenbrock = (x: number, y: number) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;

/** Maps the pixel points of a path back to data coordinates through the plot frame. */
function dataPoints(root: SvgRoot, d: string, x: [number, number], y: [number, number]): number[][][] {
  const frame = elements(root, "rect", "frame")[0];
  const [left, top, w, h] = ["x", "y", "width", "height"].map((a) => Number(frame.getAttribute(a)));
  return d.split("M").filter(Boolean).map((run) =>
    run.split("L").map((pair) => {
      const [px, py] = pair.trim().split(/\s+/).map(Number);
      return [x[0] + (px - left) / w * (x[1] - x[0]), y[0] + (top + h - py) / h * (y[1] - y[0])];
    })
  );
}

Deno.test("contourPlot() writes well-formed SVG with one contour per level and one group per path", () => {
  const svg = contourPlot(rosenbrock, {
    x: [-2, 2],
    y: [-1, 3],
    levels: 10,
    levelScale: "log",
    optimum: [1, 1],
    title: "Rosenbrock",
    paths: [
      { name: "sgd", points: [[-1.5, 2], [-1, 1], [0, 0.5]] },
      { name: "adam", points: [[-1.5, 2], [0, 0], [1, 1]] },
    ],
  });
  const root = parseSvg(svg);
  assert.equal(elements(root, "path", "contour").length, 10);
  assert.deepEqual(elements(root, "g", "path").map((g) => g.getAttribute("data-name")), ["sgd", "adam"]);
  assert.equal(elements(root, "g", "legend-item").length, 3, "two paths and the optimum");
  assert.equal(elements(root, "g", "optimum").length, 1);
  assert.equal(elements(root, "circle", "start").length, 2);
  assert.equal(elements(root, "circle", "end").length, 2);
});

Deno.test("contourPlot() traces the level set of a bowl as one closed curve at the right radius", () => {
  const range: [number, number] = [-2, 2];
  const root = parseSvg(contourPlot((x, y) => x * x + y * y, { x: range, y: range, levels: [1], resolution: 60 }));
  const d = elements(root, "path", "contour")[0].getAttribute("d")!;
  const lines = dataPoints(root, d, range, range);
  assert.equal(lines.length, 1, "one polyline");
  const line = lines[0];
  assert.ok(line.length > 40);
  for (const [x, y] of line) assert.ok(Math.abs(Math.hypot(x, y) - 1) < 0.02, `(${x}, ${y}) is on the unit circle`);
  const first = line[0], last = line[line.length - 1];
  assert.ok(Math.hypot(first[0] - last[0], first[1] - last[1]) < 1e-9, "the curve closes");
});

Deno.test("contourPlot() spreads log levels geometrically above the minimum", () => {
  const root = parseSvg(contourPlot(rosenbrock, { x: [-2, 2], y: [-1, 3], levels: 5, levelScale: "log" }));
  const levels = elements(root, "path", "contour").map((p) => Number(p.getAttribute("data-level")));
  const ratios = levels.slice(1).map((v, i) => v / levels[i]);
  for (const r of ratios) assert.ok(Math.abs(r - ratios[0]) < 1e-6 * ratios[0], `ratios ${ratios}`);
  assert.ok(ratios[0] > 5);
});

Deno.test("contourPlot() stops a path at its first non-finite point", () => {
  const root = parseSvg(contourPlot(rosenbrock, {
    x: [-2, 2],
    y: [-1, 3],
    paths: [{ name: "diverged", points: [[0, 0], [0.5, 0.5], [NaN, 1], [1, 1]] }],
  }));
  const group = elements(root, "g", "path")[0];
  const d = group.getElementsByTagName("path")[0].getAttribute("d")!;
  assert.equal(d.split("L").length, 2);
  assert.ok(!/NaN/.test(d));
});

Deno.test("contourPlot() leaves holes where f is not finite", () => {
  const f = (x: number, y: number) => (x > 0 ? NaN : x * x + y * y);
  const root = parseSvg(contourPlot(f, { x: [-2, 2], y: [-2, 2], levels: [1] }));
  const d = elements(root, "path", "contour")[0].getAttribute("d")!;
  for (const [x] of dataPoints(root, d, [-2, 2], [-2, 2]).flat()) assert.ok(x <= 0.04);
});

Deno.test("contourPlot() throws TypeError without ranges and RangeError for a bad range or resolution", () => {
  assert.throws(() => contourPlot(rosenbrock, { y: [0, 1] } as never), {
    name: "TypeError",
    message: "Cannot draw a contour plot as options.x must be a range [lo, hi]: current value is undefined",
  });
  assert.throws(() => contourPlot(rosenbrock, { x: [1, 0], y: [0, 1] }), { name: "RangeError", message: /lo < hi/ });
  assert.throws(() => contourPlot(rosenbrock, { x: [0, 1], y: [0, 1], resolution: 2.5 }), {
    name: "RangeError",
    message: /resolution must be an integer/,
  });
  assert.throws(() => contourPlot(rosenbrock, { x: [0, 1], y: [0, 1], paths: [{ name: "a" } as never] }), {
    name: "TypeError",
    message: /paths\[0\]/,
  });
});
