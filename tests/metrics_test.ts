/**
 * Suites run over every registered metric: the conformance checks of
 * `checkPlugin` (accumulating in two halves equals adding the whole batch, the
 * sample order does not matter, no mutation, determinism), and for scores
 * (`higherIsBetter`) a value in [0, 1] on random inputs that is 1 for perfect
 * predictions, for every kind of target the metric takes (≥100 random batches
 * each, fast-check).
 *
 * A metric joins these suites by being registered; the fixture table says
 * which inputs it takes. A registered metric without a fixture fails.
 */

import fc from "fast-check";
import assert from "node:assert/strict";
import type { Metric } from "../core/interfaces.ts";
import { Random } from "../core/random.ts";
import { type Tensor, tensor } from "../core/tensor.ts";
import { createRegistry } from "../plugins/mod.ts";
import { checkPlugin } from "./kit/mod.ts";

const RUNS = 100;

/** A batch: predictions, targets, and the targets as the outputs of a perfect model. */
type Batch = { predictions: Tensor; targets: Tensor; perfect: Tensor };
type Kind = "one-output 0/1" | "one-output ±1" | "classes, indices" | "classes, one-hot";

function batch(kind: Kind, rng: Random, n: number, classes: number): Batch {
  const normal = (length: number) => Array.from({ length }, () => rng.normal());
  if (kind === "one-output 0/1" || kind === "one-output ±1") {
    const negative = kind === "one-output ±1" ? -1 : 0;
    const labels = Array.from({ length: n }, (_, i) => (i < 2 ? [negative, 1][i] : rng.int(2) ? 1 : negative));
    const probabilities = normal(n).map((z) => 1 / (1 + Math.exp(-z)));
    return {
      predictions: tensor(kind === "one-output ±1" ? normal(n).map((z) => [z]) : probabilities.map((p) => [p])),
      targets: tensor(labels.map((l) => [l])),
      perfect: tensor(labels.map((l) => [l === 1 ? (negative === 0 ? 0.9 : 2) : (negative === 0 ? 0.1 : -2)])),
    };
  }
  const labels = Array.from({ length: n }, (_, i) => (i < classes ? i : rng.int(classes)));
  const oneHot = labels.map((c) => Array.from({ length: classes }, (_, k) => (k === c ? 1 : 0)));
  return {
    predictions: tensor(Array.from({ length: n }, () => normal(classes))),
    targets: kind === "classes, indices" ? tensor(labels) : tensor(oneHot),
    perfect: tensor(oneHot.map((row) => row.map((v) => 3 * v))),
  };
}

/** Which inputs each metric takes, and its options for the suites. */
const fixtures: Record<string, { kinds: Kind[]; options?: Record<string, unknown>; classes?: number }> = {
  "accuracy": { kinds: ["one-output 0/1", "one-output ±1", "classes, indices", "classes, one-hot"] },
  "precision": { kinds: ["one-output 0/1", "one-output ±1", "classes, indices", "classes, one-hot"] },
  "recall": { kinds: ["one-output 0/1", "one-output ±1", "classes, indices", "classes, one-hot"] },
  "f1": { kinds: ["one-output 0/1", "one-output ±1", "classes, indices", "classes, one-hot"] },
  "confusion-matrix": { kinds: ["one-output 0/1", "one-output ±1", "classes, indices", "classes, one-hot"] },
  "top-k-accuracy": { kinds: ["classes, indices", "classes, one-hot"], options: { k: 2 }, classes: 5 },
  "roc-auc": { kinds: ["one-output 0/1", "one-output ±1"] },
};

const registry = createRegistry();
const once = (m: Metric, p: Tensor, t: Tensor) => m.result(m.update(m.init(), p, t));

Deno.test("every metric fixture names a registered metric", () => {
  const registered = registry.list("metric").map((p) => p.name);
  for (const name of Object.keys(fixtures)) assert.ok(registered.includes(name), `no registered metric "${name}"`);
});

for (const plugin of registry.list("metric")) {
  const fixture = fixtures[plugin.name];
  if (fixture === undefined) {
    Deno.test(`metric "${plugin.name}" has a fixture in the shared metric suites`, () => {
      assert.fail(
        `metric "${plugin.name}" is registered but has no fixture: add an entry for "${plugin.name}" to the fixtures table in tests/metrics_test.ts (the kinds of targets it takes)`,
      );
    });
    continue;
  }
  const classes = fixture.classes ?? 3;
  const make = () => registry.create("metric", plugin.name, fixture.options ?? {});

  for (const kind of fixture.kinds) {
    Deno.test(`metric "${plugin.name}" passes the gradflow conformance checks (${kind})`, async () => {
      await checkPlugin(plugin, {
        options: fixture.options,
        metricInputs: (rng) => batch(kind, rng, 12, classes),
        log: false,
      });
    });
  }

  if (make().higherIsBetter === true) {
    Deno.test(`metric "${plugin.name}" scores in [0, 1], and 1 for perfect predictions`, () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...fixture.kinds),
          fc.integer({ min: 4, max: 40 }),
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          (kind, n, seed) => {
            const { predictions, targets, perfect } = batch(kind, new Random(seed), n, classes);
            const values = (v: ReturnType<Metric["result"]>) => (typeof v === "number" ? [v] : Object.values(v));
            for (const v of values(once(make(), predictions, targets))) assert.ok(v >= 0 && v <= 1, `${v}`);
            for (const v of values(once(make(), perfect, targets))) assert.equal(v, 1, kind);
          },
        ),
        { numRuns: RUNS, seed: 53 },
      );
    });
  }
}
