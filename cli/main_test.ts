/**
 * The CLI end to end, in a subprocess with the permissions a user would
 * grant: exit codes, standard output, and one-line errors on standard error.
 * Needs `--allow-run` (for `Deno.execPath()`) besides read and write; without
 * it they are ignored with the reason printed, except under CI (`CI=true`),
 * where they run (and fail).
 */

import assert from "node:assert/strict";
import { elements, parseSvg } from "../train/plot/_test_utils.ts";
import { parseExperiment } from "./experiment.ts";
import { skipUnlessAvailable } from "../tests/_skip.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const canRun = Deno.permissions.querySync({ name: "run", command: Deno.execPath() }).state === "granted";
/** Outside CI, the CLI tests are ignored (with the reason printed) without --allow-run; in CI they run. */
const skipCli = skipUnlessAvailable("cli/main_test.ts", canRun ? null : "the CLI tests need --allow-run");
const TMP = await Deno.makeTempDir({ prefix: "gradflow-cli-" });
globalThis.addEventListener("unload", () => Deno.removeSync(TMP, { recursive: true }));

/** Runs `deno run <perms> cli/main.ts …args` from the repository root. */
async function gradflow(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const permissions = [`--allow-read=${ROOT},${TMP}`, `--allow-write=${TMP}`];
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...permissions, "cli/main.ts", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

/** Checks that standard error is exactly one `error: …` line matching `pattern`, with no stack trace. */
function assertOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line, got:\n${stderr}`);
  assert.match(lines[0], /^error: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(stderr, /\n\s+at /);
}

const TINY = {
  name: "tiny",
  data: { name: "xor" },
  model: [{ name: "dense", units: 4 }, { name: "tanh" }, { name: "dense", units: 1 }, { name: "sigmoid" }],
  loss: "mse",
  optimizer: { name: "sgd", learningRate: 0.5 },
  epochs: 3,
  batching: "full",
  metrics: ["accuracy"],
};

async function experiment(name: string, json: unknown): Promise<string> {
  const path = `${TMP}/${name}.json`;
  await Deno.writeTextFile(path, JSON.stringify(json));
  return path;
}

// A third-party loss whose value is the MSE but whose gradient is half of it: gradcheck must catch it.
const WRONG_LOSS = `
import { mean, mul, stopGradient, sub } from "${new URL("../core/ops/mod.ts", import.meta.url).href}";
export default {
  apiVersion: 1,
  kind: "loss",
  name: "half-gradient-mse",
  description: "MSE with a gradient half as large as it should be.",
  defaults: {},
  create: () => (p, t) => mean(mul(sub(p, t), stopGradient(sub(p, t)))),
};
`;

Deno.test({
  name: "gradflow train trains a small experiment and writes metrics and well-formed charts",
  ignore: skipCli,
  async fn() {
    const out = `${TMP}/runs/tiny`;
    const { code, stdout, stderr } = await gradflow("train", await experiment("tiny", TINY), "--out", out);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /epoch 3, step 3: loss [0-9.]+, accuracy [0-9.]+%/);
    assert.match(stdout, new RegExp(`wrote ${out}/: metrics.jsonl, metrics.csv, loss.svg, accuracy.svg`));
    const lines = (await Deno.readTextFile(`${out}/metrics.jsonl`)).trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.epoch), [1, 2, 3]);
    for (const chart of ["loss.svg", "accuracy.svg"]) {
      const root = parseSvg(await Deno.readTextFile(`${out}/${chart}`));
      assert.equal(elements(root, "g", "series").length, 1);
    }
    const ran = JSON.parse(await Deno.readTextFile(`${out}/experiment.json`));
    assert.equal(ran.epochs, 3);
    assert.deepEqual(parseExperiment(ran, "experiment.json").model, parseExperiment(TINY, "tiny.json").model);
  },
});

Deno.test({
  name: "gradflow train applies flag overrides over the file",
  ignore: skipCli,
  async fn() {
    const out = `${TMP}/runs/override`;
    const { code, stderr } = await gradflow(
      "train",
      await experiment("override", TINY),
      "--optimizer",
      "adam",
      "--learning-rate",
      "0.05",
      "--epochs",
      "2",
      "--set",
      "data.samples=40",
      "--quiet",
      "--out",
      out,
    );
    assert.equal(code, 0, stderr);
    const ran = JSON.parse(await Deno.readTextFile(`${out}/experiment.json`));
    assert.deepEqual(ran.optimizer, { name: "adam", learningRate: 0.05 });
    assert.equal(ran.epochs, 2);
    assert.equal(ran.data.samples, 40);
  },
});

Deno.test({
  name: "gradflow train exits 2 naming an unknown key and the nearest known one",
  ignore: skipCli,
  async fn() {
    const { optimizer, ...rest } = TINY;
    const path = await experiment("typo", { ...rest, optimiser: optimizer });
    const { code, stdout, stderr } = await gradflow("train", path);
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assertOneLineError(
      stderr,
      /Cannot read .*typo\.json as it has an unknown key "optimiser" \(did you mean "optimizer"\?\)/,
    );
  },
});

Deno.test({
  name: "gradflow train exits 2 naming a bad value, in the file or in a plugin's options",
  ignore: skipCli,
  async fn() {
    let r = await gradflow("train", await experiment("zero-epochs", { ...TINY, epochs: 0 }));
    assert.equal(r.code, 2);
    assertOneLineError(r.stderr, /"epochs" must be an integer ≥ 1: current value is 0$/);
    r = await gradflow(
      "train",
      await experiment("bad-momentum", { ...TINY, optimizer: { name: "sgd", momentum: -1 } }),
    );
    assert.equal(r.code, 2);
    assertOneLineError(r.stderr, /Cannot create optimizer "sgd" as momentum must be .*: current value is -1$/);
    r = await gradflow("train", await experiment("many-epochs", TINY), "--epochs", "many");
    assert.equal(r.code, 2);
    assertOneLineError(r.stderr, /Cannot use --epochs as it must be an integer ≥ 1: current value is "many"/);
  },
});

Deno.test({
  name: "gradflow train exits 2 for an unknown optimizer and suggests the nearest name",
  ignore: skipCli,
  async fn() {
    const { code, stdout, stderr } = await gradflow("train", await experiment("adma", TINY), "--optimizer", "adma");
    assert.equal(code, 2);
    assert.equal(stdout, "");
    assertOneLineError(stderr, /Cannot find optimizer "adma" \(did you mean 'adam'\?\)/);
  },
});

Deno.test({
  name: "gradflow exits 2 for an unknown command or flag, suggesting the nearest",
  ignore: skipCli,
  async fn() {
    let r = await gradflow("trian");
    assert.equal(r.code, 2);
    assertOneLineError(r.stderr, /"trian" as it is not a command \(did you mean "train"\?\)/);
    r = await gradflow("train", "x.json", "--learnig-rate", "1");
    assert.equal(r.code, 2);
    assertOneLineError(r.stderr, /--learnig-rate is not one of its flags \(did you mean --learning-rate\?\)/);
  },
});

Deno.test({
  name: "gradflow --help and every command's --help print usage and exit 0",
  ignore: skipCli,
  async fn() {
    const top = await gradflow("--help");
    assert.equal(top.code, 0);
    assert.match(top.stdout, /^gradflow .*\n\nUsage: gradflow <command>/);
    const expected: Record<string, RegExp> = {
      train: /--learning-rate/,
      compare: /--optimizers/,
      list: /Usage: gradflow list \[kind\]/,
      gradcheck: /Usage: gradflow gradcheck <kind> <name>/,
      plot: /Usage: gradflow plot <run dir>/,
    };
    const results = await Promise.all(Object.keys(expected).map((command) => gradflow(command, "--help")));
    for (const [i, [command, pattern]] of Object.entries(expected).entries()) {
      const r = results[i];
      assert.equal(r.code, 0, `${command} --help`);
      assert.match(r.stdout, pattern);
      assert.equal(r.stderr, "");
    }
  },
});

Deno.test({
  name: "gradflow list shows every kind's plugins with their option defaults, and one kind on request",
  ignore: skipCli,
  async fn() {
    const [all, optimizers, loss, bad] = await Promise.all([
      gradflow("list"),
      gradflow("list", "optimizers"),
      gradflow("list", "loss", "--json"),
      gradflow("list", "optimisers"),
    ]);
    assert.equal(all.code, 0);
    for (const heading of ["layers:", "losses:", "optimizers:", "regularizers:", "schedulers:", "initializers:"]) {
      assert.ok(all.stdout.includes(`\n${heading}\n`) || all.stdout.startsWith(`${heading}\n`), heading);
    }
    assert.match(all.stdout, /\n {2}sgd +.*\n +options: learningRate=0\.001 momentum=0/);
    assert.equal(optimizers.code, 0);
    assert.match(optimizers.stdout, /^optimizers:\n/);
    assert.doesNotMatch(optimizers.stdout, /layers:/);
    const json = JSON.parse(loss.stdout);
    assert.ok(json.length > 0 && json.every((p: { kind: string }) => p.kind === "loss"));
    assert.equal(bad.code, 2);
    assertOneLineError(bad.stderr, /kind "optimisers" as it is unknown \(did you mean "optimizer"\?\)/);
  },
});

Deno.test({
  name: "gradflow gradcheck passes a correct plugin and exits 1 for one with a wrong gradient",
  ignore: skipCli,
  async fn() {
    const plugin = `${TMP}/half_gradient_mse.ts`;
    await Deno.writeTextFile(plugin, WRONG_LOSS);
    const [ok, dense, listed, bad, kind] = await Promise.all([
      gradflow("gradcheck", "layer", "tanh"),
      gradflow("gradcheck", "layer", "dense", "--options", '{"units": 2}', "--second-order"),
      gradflow("list", "loss", "--plugin", plugin),
      gradflow("gradcheck", "loss", "half-gradient-mse", "--plugin", plugin),
      gradflow("gradcheck", "optimizer", "sgd"),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^gradcheck layer "tanh": ok, \d+ derivatives of params and input match/);
    assert.equal(dense.code, 0, dense.stderr);
    assert.match(dense.stdout, /gradgradcheck layer "dense": ok/);
    assert.match(listed.stdout, /half-gradient-mse +MSE with a gradient half as large/);
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, "");
    assertOneLineError(bad.stderr, /Cannot pass gradcheck for loss "half-gradient-mse" as .* differs at .*analytic/);
    assert.equal(kind.code, 2);
    assertOneLineError(kind.stderr, /only layers, losses and regularizers have a gradient to check/);
  },
});

Deno.test({
  name: "gradflow compare trains each optimizer and draws them in one chart with one table",
  ignore: skipCli,
  async fn() {
    const out = `${TMP}/runs/compare`;
    const path = await experiment("compare", { ...TINY, epochs: 2 });
    const { code, stdout, stderr } = await gradflow(
      "compare",
      path,
      "--optimizers",
      "sgd,adam:learningRate=0.05",
      "--quiet",
      "--out",
      out,
    );
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^optimizer +epochs +loss +accuracy +seconds +status$/m);
    assert.match(stdout, /^sgd +2 +[0-9.]+ .* ok$/m);
    assert.match(stdout, /^adam \(learningRate=0\.05\) +2 .* ok$/m);
    const root = parseSvg(await Deno.readTextFile(`${out}/loss.svg`));
    assert.deepEqual(elements(root, "g", "series").map((g) => g.getAttribute("data-name")), [
      "sgd",
      "adam (learningRate=0.05)",
    ]);
    assert.equal((await Deno.readTextFile(`${out}/summary.csv`)).trim().split("\n").length, 3);
  },
});

Deno.test({
  name: "gradflow plot redraws a run's charts and exits 2 for a folder without metrics",
  ignore: skipCli,
  async fn() {
    const dir = `${TMP}/runs/replot`;
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/metrics.jsonl`,
      '{"kind":"epoch","epoch":1,"loss":0.7,"valLoss":0.8}\n{"kind":"epoch","epoch":2,"loss":0.5,"valLoss":0.6}\n',
    );
    const r = await gradflow("plot", dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `wrote ${dir}/loss.svg`);
    assert.equal(elements(parseSvg(await Deno.readTextFile(`${dir}/loss.svg`)), "g", "series").length, 2);
    const missing = await gradflow("plot", `${TMP}/runs/none`);
    assert.equal(missing.code, 2);
    assertOneLineError(missing.stderr, /metrics file is missing/);
  },
});

Deno.test({
  name: "gradflow train exits 1 with one line when the loss becomes non-finite",
  ignore: skipCli,
  async fn() {
    const path = await experiment("diverge", {
      ...TINY,
      loss: "mse",
      model: [{ name: "dense", units: 1 }],
      epochs: 50,
    });
    const { code, stderr } = await gradflow(
      "train",
      path,
      "--learning-rate",
      "1e6",
      "--quiet",
      "--out",
      `${TMP}/runs/diverge`,
    );
    assert.equal(code, 1);
    assertOneLineError(stderr, /(NaN|Infinity|finite)/);
  },
});

Deno.test({
  name: "gradflow train --resume continues a run to the same result as one uninterrupted run",
  ignore: skipCli,
  async fn() {
    const path = await experiment("resume", { ...TINY, batching: "minibatch-shuffled", batchSize: 2 });
    const split = `${TMP}/runs/split`, whole = `${TMP}/runs/whole`;
    assert.equal((await gradflow("train", path, "--epochs", "2", "--quiet", "--out", split)).code, 0);
    const resumed = await gradflow("train", path, "--epochs", "4", "--resume", "--quiet", "--out", split);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal((await gradflow("train", path, "--epochs", "4", "--quiet", "--out", whole)).code, 0);
    const last = async (dir: string) => (await Deno.readTextFile(`${dir}/metrics.jsonl`)).trim().split("\n").at(-1)!;
    const [a, b] = [JSON.parse(await last(split)), JSON.parse(await last(whole))];
    assert.equal(a.epoch, 4);
    assert.equal(a.loss, b.loss);
    assert.equal(a.accuracy, b.accuracy);
    // The checkpoint holds no history: the charts of the resumed run come from its metrics log, all 4 epochs.
    for (const file of ["loss.svg", "accuracy.svg"]) {
      assert.equal(await Deno.readTextFile(`${split}/${file}`), await Deno.readTextFile(`${whole}/${file}`), file);
    }
    assert.match(resumed.stdout, /epoch 4, step 8: loss/);
  },
});
