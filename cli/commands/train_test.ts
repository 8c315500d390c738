/**
 * `gradflow train` end to end: what a newcomer met in their first hour
 * (issue 14) — `--plugin` recorded in the run, resuming, data paths, exit
 * codes and messages, the model summary, chains and reduce-on-plateau in an
 * experiment file.
 */

import assert from "node:assert/strict";
import { assertOneLineError, canRun, gradflowIn, ROOT, TINY } from "../_test_utils.ts";

const TMP = await Deno.makeTempDir({ prefix: "gradflow-train-cli-" });
globalThis.addEventListener("unload", () => Deno.removeSync(TMP, { recursive: true }));
const gradflow = (...args: string[]) => gradflowIn(TMP, args);

async function experiment(name: string, json: unknown, dir = TMP): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/${name}.json`;
  await Deno.writeTextFile(path, JSON.stringify(json));
  return path;
}

Deno.test({
  name: "gradflow train records --plugin in experiment.json, so the run's experiment.json trains again",
  ignore: !canRun,
  async fn() {
    const out = `${TMP}/runs/lion`;
    const first = await gradflow(
      "train",
      await experiment("lion", TINY),
      "--plugin",
      "examples/plugins/lion.ts",
      "--optimizer",
      "lion",
      "--quiet",
      "--out",
      out,
    );
    assert.equal(first.code, 0, first.stderr);
    const ran = JSON.parse(await Deno.readTextFile(`${out}/experiment.json`));
    assert.deepEqual(ran.plugins, [{ url: new URL("examples/plugins/lion.ts", `file://${ROOT}/`).href }]);
    // Run it again, from another folder: the plugin is found, and so is the optimizer it provides.
    const again = await gradflowIn(TMP, ["train", `${out}/experiment.json`, "--quiet", "--out", `${TMP}/runs/lion-2`], {
      cwd: TMP,
    });
    assert.equal(again.code, 0, again.stderr);
    // The same plugin named again on the command line is loaded once.
    const twice = await gradflow("train", `${out}/experiment.json`, "--plugin", "examples/plugins/lion.ts", "--quiet");
    assert.equal(twice.code, 0, twice.stderr);
  },
});

Deno.test({
  name: "gradflow train --resume exits 2 without a checkpoint, and when --epochs is not past the checkpoint's",
  ignore: !canRun,
  async fn() {
    const path = await experiment("finished", { ...TINY, epochs: 6 });
    const out = `${TMP}/runs/finished`;
    let r = await gradflow("train", path, "--resume", "--quiet", "--out", out);
    assert.equal(r.code, 2);
    assertOneLineError(
      r.stderr,
      /Cannot resume the run in .*finished as it has no checkpoint: .*checkpoint\.json does not exist/,
    );
    assert.equal((await gradflow("train", path, "--quiet", "--out", out)).code, 0);
    r = await gradflow("train", path, "--resume", "--epochs", "3", "--quiet", "--out", out);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assertOneLineError(
      r.stderr,
      /its checkpoint is at epoch 6 and --epochs 3 is the total to reach: ask for more, e.g\. --epochs 12/,
    );
    r = await gradflow("train", path, "--resume", "--quiet", "--out", out);
    assert.equal(r.code, 2);
    assertOneLineError(r.stderr, /at epoch 6 and the experiment's epochs \(6\) is the total to reach/);
    r = await gradflow("train", path, "--resume", "--epochs", "8", "--quiet", "--out", out);
    assert.equal(r.code, 0, r.stderr);
  },
});

Deno.test({
  name: "gradflow train reads a relative data path from the experiment's folder, and names a missing file",
  ignore: !canRun,
  async fn() {
    const dir = `${TMP}/project/experiments`;
    await Deno.mkdir(`${dir}/data`, { recursive: true });
    await Deno.writeTextFile(`${dir}/data/xor.csv`, "a,b,label\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
    const json = { ...TINY, data: { name: "csv", path: "data/xor.csv", target: "label" } };
    const path = await experiment("csv", json, dir);
    // Run from the repository root: the path is not relative to the working directory.
    const r = await gradflow("train", path, "--quiet", "--out", `${TMP}/runs/csv`);
    assert.equal(r.code, 0, r.stderr);
    const ran = JSON.parse(await Deno.readTextFile(`${TMP}/runs/csv/experiment.json`));
    assert.equal(ran.data.path, `${dir}/data/xor.csv`);
    const missing = await gradflow(
      "train",
      await experiment("missing", { ...json, data: { name: "csv", path: "data/none.csv" } }, dir),
      "--quiet",
    );
    assert.equal(missing.code, 2);
    assertOneLineError(
      missing.stderr,
      new RegExp(`^error: Cannot read ${dir}/data/none\\.csv as a CSV file as it does not exist$`),
    );
  },
});

Deno.test({
  name: "gradflow train blames a bad --set on the flag, and says how to allow --backend blas",
  ignore: !canRun,
  async fn() {
    const path = await experiment("flags", TINY);
    let r = await gradflow("train", path, "--set", "batchSize=0", "--quiet");
    assert.equal(r.code, 2);
    assertOneLineError(
      r.stderr,
      /^error: Cannot use --set batchSize=0 as "batchSize" must be an integer ≥ 1: current value is 0$/,
    );
    r = await gradflow("train", path, "--set", "optimiser.learningRate=0.1", "--quiet");
    assert.equal(r.code, 2);
    assertOneLineError(
      r.stderr,
      /^error: Cannot use --set optimiser\.learningRate=0\.1 as it has an unknown key "optimiser" \(did you mean "optimizer"\?\)/,
    );
    // The file itself is still blamed for its own mistakes.
    r = await gradflow("train", await experiment("bad-file", { ...TINY, batchSize: 0 }), "--quiet");
    assertOneLineError(r.stderr, /^error: Cannot read .*bad-file\.json as "batchSize" must be/);
    r = await gradflow("train", path, "--backend", "blas", "--quiet", "--out", `${TMP}/runs/blas`);
    assert.equal(r.code, 2);
    assertOneLineError(
      r.stderr,
      /needs the --allow-ffi permission \(add --allow-ffi to the deno command that runs the program: deno run --allow-ffi …\)/,
    );
  },
});

Deno.test({
  name: "gradflow train prints the model's summary first, and gradflow summary prints the same table",
  ignore: !canRun,
  async fn() {
    const path = await experiment("summary", TINY);
    const trained = await gradflow("train", path, "--out", `${TMP}/runs/summary`);
    assert.equal(trained.code, 0, trained.stderr);
    const table = [
      'Model: "tiny"  (input: (None, 2))',
      "─────────────────────────────────────",
      "Layer (type)   Output Shape   Param #",
      "═════════════════════════════════════",
      "0 (dense)      (None, 4)           12",
      "1 (tanh)       (None, 4)            0",
      "2 (dense)      (None, 1)            5",
      "3 (sigmoid)    (None, 1)            0",
      "─────────────────────────────────────",
      "Total params: 17 (136 B)",
      "Trainable params: 17",
      "Non-trainable params: 0",
    ].join("\n");
    assert.ok(trained.stdout.startsWith(`${table}\n`), trained.stdout);
    const summary = await gradflow("summary", path);
    assert.equal(summary.code, 0, summary.stderr);
    assert.equal(summary.stdout, `${table}\n`);
    const quiet = await gradflow("train", path, "--quiet", "--out", `${TMP}/runs/summary-quiet`);
    assert.doesNotMatch(quiet.stdout, /Model:/);
    const bad = await gradflow(
      "summary",
      await experiment("bad-layer", { ...TINY, model: [{ name: "dnse", units: 2 }] }),
    );
    assert.equal(bad.code, 2);
    assertOneLineError(bad.stderr, /Cannot find layer "dnse" \(did you mean 'dense'\?\)/);
  },
});

Deno.test({
  name: "gradflow train takes a chain of clip-by-global-norm and adam, and list shows their options",
  ignore: !canRun,
  async fn() {
    const path = await experiment("chain", {
      ...TINY,
      optimizer: { name: "chain", transforms: [{ name: "clip-by-global-norm", maxNorm: 1 }, { name: "adam" }] },
    });
    const r = await gradflow("train", path, "--quiet", "--out", `${TMP}/runs/chain`);
    assert.equal(r.code, 0, r.stderr);
    const bad = await gradflow(
      "train",
      await experiment("bad-chain", {
        ...TINY,
        optimizer: { name: "chain", transforms: [{ name: "clip-by-global-norm", maxNorm: -1 }] },
      }),
      "--quiet",
    );
    assert.equal(bad.code, 2);
    assertOneLineError(bad.stderr, /Cannot create optimizer "clip-by-global-norm" as maxNorm must be/);
    const list = await gradflow("list", "optimizer");
    assert.match(list.stdout, /\n {2}chain +Applies .*\n +required: transforms \(the optimizers to apply in order/);
    assert.match(list.stdout, /\n {2}clip-by-global-norm +.*\n +options: maxNorm=1\n/);
  },
});

Deno.test({
  name: "gradflow train takes reduce-on-plateau as the scheduler and records each epoch's rate",
  ignore: !canRun,
  async fn() {
    const path = await experiment("plateau", {
      ...TINY,
      optimizer: { name: "sgd", learningRate: 0.4 },
      scheduler: { name: "reduce-on-plateau", monitor: "loss", patience: 0, threshold: 0.9, factor: 0.5 },
      epochs: 4,
    });
    const out = `${TMP}/runs/plateau`;
    const r = await gradflow("train", path, "--quiet", "--out", out);
    assert.equal(r.code, 0, r.stderr);
    const rates = (await Deno.readTextFile(`${out}/metrics.jsonl`)).trim().split("\n").map((l) =>
      JSON.parse(l).learningRate
    );
    assert.deepEqual(rates, [0.4, 0.4, 0.2, 0.1]); // epoch 1 sets the best; each later one is a plateau
  },
});
