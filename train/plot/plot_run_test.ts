import assert from "node:assert/strict";
import { parseMetrics, plotRun } from "./plot_run.ts";
import { elements, parseSvg } from "./_test_utils.ts";

const lines = (records: object[]) => records.map((r) => JSON.stringify(r)).join("\n") + "\n";

Deno.test("plotRun() writes well-formed loss and accuracy charts beside the metrics", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/metrics.jsonl`,
      lines([{ epoch: 1, loss: 0.7, accuracy: 0.5 }, { epoch: 2, loss: 0.3, accuracy: 0.8 }]),
    );
    const written = await plotRun(dir);
    assert.deepEqual(written, [`${dir}/loss.svg`, `${dir}/accuracy.svg`]);
    for (const path of written) {
      assert.equal(elements(parseSvg(await Deno.readTextFile(path)), "g", "series").length, 1);
    }
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["accuracy.svg", "loss.svg", "metrics.jsonl"], "no temporary files are left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("plotRun() compares several runs in charts written to out", async () => {
  const root = await Deno.makeTempDir();
  try {
    for (const name of ["sgd", "adam"]) {
      await Deno.mkdir(`${root}/${name}`);
      await Deno.writeTextFile(
        `${root}/${name}/metrics.jsonl`,
        lines([{ epoch: 1, loss: 0.7 }, { epoch: 2, loss: 0.4 }]),
      );
    }
    const written = await plotRun([`${root}/sgd`, `${root}/adam/`], { out: `${root}/compare` });
    assert.deepEqual(written, [`${root}/compare/loss.svg`]);
    const svg = parseSvg(await Deno.readTextFile(written[0]));
    assert.deepEqual(elements(svg, "g", "series").map((g) => g.getAttribute("data-name")), ["sgd", "adam"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("plotRun() names the missing metrics file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(plotRun(dir), {
      name: "NotFound",
      message: `Cannot plot the run as its metrics file is missing: current path is ${dir}/metrics.jsonl`,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseMetrics() names the line of a malformed record", () => {
  assert.throws(() => parseMetrics('{"epoch":1}\nnot json\n{"epoch":3}\n', "run/metrics.jsonl"), {
    name: "SyntaxError",
    message: 'Cannot read run/metrics.jsonl line 2 as it must be a JSON object: current value is "not json"',
  });
});

Deno.test("parseMetrics() skips only a last record cut off mid-write", () => {
  assert.deepEqual(parseMetrics('{"epoch":1}\n{"epoch":2,"lo'), [{ epoch: 1 }]);
  assert.throws(() => parseMetrics('{"epoch":1}\n{"epoch":2,"lo\n'), /line 2/);
});
