/** `gradflow evaluate` and `gradflow predict` end to end, on a run that `gradflow train` made. */

import assert from "node:assert/strict";
import { evaluate } from "../../train/evaluate.ts";
import { loadModel } from "../../train/model_io.ts";
import { predict } from "../../train/predict.ts";
import { twoSpirals } from "../../train/data/two_spirals.ts";
import { elements, parseSvg } from "../../train/plot/_test_utils.ts";
import { assertOneLineError, canRun, gradflowIn } from "../_test_utils.ts";

const TMP = await Deno.makeTempDir({ prefix: "gradflow-evaluate-cli-" });
globalThis.addEventListener("unload", () => Deno.removeSync(TMP, { recursive: true }));
const gradflow = (...args: string[]) => gradflowIn(TMP, args);

const RUN = `${TMP}/runs/spirals`;
const DATA = JSON.stringify({ name: "two-spirals", samples: 60, seed: 9 });
let trained: Promise<void> | undefined;

/** Trains the run once, for every test of this file. */
function train(): Promise<void> {
  return trained ??= (async () => {
    const r = await gradflow(
      "train",
      "examples/experiments/spirals.json",
      "--epochs",
      "8",
      "--quiet",
      "--out",
      RUN,
    );
    assert.equal(r.code, 0, r.stderr);
  })();
}

Deno.test({
  name: "gradflow evaluate gives the run's loss and metrics on new data, as text, JSON and CSV",
  ignore: !canRun,
  async fn() {
    await train();
    const json = await gradflow("evaluate", RUN, DATA, "--format", "json");
    assert.equal(json.code, 0, json.stderr);
    const scores = JSON.parse(json.stdout);
    // The same figures as the library's evaluate() on the same model and data.
    const expected = evaluate(await loadModel(RUN), twoSpirals({ samples: 60, seed: 9 }), {
      loss: "binary-cross-entropy",
      metrics: ["accuracy"],
    });
    assert.deepEqual(scores, expected);
    const csv = await gradflow("evaluate", RUN, DATA, "--format", "csv");
    assert.equal(csv.stdout, `samples,loss,accuracy\n60,${expected.loss},${expected.accuracy}\n`);
    const text = await gradflow("evaluate", RUN, DATA);
    assert.equal(
      text.stdout,
      `evaluated ${RUN} on 60 samples: loss ${expected.loss!.toPrecision(4)}, accuracy ${
        (100 * expected.accuracy!).toFixed(1)
      }%\n`,
    );
  },
});

Deno.test({
  name: "gradflow evaluate prints a confusion matrix and draws it as an SVG heatmap",
  ignore: !canRun,
  async fn() {
    await train();
    const heatmap = `${TMP}/cm.svg`;
    const r = await gradflow("evaluate", RUN, DATA, "--metrics", "f1,precision,recall,roc-auc", "--heatmap", heatmap);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^evaluated .* on 60 samples: loss \S+, f1 \S+, precision \S+, recall \S+, rocAuc \S+\n/);
    assert.match(
      r.stdout,
      /\nconfusion matrix:\ntrue \\ predicted +0 +1 +recall\n0 +\d+ +\d+ +[\d.]+%\n1 +\d+ +\d+ +[\d.]+%\n/,
    );
    assert.match(r.stdout, new RegExp(`\nwrote ${heatmap}\n$`));
    assert.equal(elements(parseSvg(await Deno.readTextFile(heatmap)), "rect", "cell").length, 4);
    const json = JSON.parse(
      (await gradflow("evaluate", RUN, DATA, "--metrics", "confusion-matrix", "--format", "json")).stdout,
    );
    assert.equal(json.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0), 60);
  },
});

Deno.test({
  name: "gradflow predict prints each sample's output and class, as CSV or JSON, from a CSV without targets",
  ignore: !canRun,
  async fn() {
    await train();
    const data = twoSpirals({ samples: 6, seed: 2 });
    const outputs = predict(await loadModel(RUN), data.x);
    const r = await gradflow("predict", RUN, JSON.stringify({ name: "two-spirals", samples: 6, seed: 2 }));
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines[0], "output,class");
    lines.slice(1).forEach((line, i) => {
      const [output, cls] = line.split(",").map(Number);
      assert.equal(output, outputs.data[i]);
      assert.equal(cls, outputs.data[i] > 0.5 ? 1 : 0);
    });
    // A CSV of the feature columns only.
    const csv = `${TMP}/points.csv`;
    await Deno.writeTextFile(
      csv,
      "x,y\n" + Array.from({ length: 6 }, (_, i) => `${data.x.data[2 * i]},${data.x.data[2 * i + 1]}`).join("\n"),
    );
    const out = `${TMP}/predictions.json`;
    const fromCsv = await gradflow("predict", RUN, csv, "--format", "json", "--out", out);
    assert.equal(fromCsv.code, 0, fromCsv.stderr);
    const rows = JSON.parse(await Deno.readTextFile(out));
    assert.deepEqual(rows.map((row: { output: number }) => row.output), Array.from(outputs.data));
  },
});

Deno.test({
  name: "gradflow evaluate and predict exit 2 naming a run without a model or data that is not data",
  ignore: !canRun,
  async fn() {
    await train();
    let r = await gradflow("evaluate", `${TMP}/runs/none`, DATA);
    assert.equal(r.code, 2);
    assertOneLineError(r.stderr, /Cannot open the run .*runs\/none as it holds no trained model/);
    r = await gradflow("evaluate", RUN, `${TMP}/nothing.csv`);
    assert.equal(r.code, 2);
    assertOneLineError(
      r.stderr,
      /Cannot read .*nothing\.csv as a CSV file as it does not exist \(the data must be a CSV file, a \.json data set/,
    );
    r = await gradflow("predict", RUN, '{"name":"xor","samples":3}');
    assert.equal(r.code, 0, r.stderr); // xor points are 2-D, like the spirals
    r = await gradflow("evaluate", RUN, '{"name":"two-spiral"}');
    assert.equal(r.code, 2);
    assertOneLineError(r.stderr, /as it must be a data set \{ "name", \.\.\.options \}/);
    r = await gradflow("evaluate", RUN, DATA, "--metrics", "acuracy");
    assert.equal(r.code, 2);
    assertOneLineError(r.stderr, /Cannot find metric "acuracy" \(did you mean 'accuracy'\?\)/);
  },
});
