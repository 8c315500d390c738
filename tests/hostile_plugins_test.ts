/**
 * What a broken or hostile third-party plugin can and cannot do to a CLI run,
 * end to end: the CLI runs in a subprocess with the permissions the user
 * grants, with plugin files written into a temporary folder. Each failure is
 * one line on standard error that names the plugin, with the documented exit
 * code; a non-finite update never reaches a checkpoint; a resumed run refuses
 * another optimizer. See docs/safety.md.
 *
 * Needs `--allow-run` (to start `Deno.execPath()`) besides read and write; without it these tests are ignored.
 */

import assert from "node:assert/strict";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const canRun = Deno.permissions.querySync({ name: "run", command: Deno.execPath() }).state === "granted";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `deno run --no-prompt <read/write the work folder> cli/main.ts …args` from the repository root. */
async function gradflow(work: string, ...args: string[]): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", `--allow-read=${ROOT},${work}`, `--allow-write=${work}`, "cli/main.ts", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** An optimizer plugin whose `update` body is `body` (grads and state in scope; it returns SGD's update). */
function optimizerPlugin(name: string, body: string, create = ""): string {
  return `
const scale = (tree, f) => Array.isArray(tree) ? tree.map((t) => scale(t, f))
  : typeof tree.shape === "object" && "data" in tree ? new tree.constructor(tree.data.map(f), tree.shape)
  : Object.fromEntries(Object.entries(tree).map(([k, t]) => [k, scale(t, f)]));
export default { apiVersion: 1, kind: "optimizer", name: "${name}", create: () => { ${create}
  return {
    init: () => ({ count: 0 }),
    update(grads, state) {
      const count = state.count + 1;
      ${body}
      return { updates: scale(grads, (g) => -0.1 * g), state: { count } };
    },
  };
} };
`;
}

const EXPERIMENT = {
  name: "hostile",
  data: { name: "xor" },
  model: [{ name: "dense", units: 3 }, { name: "tanh" }, { name: "dense", units: 1 }],
  loss: "mse",
  optimizer: "sgd",
  epochs: 4,
  batching: "full",
};

/** Checks that standard error is exactly `line` (one line, no stack trace, no advice to widen a permission). */
function assertOneLine(stderr: string, line: string | RegExp): void {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line, got:\n${stderr}`);
  if (typeof line === "string") assert.equal(lines[0], line);
  else assert.match(lines[0], line);
  assert.doesNotMatch(stderr, /--allow-|run again/);
}

Deno.test({
  name: "a plugin's own errors are one line naming the plugin, its kind and what it tried",
  ignore: !canRun,
  async fn(t) {
    const work = await Deno.makeTempDir({ prefix: "gradflow_hostile_" });
    try {
      await Deno.writeTextFile(`${work}/e.json`, JSON.stringify(EXPERIMENT));
      const plugin = async (file: string, source: string) => {
        await Deno.writeTextFile(`${work}/${file}`, source);
        return `file://${work}/${file}`;
      };
      const train = (url: string, name: string, ...more: string[]) =>
        gradflow(work, "train", `${work}/e.json`, "--quiet", "--out", `${work}/run-${name}`, "--plugin", url, ...[
          "--optimizer",
          name,
          ...more,
        ]);

      await t.step("a create that throws: exit 2, naming the plugin", async () => {
        const url = await plugin("broken.ts", optimizerPlugin("broken", "", `throw new Error("create failed");`));
        const run = await train(url, "broken");
        assert.equal(run.code, 2);
        assertOneLine(
          run.stderr,
          `error: Cannot create optimizer "broken" (from ${url}) as its create threw Error: create failed`,
        );
      });

      await t.step("a permission refused inside update: exit 1, what it tried, no advice", async () => {
        const url = await plugin("snoop.ts", optimizerPlugin("snoop", `Deno.readTextFileSync("/etc/passwd");`));
        const run = await train(url, "snoop");
        assert.equal(run.code, 1);
        assertOneLine(
          run.stderr,
          `error: Cannot use optimizer "snoop" (from ${url}) as its update tried to read "/etc/passwd", which this run does not permit`,
        );
      });

      await t.step("an error thrown by update: exit 1, naming the plugin", async () => {
        const url = await plugin("typo.ts", optimizerPlugin("typo", `state.missing.call();`));
        const run = await train(url, "typo");
        assert.equal(run.code, 1);
        assertOneLine(
          run.stderr,
          /^error: Cannot use optimizer "typo" \(from .*typo\.ts\) as its update threw TypeError: /,
        );
      });

      for (const pinned of [false, true]) {
        await t.step(
          `an async rejection in code a plugin left running${pinned ? " (pinned)" : ""}: one line`,
          async () => {
            const source = optimizerPlugin(
              "stray",
              `if (count === 2) Deno.readTextFile("/etc/passwd");`,
            );
            const url = await plugin("stray.ts", source);
            const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(source));
            const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
            const run = await train(pinned ? `${url}#sha256=${hex}` : url, "stray");
            assert.equal(run.code, 1);
            assertOneLine(
              run.stderr,
              `error: Cannot use optimizer "stray" (from ${url}) as code it left running tried to read "/etc/passwd", which this run does not permit`,
            );
          },
        );
      }
      await t.step("an async error of its own", async () => {
        const url = await plugin(
          "later.ts",
          optimizerPlugin("later", `(async () => { throw new Error("boom later"); })();`),
        );
        const run = await train(url, "later");
        assert.equal(run.code, 1);
        assertOneLine(
          run.stderr,
          `error: Cannot use optimizer "later" (from ${url}) as code it left running threw Error: boom later`,
        );
      });

      await t.step(
        "NaN updates: exit 1 naming the step, parameter and optimizer; the last good checkpoint stays",
        async () => {
          const url = await plugin(
            "nan.ts",
            optimizerPlugin("nan", `if (count >= 3) return { updates: scale(grads, () => NaN), state: { count } };`),
          );
          const run = await train(url, "nan");
          assert.equal(run.code, 1);
          assertOneLine(
            run.stderr,
            /^error: Cannot train as optimizer "nan" made parameter "0\.weight" NaN at step 3 \(epoch 3, batch 1 of 1\)/,
          );
          const checkpoint = JSON.parse(await Deno.readTextFile(`${work}/run-nan/checkpoint/checkpoint.json`));
          assert.equal(checkpoint.epoch, 2);
          const metrics = (await Deno.readTextFile(`${work}/run-nan/metrics.jsonl`)).trim().split("\n");
          assert.deepEqual(metrics.map((l) => JSON.parse(l).epoch), [1, 2]);
          assert.doesNotMatch(metrics.join("\n"), /NaN/);
        },
      );

      await t.step("an update of the wrong shape: exit 1 naming the plugin and the parameter", async () => {
        const url = await plugin(
          "scalar.ts",
          optimizerPlugin(
            "scalar",
            `const w = grads[0].weight; return { updates: [{ ...scale(grads[0], () => 0), weight: new w.constructor(new Float64Array([0.1]), []) }, {}, scale(grads[2], () => 0)], state: { count } };`,
          ),
        );
        const run = await train(url, "scalar");
        assert.equal(run.code, 1);
        assertOneLine(
          run.stderr,
          /^error: Cannot train as optimizer "scalar" returned an update of shape \[\] \(float64\) for parameter "0\.weight" of shape \[2,3\] \(float64\) at step 1/,
        );
      });
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});

Deno.test({
  name: "gradflow train --resume refuses another optimizer than the checkpoint's, naming both",
  ignore: !canRun,
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "gradflow_resume_" });
    try {
      await Deno.writeTextFile(`${work}/e.json`, JSON.stringify({ ...EXPERIMENT, optimizer: "adam", epochs: 2 }));
      const out = `${work}/run`;
      const first = await gradflow(work, "train", `${work}/e.json`, "--quiet", "--out", out);
      assert.equal(first.code, 0, first.stderr);
      for (const optimizer of ["sgd", "lbfgs"]) {
        const run = await gradflow(
          work,
          ...[
            "train",
            `${work}/e.json`,
            "--quiet",
            "--out",
            out,
            "--resume",
            "--epochs",
            "4",
            "--optimizer",
            optimizer,
          ],
        );
        assert.equal(run.code, 1);
        assertOneLine(
          run.stderr,
          `error: Cannot train as resuming needs the same optimizer as the checkpoint: the checkpoint has {"name":"adam"}, this run {"name":"${optimizer}"}`,
        );
      }
      const same = await gradflow(
        work,
        "train",
        `${work}/e.json`,
        "--quiet",
        "--out",
        out,
        "--resume",
        "--epochs",
        "4",
      );
      assert.equal(same.code, 0, same.stderr);
    } finally {
      await Deno.remove(work, { recursive: true });
    }
  },
});
