import assert from "node:assert/strict";
import { applyOverrides, EXPERIMENT_KEYS, parseExperiment } from "./experiment.ts";
import { UsageError } from "./_errors.ts";

const MINIMAL = { data: "xor", model: [{ name: "dense", units: 1 }], loss: "mse", optimizer: "sgd" };

Deno.test("parseExperiment() fills in the defaults of a minimal experiment", () => {
  const e = parseExperiment(MINIMAL, "dir/xor.json");
  assert.equal(e.name, "xor");
  assert.equal(e.seed, 0);
  assert.equal(e.epochs, 10);
  assert.equal(e.batchSize, 32);
  assert.equal(e.batching, "minibatch-shuffled");
  assert.deepEqual(e.data, { name: "xor" });
  assert.deepEqual(e.loss, { name: "mse" });
  assert.deepEqual(e.optimizer, { name: "sgd" });
  assert.deepEqual(e.regularizers, []);
  assert.equal(e.scheduler, null);
  assert.equal(e.validation, null);
  assert.equal(e.earlyStopping, null);
  assert.equal(e.out, null);
});

Deno.test("parseExperiment() reads the example experiment file", async () => {
  const json = JSON.parse(await Deno.readTextFile(new URL("../examples/experiments/spirals.json", import.meta.url)));
  const e = parseExperiment(json, "spirals.json");
  assert.equal(e.name, "spirals");
  assert.equal(e.validation, 0.2);
  assert.deepEqual(e.metrics, ["accuracy"]);
  assert.equal((e.model.layers as unknown[]).length, 6);
});

Deno.test("parseExperiment() reads the Fashion-MNIST experiment: the test split validates, in float32", async () => {
  const url = new URL("../examples/experiments/fashion_mnist.json", import.meta.url);
  const e = parseExperiment(JSON.parse(await Deno.readTextFile(url)), "fashion_mnist.json");
  assert.deepEqual(e.data, { name: "fashion-mnist" });
  assert.equal(e.validation, "test");
  assert.equal(e.dtype, "float32");
  assert.equal(e.batchSize, 128);
  assert.deepEqual(e.optimizer, { name: "adam", learningRate: 0.001 });
});

Deno.test("parseExperiment() names an unknown key and the nearest known key", () => {
  assert.throws(() => parseExperiment({ ...MINIMAL, epoch: 3 }, "a.json"), {
    name: "UsageError",
    message: /^Cannot read a\.json as it has an unknown key "epoch" \(did you mean "epochs"\?\): known keys are /,
  });
  assert.throws(() => parseExperiment({ ...MINIMAL, earlyStopping: { patients: 3 } }, "a.json"), {
    message: /"earlyStopping" has an unknown key "patients" \(did you mean "patience"\?\)/,
  });
  assert.throws(() => parseExperiment({ ...MINIMAL, zzzzzzzz: 1 }, "a.json"), {
    message: /unknown key "zzzzzzzz": known keys/,
  });
});

Deno.test("parseExperiment() names a missing required key", () => {
  const { loss: _, ...noLoss } = MINIMAL;
  assert.throws(() => parseExperiment(noLoss, "a.json"), {
    message:
      `Cannot read a.json as "loss" must be given (a name or { "name", ...options }): current value is undefined`,
  });
});

Deno.test("parseExperiment() names a bad value and what it must be", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ epochs: 1.5 }, /"epochs" must be an integer ≥ 1: current value is 1\.5$/],
    [{ batchSize: "32" }, /"batchSize" must be an integer ≥ 1: current value is "32"$/],
    [{ validation: 1 }, /"validation" must be a number in \(0, 1\) or "test": current value is 1$/],
    [
      { batching: "minibatch-shufled" },
      /"batching" must be one of .* \(did you mean "minibatch-shuffled"\?\): current value is "minibatch-shufled"$/,
    ],
    [{ optimizer: { learningRate: 1 } }, /"optimizer" must be a name or \{ "name", \.\.\.options \}/],
    [{ model: [{ units: 3 }] }, /"model\[0\]" must be a name or \{ "name", \.\.\.options \}/],
    [{ plugins: [3] }, /"plugins\[0\]" must be a URL or path/],
    [{ recordSteps: "yes" }, /"recordSteps" must be true or false/],
    [{ name: "../x" }, /"name" must be a name without/],
  ];
  for (const [change, message] of cases) {
    assert.throws(() => parseExperiment({ ...MINIMAL, ...change }, "a.json"), { name: "UsageError", message });
  }
});

Deno.test("parseExperiment() throws UsageError for JSON that is not an object", () => {
  assert.throws(() => parseExperiment([1], "a.json"), UsageError);
});

Deno.test("applyOverrides() replaces the optimizer, sets the learning rate, and assigns paths", () => {
  const json = { ...MINIMAL, optimizer: { name: "sgd", momentum: 0.9, learningRate: 0.1 } };
  assert.deepEqual(applyOverrides(json, { learningRate: 0.5 }).optimizer, {
    name: "sgd",
    momentum: 0.9,
    learningRate: 0.5,
  });
  assert.deepEqual(applyOverrides(json, { optimizer: "adam" }).optimizer, { name: "adam" });
  const set = applyOverrides(json, { set: ["optimizer.nesterov=true", "data.samples=10", "name=run 2"] });
  assert.deepEqual(set.optimizer, { name: "sgd", momentum: 0.9, learningRate: 0.1, nesterov: true });
  assert.deepEqual(set.data, { name: "xor", samples: 10 });
  assert.equal(set.name, "run 2");
  assert.deepEqual(json.optimizer, { name: "sgd", momentum: 0.9, learningRate: 0.1 }, "the input is not changed");
});

Deno.test("applyOverrides() sends the learning rate to the scheduler when there is one", () => {
  const json = { ...MINIMAL, scheduler: { name: "constant" } };
  const out = applyOverrides(json, { learningRate: 0.3 });
  assert.deepEqual(out.scheduler, { name: "constant", learningRate: 0.3 });
  assert.equal(out.optimizer, "sgd");
});

Deno.test("applyOverrides() throws UsageError for a --set that is not path=value", () => {
  assert.throws(() => applyOverrides(MINIMAL, { set: ["epochs"] }), { name: "UsageError", message: /path=value/ });
  assert.throws(() => applyOverrides({ ...MINIMAL, epochs: 3 }, { set: ["epochs.x=1"] }), {
    message: /epochs is not an object: current value is 3/,
  });
});

Deno.test("parseExperiment() moves the optimizer's learning rate to the scheduler, which is the learning rate", () => {
  const e = parseExperiment({ ...MINIMAL, optimizer: { name: "sgd", learningRate: 0.5 }, scheduler: "step" }, "a.json");
  assert.deepEqual(e.optimizer, { name: "sgd" });
  assert.deepEqual(e.scheduler, { name: "step", learningRate: 0.5 });
  assert.throws(
    () =>
      parseExperiment(
        { ...MINIMAL, optimizer: { name: "sgd", learningRate: 0.5 }, scheduler: { name: "step", learningRate: 1 } },
        "a.json",
      ),
    { name: "UsageError", message: /"optimizer" must be without a learningRate when the scheduler has one/ },
  );
});

Deno.test("parseExperiment() reads a backend, and --backend overrides it", () => {
  assert.equal(parseExperiment({ ...MINIMAL }, "a.json").backend, null);
  assert.deepEqual(parseExperiment({ ...MINIMAL, backend: "js" }, "a.json").backend, { name: "js" });
  const json = applyOverrides({ ...MINIMAL, backend: "js" }, { backend: "blas" });
  assert.deepEqual(parseExperiment(json, "a.json").backend, { name: "blas" });
  assert.throws(() => parseExperiment({ ...MINIMAL, backend: 3 }, "a.json"), /"backend" must be/);
});

Deno.test("parseExperiment() trains in float32 by default, takes dtype at the top or in the data section, not both unequal", () => {
  assert.equal(parseExperiment(MINIMAL, "a.json").dtype, "float32");
  assert.equal(parseExperiment({ ...MINIMAL, dtype: "float64" }, "a.json").dtype, "float64");
  const inData = parseExperiment({ ...MINIMAL, data: { name: "xor", dtype: "float64" } }, "a.json");
  assert.equal(inData.dtype, "float64");
  assert.deepEqual(inData.data, { name: "xor" });
  assert.throws(() => parseExperiment({ ...MINIMAL, dtype: "float16" }, "a.json"), {
    name: "UsageError",
    message: /"dtype" must be "float32" or "float64": current value is "float16"/,
  });
  assert.throws(
    () => parseExperiment({ ...MINIMAL, dtype: "float32", data: { name: "xor", dtype: "float64" } }, "a.json"),
    /"dtype" must be the same as data.dtype \("float64"\) when both are given/,
  );
});

Deno.test("applyOverrides() sets dtype from --dtype over the file's, in either place", () => {
  const json = { ...MINIMAL, data: { name: "xor", dtype: "float32" } };
  assert.equal(parseExperiment(applyOverrides(json, { dtype: "float64" }), "a.json").dtype, "float64");
});

Deno.test("applyOverrides() sets the backend's threads from --threads, on the default backend when the file names none", () => {
  assert.deepEqual(applyOverrides(MINIMAL, { threads: 1 }).backend, { name: "wasm", threads: 1 });
  assert.deepEqual(applyOverrides({ ...MINIMAL, backend: "wasm" }, { threads: 2 }).backend, {
    name: "wasm",
    threads: 2,
  });
  assert.deepEqual(applyOverrides({ ...MINIMAL, backend: { name: "wasm", relaxed: false } }, { threads: 2 }).backend, {
    name: "wasm",
    relaxed: false,
    threads: 2,
  });
});

Deno.test("the CNN experiment file parses, and every plugin it names accepts its options", async () => {
  const { checkChoices } = await import("./_setup.ts");
  const { createRegistry } = await import("../plugins/mod.ts");
  const json = JSON.parse(
    await Deno.readTextFile(new URL("../examples/experiments/fashion_cnn.json", import.meta.url)),
  );
  const e = parseExperiment(json, "fashion_cnn.json");
  assert.equal(e.validation, "test");
  assert.deepEqual(e.data, { name: "fashion-mnist", channels: true, labels: "index" });
  assert.deepEqual((e.model.layers as { name: string }[]).map((l) => l.name), [
    "conv2d",
    "relu",
    "max-pool2d",
    "conv2d",
    "relu",
    "max-pool2d",
    "flatten",
    "dense",
    "relu",
    "dense",
  ]);
  checkChoices(e, createRegistry());
});

Deno.test("cli/README.md documents every key of the experiment file", async () => {
  const readme = await Deno.readTextFile(new URL("./README.md", import.meta.url));
  const table = readme.slice(readme.indexOf("| key "), readme.indexOf("Any other key is an error"));
  const documented = [...table.matchAll(/^\| `([^`]+)` /gm)].map((m) => m[1]);
  assert.deepEqual(documented.toSorted(), Object.keys(EXPERIMENT_KEYS).toSorted());
});
