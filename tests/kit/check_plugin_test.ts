import assert from "node:assert/strict";
import { checkPlugin, type CheckPluginOptions } from "./check_plugin.ts";
import type { Optimizer, Plugin } from "../../core/interfaces.ts";
import { customVjp, mean, mul, neg, square, sub } from "../../core/ops/mod.ts";
import { checkKeys, checkNumber } from "../../core/options.ts";
import type { Random } from "../../core/random.ts";
import { full, Tensor, tensor } from "../../core/tensor.ts";
import { treeMap } from "../../core/tree.ts";
import { createRegistry } from "../../plugins/mod.ts";

const registry = createRegistry();

/** Runs checkPlugin silently; returns the thrown message, or null when it passed. */
async function failures(plugin: Plugin, options: CheckPluginOptions = {}): Promise<string | null> {
  try {
    await checkPlugin(plugin, { log: false, ...options });
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** A well-behaved SGD written as a third party would, to break one property at a time. */
function sgdLike(name: string, update?: Optimizer["update"], init?: Optimizer["init"]): Plugin<"optimizer"> {
  return {
    apiVersion: 1,
    kind: "optimizer",
    name,
    defaults: { learningRate: 0.1 },
    create(options: Record<string, unknown> = {}) {
      const owner = `optimizer "${name}"`;
      checkKeys(owner, options, ["learningRate"]);
      const lr = checkNumber(owner, "learningRate", options.learningRate, 0.1, { min: 0 });
      return {
        init: init ?? (() => ({ step: 0 })),
        update: update ?? ((g, s) => ({
          updates: treeMap((x) => neg(mul(x, lr)), g),
          state: { step: (s as { step: number }).step + 1 },
        })),
      };
    },
  } as Plugin<"optimizer">;
}

const labels = (classes: number) => (rng: Random) => ({
  predictions: tensor(Float64Array.from({ length: 4 * classes }, () => rng.normal()), [4, classes]),
  targets: tensor(Float64Array.from({ length: 4 }, () => rng.int(classes))),
});
const signs = (rng: Random) => ({
  predictions: tensor(Float64Array.from({ length: 6 }, () => rng.uniform(-3, 3)), [6]),
  targets: tensor(Float64Array.from({ length: 6 }, () => (rng.uniform() < 0.5 ? -1 : 1)), [6]),
});

const BUILTINS: [string, string, CheckPluginOptions][] = [
  ["optimizer", "sgd", { options: { learningRate: 0.1 } }],
  ["optimizer", "momentum", { options: { learningRate: 0.05 } }],
  ["optimizer", "adam", { options: { learningRate: 0.1 } }],
  ["optimizer", "rmsprop", {}],
  ["loss", "mse", { secondOrder: true }],
  ["loss", "softmax-cross-entropy", { secondOrder: true, lossInputs: labels(3) }],
  ["loss", "hinge", { lossInputs: signs }],
  ["layer", "dense", { options: { units: 2 }, secondOrder: true }],
  ["layer", "tanh", { secondOrder: true }],
  ["layer", "dropout", { options: { rate: 0.5 } }],
  ["regularizer", "l2", { secondOrder: true }],
  ["regularizer", "weight-decay", {}],
  ["scheduler", "constant", {}],
  ["initializer", "xavier-uniform", {}],
  ["initializer", "zeros", {}],
  ["backend", "js", {}],
  ["optimizer", "newton", { secondOrder: true }],
  ["optimizer", "damped-newton", { secondOrder: true }],
  ["optimizer", "bfgs", { secondOrder: true }],
  ["optimizer", "lbfgs", { secondOrder: true }],
  ["optimizer", "hessian-free", { secondOrder: true }],
  ["optimizer", "conjugate-gradient", { secondOrder: true }],
];

Deno.test("checkPlugin() passes on built-in plugins of every kind", async (t) => {
  for (const [kind, name, options] of BUILTINS) {
    await t.step(`${kind} "${name}"`, async () => {
      const plugin = registry.get(kind as Plugin["kind"], name);
      const report = await checkPlugin(plugin, { log: false, ...options });
      assert.ok(report.ok);
      assert.ok(report.checks.length >= 5, `only ${report.checks.length} checks ran`);
    });
  }
});

Deno.test("checkPlugin() prints a readable report of every check", async () => {
  const lines: string[] = [];
  const report = await checkPlugin(registry.get("loss", "mse"), { log: (line) => lines.push(line) });
  assert.equal(lines[0], 'checkPlugin: loss "mse"');
  assert.ok(lines.includes("  ✓ gradient matches central differences: 5 cases"), lines.join("\n"));
  assert.equal(lines.at(-1), `checkPlugin: ${report.checks.length} passed, 0 failed`);
});

Deno.test("checkPlugin() fails a loss whose gradient is wrong, naming the element", async () => {
  const wrongSquare = customVjp(
    "wrong-square",
    (x: Tensor) => ({ output: new Tensor(x.data.map((v) => v * v), x.shape), saved: null }),
    (g: Tensor, _saved: null, [x]: readonly Tensor[]) => [mul(g, mul(x, 3))],
  );
  const plugin: Plugin<"loss"> = {
    apiVersion: 1,
    kind: "loss",
    name: "wrong-gradient",
    create: (o) => {
      checkKeys('loss "wrong-gradient"', o, []);
      return (p, t) => mean(wrongSquare(sub(p, t)));
    },
  };
  const lines: string[] = [];
  await assert.rejects(
    checkPlugin(plugin, { log: (line) => lines.push(line) }),
    /^Error: checkPlugin found 1 problem in loss "wrong-gradient":\n {2}✗ gradient matches central differences: gradcheck failed at element \d+: analytic /,
  );
  assert.equal(lines.at(-1), `checkPlugin: ${lines.length - 3} passed, 1 failed`);
});

Deno.test("checkPlugin() fails a loss that claims second order but is only once differentiable", async () => {
  const firstOrderOnly = customVjp(
    "square-first-order",
    (x: Tensor) => ({ output: new Tensor(x.data.map((v) => v * v), x.shape), saved: x.data.map((v) => 2 * v) }),
    (g: Tensor, saved: Float64Array | Float32Array, [x]: readonly Tensor[]) => [mul(g, new Tensor(saved, x.shape))],
  );
  const plugin: Plugin<"loss"> = {
    apiVersion: 1,
    kind: "loss",
    name: "first-order-only",
    create: (o) => {
      checkKeys('loss "first-order-only"', o, []);
      return (p, t) => mean(firstOrderOnly(sub(p, t)));
    },
  };
  assert.equal(await failures(plugin), null);
  assert.match(
    (await failures(plugin, { secondOrder: true }))!,
    /✗ Hessian-vector product matches differences of the gradient: gradgradcheck failed/,
  );
});

Deno.test("checkPlugin() fails a plugin that accepts unknown options or bad values", async () => {
  const lax: Plugin<"loss"> = {
    apiVersion: 1,
    kind: "loss",
    name: "lax",
    defaults: { scale: 1 },
    create: () => (p, t) => mean(square(sub(p, t))),
  };
  const message = (await failures(lax))!;
  assert.match(message, /✗ rejects an unknown option with a TypeError naming it: \{"noSuchOption":1\} was accepted/);
  assert.match(
    message,
    /✗ rejects a value of the wrong type or range for each option in its defaults, naming it: \{"scale":"NaN"\} was accepted/,
  );
});

Deno.test("checkPlugin() fails an optimizer that mutates its state", async () => {
  const plugin = sgdLike("mutating", (g, s) => {
    const state = s as { step: number; trace: Tensor };
    (state.trace.data as Float64Array)[0] += 1;
    return { updates: treeMap((x) => neg(mul(x, 0.1)), g), state };
  }, () => ({ step: 0, trace: full([1], 0) }));
  assert.match(
    (await failures(plugin))!,
    /✗ does not mutate its grads, params or state: state was mutated: tensor 0 element 0 went from/,
  );
});

Deno.test("checkPlugin() fails an optimizer whose step() disagrees with update() then applyUpdates()", async () => {
  const base = sgdLike("bad-step");
  const plugin: Plugin<"optimizer"> = {
    ...base,
    create: (options, context) => {
      const opt = base.create(options, context) as Optimizer;
      // Forgets the learning rate: θ − g instead of θ − 0.1·g.
      return {
        ...opt,
        step: (g, s, p) => ({ params: treeMap((x, gi) => sub(x, gi!), p, g), state: opt.update(g, s, p).state }),
      };
    },
  };
  assert.match(
    (await failures(plugin))!,
    /✗ computes the same steps when its grads and state are donated, and with step\(\) if it has one: the parameters after 3 steps/,
  );
});

Deno.test("checkPlugin() fails an optimizer whose state is not plain data", async () => {
  const plugin = sgdLike("functional-state", undefined, () => ({ step: 0, schedule: (() => 1) as unknown as number }));
  assert.match((await failures(plugin))!, /✗ keeps its state as plain data .*: .*schedule/);
});

Deno.test("checkPlugin() fails an optimizer that does not decrease a convex quadratic, with the losses", async () => {
  const ascent = sgdLike("ascent", (g, s) => ({ updates: treeMap((x) => mul(x, 0.1), g), state: s }));
  assert.match(
    (await failures(ascent))!,
    /✗ at least halves a convex quadratic in 100 steps of minimize\(\): the loss (became Infinity|went from 5\.475 to )/,
  );
});

Deno.test("checkPlugin() fails an optimizer whose restored state does not continue bit for bit", async () => {
  const plugin = sgdLike("lossy-state", (g, s) => {
    const step = (s as { step: number; scale: number }).step;
    return { updates: treeMap((x) => neg(mul(x, 0.1)), g), state: { step: step + 1, scale: -0 } };
  }, () => ({ step: 0, scale: -0 }));
  // -0 survives the checkpoint format, so this one passes: the check compares bit for bit.
  assert.equal(await failures(plugin), null);
  const clock = { ticks: 0 };
  const impure = sgdLike("impure", (g, s) => {
    clock.ticks++;
    return { updates: treeMap((x) => neg(mul(x, 0.1 + clock.ticks * 1e-9)), g), state: s };
  });
  assert.match((await failures(impure))!, /✗ is deterministic: the updates of two runs differ/);
});

Deno.test("checkPlugin() fails a second-order optimizer that crashes without the update context", async () => {
  const newtonish = sgdLike("crashes-without-context", (g, s, p, context) => ({
    updates: context!.hvp!(p, g),
    state: s,
  }));
  assert.match(
    (await failures(newtonish, { secondOrder: true }))!,
    /✗ fails with a clear message when the update context is missing: the error must say which context field is missing: current message is "Cannot read properties of undefined/,
  );
});

Deno.test("checkPlugin() fails a non-deterministic initializer and a negative schedule", async () => {
  let calls = 0;
  const drifting: Plugin<"initializer"> = {
    apiVersion: 1,
    kind: "initializer",
    name: "drifting",
    create: (o) => {
      checkKeys('initializer "drifting"', o, []);
      return (shape, _rng, dtype) => full(shape, calls++, dtype);
    },
  };
  assert.match((await failures(drifting))!, /✗ is deterministic for a seed: two draws with the same seed differ/);
  const negative: Plugin<"scheduler"> = {
    apiVersion: 1,
    kind: "scheduler",
    name: "negative",
    create: (o) => {
      checkKeys('scheduler "negative"', o, []);
      return (k) => 10 - k;
    },
  };
  assert.match(
    (await failures(negative))!,
    /✗ gives a finite, non-negative step size at every step: step 11 gives -1$/,
  );
});

Deno.test("checkPlugin() stops after a malformed descriptor, naming the field", async () => {
  const lines: string[] = [];
  await assert.rejects(
    checkPlugin({ apiVersion: 2, kind: "loss", name: "old", create: () => () => 0 } as unknown as Plugin, {
      log: (l) => lines.push(l),
    }),
    /✗ is a well-formed plugin descriptor: Cannot use plugin "old" as apiVersion must be 1 \(the version this gradflow supports\): current value is 2$/,
  );
  assert.equal(lines.length, 3);
});
