/** `gradflow compare` end to end: summary.csv agrees with the table, and earlier results are not mixed in. */

import assert from "node:assert/strict";
import { assertOneLineError, canRun, gradflowIn, TINY } from "../_test_utils.ts";

const TMP = await Deno.makeTempDir({ prefix: "gradflow-compare-cli-" });
globalThis.addEventListener("unload", () => Deno.removeSync(TMP, { recursive: true }));
const gradflow = (...args: string[]) => gradflowIn(TMP, args);

/** Parses a CSV without quoted commas inside numbers (the labels here have none). */
function csvRows(text: string): string[][] {
  return text.trim().split("\n").map((line) =>
    line.match(/("[^"]*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, "").replace(/^"|"$/g, "")).slice(0, -1)
  );
}

Deno.test({
  name: "gradflow compare writes summary.csv with numbers as numbers and the table's status",
  ignore: !canRun,
  async fn() {
    const path = `${TMP}/compare.json`;
    await Deno.writeTextFile(
      path,
      JSON.stringify({
        ...TINY,
        epochs: 30,
        validation: 0.5,
        earlyStopping: { monitor: "loss", patience: 1, minDelta: 1 },
      }),
    );
    const out = `${TMP}/runs/cmp`;
    const r = await gradflow("compare", path, "--optimizers", "sgd:learningRate=0.5,adam", "--quiet", "--out", out);
    assert.equal(r.code, 0, r.stderr);
    const table = r.stdout.split("\n").filter((l) => /^(sgd|adam)/.test(l));
    const rows = csvRows(await Deno.readTextFile(`${out}/summary.csv`));
    assert.deepEqual(rows[0], [
      "optimizer",
      "epochs",
      "loss",
      "valLoss",
      "accuracy",
      "valAccuracy",
      "seconds",
      "status",
    ]);
    for (const [i, row] of rows.slice(1).entries()) {
      for (const cell of row.slice(1, 7)) {
        assert.ok(Number.isFinite(Number(cell)) && cell !== "", `"${cell}" is a number`);
      }
      assert.ok(Number(row[4]) >= 0 && Number(row[4]) <= 1, "accuracy is a share, not a percentage");
      // The status is the table's: "stopped: early-stopping (best epoch 1)", not "ok".
      assert.match(row[7], /^stopped: early-stopping \(best epoch \d+\)$/);
      assert.ok(table[i].endsWith(row[7]), `${table[i]} vs ${row[7]}`);
      assert.ok(table[i].includes(`${(100 * Number(row[4])).toFixed(1)}%`));
    }
  },
});

Deno.test({
  name: "gradflow compare refuses a folder holding an earlier comparison, and --overwrite replaces it",
  ignore: !canRun,
  async fn() {
    const path = `${TMP}/again.json`;
    await Deno.writeTextFile(path, JSON.stringify({ ...TINY, epochs: 1 }));
    const out = `${TMP}/runs/again`;
    assert.equal(
      (await gradflow("compare", path, "--optimizers", "sgd,momentum,adam", "--quiet", "--out", out)).code,
      0,
    );
    await Deno.writeTextFile(`${out}/notes.txt`, "mine");
    const refused = await gradflow("compare", path, "--optimizers", "sgd,adam", "--quiet", "--out", out);
    assert.equal(refused.code, 2);
    assertOneLineError(
      refused.stderr,
      /Cannot compare into .*again as it holds an earlier comparison \(adam\/, momentum\/, sgd\/, accuracy\.svg, loss\.svg, summary\.csv\): pass --overwrite/,
    );
    const replaced = await gradflow(
      "compare",
      path,
      "--optimizers",
      "sgd,adam",
      "--quiet",
      "--out",
      out,
      "--overwrite",
    );
    assert.equal(replaced.code, 0, replaced.stderr);
    const left = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assert.deepEqual(left, ["accuracy.svg", "adam", "loss.svg", "notes.txt", "sgd", "summary.csv"]);
    assert.equal(csvRows(await Deno.readTextFile(`${out}/summary.csv`)).length, 3);
  },
});
