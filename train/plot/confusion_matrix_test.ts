import assert from "node:assert/strict";
import { confusionHeatmap, confusionTable } from "./confusion_matrix.ts";
import { elements, parseSvg } from "./_test_utils.ts";

Deno.test("confusionHeatmap() is well-formed SVG with one titled cell per pair, shaded by the row's share", () => {
  const svg = confusionHeatmap([[8, 2, 0], [1, 1, 0], [0, 0, 0]], { labels: ["a<b", "b", "c"], title: "run & test" });
  const root = parseSvg(svg);
  const cells = elements(root, "rect", "cell");
  assert.equal(cells.length, 9);
  assert.equal(
    cells[0].getAttribute("fill"),
    `rgb(${Math.round(255 * 0.2)},${Math.round(255 + (0x72 - 255) * 0.8)},${Math.round(255 + (0xb2 - 255) * 0.8)})`,
  );
  assert.equal(cells[8].getAttribute("fill"), "rgb(255,255,255)"); // an empty row stays white
  assert.match(svg, /true a&lt;b, predicted b: 2/);
  assert.match(svg, /<title>run &amp; test<\/title>/);
});

Deno.test("confusionTable() and confusionHeatmap() refuse a matrix that is not square counts", () => {
  assert.throws(() => confusionTable([[1, 2]]), /must be square, of counts ≥ 0: current rows have lengths 2/);
  assert.throws(() => confusionHeatmap([[1, -1], [0, 1]]), RangeError);
  assert.throws(() => confusionTable([[1]], ["a", "b"]), /labels must name the 1 classes/);
});
