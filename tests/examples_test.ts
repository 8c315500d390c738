/**
 * End-to-end tests of the runnable experiments in `examples/`: each one runs in
 * a subprocess with `--quick`, only the permissions its header states (read and
 * write on a temporary output folder), and must exit 0, print its result table
 * and write well-formed SVG charts.
 *
 * Needs `--allow-run` (for `deno`), `--allow-read` and `--allow-write` (the
 * temporary folders), e.g. `deno test --allow-run --allow-read --allow-write tests/examples_test.ts`;
 * without `--allow-run` the tests are ignored. The Fashion-MNIST test also
 * needs the data (`apt-get install dataset-fashion-mnist`) and is ignored
 * without it.
 *
 * @module
 */

import assert from "node:assert/strict";
// Test-only dependency (a strict XML parser), as in train/plot's tests.
// deno-lint-ignore no-import-prefix
import { DOMParser, type Element } from "npm:@xmldom/xmldom@0.9.8";
import { FASHION_MNIST_DIR } from "../train/data/mnist.ts";

const examplesDir = new URL("../examples/", import.meta.url).pathname;
const repoRoot = new URL("../", import.meta.url).pathname;

const canRun = (await Deno.permissions.query({ name: "run", command: Deno.execPath() })).state === "granted";

function fashionMnistInstalled(): boolean {
  try {
    if (Deno.permissions.querySync({ name: "read", path: FASHION_MNIST_DIR }).state !== "granted") return false;
    return ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
      .every((f) => {
        try {
          return Deno.statSync(`${FASHION_MNIST_DIR}/${f}.gz`).isFile;
        } catch {
          return Deno.statSync(`${FASHION_MNIST_DIR}/${f}`).isFile;
        }
      });
  } catch {
    return false;
  }
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `deno run <permissions> examples/<file> <args>` from the repository root. */
async function runExample(
  file: string,
  args: readonly string[],
  readable: readonly string[],
  writable: readonly string[],
) {
  const permissions = [
    ...(readable.length ? [`--allow-read=${readable.join(",")}`] : []),
    ...(writable.length ? [`--allow-write=${writable.join(",")}`] : []),
  ];
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...permissions, `${examplesDir}${file}`, ...args],
    cwd: repoRoot,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, stdout: decode(stdout), stderr: decode(stderr) } satisfies Outcome;
}

/** Parses an SVG document strictly; throws on any XML error or a root that is not `<svg>`. */
function parseSvg(text: string): Element {
  const doc = new DOMParser({
    onError: (level: string, message: string) => {
      throw new SyntaxError(`The SVG is not well-formed XML (${level}): ${message}`);
    },
  }).parseFromString(text, "image/svg+xml");
  const root = doc.documentElement;
  assert.ok(root !== null, "the document has a root element");
  assert.equal(root.nodeName, "svg");
  assert.equal(root.namespaceURI, "http://www.w3.org/2000/svg");
  return root;
}

interface ExampleCase {
  file: string;
  /** Chart files it must write and, for each, text its legend or title must show (others it writes are parsed too). */
  charts: Record<string, readonly string[]>;
  /** Text the printed results must contain. */
  prints: readonly string[];
  /** Files besides the charts it writes (a model). */
  alsoWrites?: readonly string[];
}

const cases: ExampleCase[] = [
  {
    file: "initialization.ts",
    charts: { "loss.svg": ["(i) zeros", "(ii) ones", "(iii) random (Xavier)"], "accuracy.svg": ["(i) zeros"] },
    prints: ["distinct hidden units", "1 of 8"],
  },
  {
    file: "homework_network.ts",
    charts: { "loss.svg": ["mse", "hinge"], "accuracy.svg": ["mse", "hinge"] },
    prints: ["matrix BP vs autodiff", "hinge"],
  },
  {
    file: "regularization.ts",
    charts: { "accuracy.svg": ["MSE: test", "MSE + L2"], "weight_norm.svg": ["MSE + L2"] },
    prints: ["‖W‖₂ at end", "test acc"],
  },
  {
    file: "pruning.ts",
    charts: { "sparsity_accuracy.svg": ["prune + retrain", "one-shot prune"], "retraining.svg": ["sparsity"] },
    prints: ["sparsity reached", "90.0%"],
  },
  {
    file: "perceptron.ts",
    charts: { "mistakes.svg": ["perceptron (straight-through)", "delta rule (sigmoid)"], "loss.svg": [] },
    prints: ["first epoch with 0 mistakes", "gradient check"],
  },
  {
    file: "universal_approximation.ts",
    charts: { "fit.svg": ["g(x)", "M = 16"], "loss.svg": ["M = 1"] },
    prints: ["max |G − g|"],
  },
  {
    file: "vanishing_gradients.ts",
    charts: { "gradient_norms.svg": ["sigmoid", "relu"], "first_layer.svg": [], "loss.svg": [] },
    prints: ["last / first layer norm"],
  },
  {
    file: "rosenbrock_race.ts",
    charts: {
      "paths_first_order.svg": ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"],
      "loss_first_order.svg": ["adam"],
    },
    prints: ["final f", "adam"],
  },
];

async function checkRun(example: ExampleCase, extraRead: readonly string[] = []): Promise<void> {
  const out = await Deno.makeTempDir({ prefix: "gradflow_example_" });
  try {
    const r = await runExample(example.file, ["--quick", "--out", out], [out, ...extraRead], [out]);
    assert.equal(r.code, 0, `${example.file} exited with ${r.code}:\n${r.stderr}`);
    assert.match(r.stdout, /\n-+( {2}-+)+\n/, "prints a table");
    for (const text of example.prints) assert.ok(r.stdout.includes(text), `prints "${text}"`);
    const written = [...Deno.readDirSync(out)].map((e) => e.name);
    for (const name of Object.keys(example.charts)) assert.ok(written.includes(name), `writes ${name}`);
    for (const name of example.alsoWrites ?? []) assert.ok(written.includes(name), `writes ${name}`);
    for (const name of written) {
      if (example.alsoWrites?.includes(name)) continue;
      assert.match(name, /^[a-z_]+\.svg$/, "writes only SVG charts (no stray temporary files)");
      const root = parseSvg(await Deno.readTextFile(`${out}/${name}`));
      const drawn = Array.from(root.getElementsByTagName("path")).filter((p) => (p.getAttribute("d") ?? "").length > 0);
      assert.ok(drawn.length > 0, `${name} draws at least one path`);
      const content = root.textContent ?? "";
      for (const text of example.charts[name] ?? []) assert.ok(content.includes(text), `${name} shows "${text}"`);
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

for (const example of cases) {
  Deno.test({
    name: `examples/${example.file} --quick exits 0 and writes well-formed SVG charts`,
    ignore: !canRun,
    fn: () => checkRun(example),
  });
}

Deno.test({
  name: "examples/fashion_mnist.ts --quick exits 0 and writes well-formed SVG charts",
  ignore: !canRun || !fashionMnistInstalled(),
  fn: () =>
    checkRun(
      {
        file: "fashion_mnist.ts",
        charts: { "loss.svg": ["test loss"], "accuracy.svg": ["test"] },
        prints: ["Test accuracy", "Ankle boot"],
      },
      [FASHION_MNIST_DIR],
    ),
});

Deno.test({
  name: "examples/fashion_cnn.ts --quick exits 0 and writes well-formed SVG charts and the model",
  ignore: !canRun || !fashionMnistInstalled(),
  fn: () =>
    checkRun(
      {
        file: "fashion_cnn.ts",
        charts: { "loss.svg": ["test loss"], "accuracy.svg": ["test"] },
        prints: ["Test accuracy", "Ankle boot", "model.safetensors"],
        alsoWrites: ["model.safetensors"],
      },
      [FASHION_MNIST_DIR],
    ),
});

Deno.test({
  name: "examples/fashion_mnist.ts says how to get the data and exits 1 when the files are missing",
  ignore: !canRun,
  async fn() {
    const empty = await Deno.makeTempDir({ prefix: "gradflow_no_data_" });
    try {
      const r = await runExample("fashion_mnist.ts", ["--quick", "--data", empty, "--out", empty], [empty], [empty]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /apt-get install dataset-fashion-mnist/);
      assert.match(r.stderr, /github\.com\/zalandoresearch\/fashion-mnist/);
      assert.deepEqual([...Deno.readDirSync(empty)], [], "writes nothing");
    } finally {
      await Deno.remove(empty, { recursive: true });
    }
  },
});

Deno.test({
  name: "an example rejects an unknown flag with exit code 2 and prints its usage",
  ignore: !canRun,
  async fn() {
    const r = await runExample("initialization.ts", ["--no-such-flag"], [], []);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Usage: deno run/);
  },
});

Deno.test({
  name: "an example prints its usage and exits 0 with --help",
  ignore: !canRun,
  async fn() {
    const r = await runExample("rosenbrock_race.ts", ["--help"], [], []);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /--quick/);
  },
});
