import assert from "node:assert/strict";
import type { Metric } from "../../core/interfaces.ts";
import { Random } from "../../core/random.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { rocAuc } from "./roc_auc.ts";

const once = (m: Metric, p: Tensor, t: Tensor) => m.result(m.update(m.init(), p, t));

Deno.test("rocAuc() is the share of positive-negative pairs ordered right, ties counting half", () => {
  const rng = new Random(3);
  const n = 200;
  const scores = Array.from({ length: n }, () => Math.round(rng.normal() * 4) / 4); // many ties
  const labels = scores.map((s) => (rng.uniform(0, 1) < 1 / (1 + Math.exp(-2 * s)) ? 1 : 0));
  let pairs = 0, wins = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (labels[i] === 1 && labels[j] === 0) {
        pairs++;
        wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
    }
  }
  const auc = once(rocAuc(), tensor(scores.map((s) => [s])), tensor(labels.map((l) => [l]))) as number;
  assert.ok(Math.abs(auc - wins / pairs) < 1e-12, `${auc} vs ${wins / pairs}`);
});

Deno.test("rocAuc() reads ±1 labels, two-output models and one-hot targets", () => {
  assert.equal(once(rocAuc(), tensor([[-2], [0.5], [0.1], [3]]), tensor([[-1], [-1], [1], [1]])), 0.75);
  const logits = tensor([[0.1, 0.0], [0.2, 0.6], [0.0, 0.35], [-1, 0.8]]); // scores 1 − 0: −0.1, 0.4, 0.35, 1.8
  assert.equal(once(rocAuc(), logits, tensor([0, 0, 1, 1])), 0.75);
  assert.equal(once(rocAuc(), logits, tensor([[1, 0], [1, 0], [0, 1], [0, 1]])), 0.75);
});

Deno.test("rocAuc() is NaN with one class and refuses more than two outputs", () => {
  assert.ok(Number.isNaN(once(rocAuc(), tensor([[0.1], [0.9]]), tensor([[1], [1]]))));
  assert.throws(() => once(rocAuc(), tensor([[1, 2, 3]]), tensor([0])), /it is for binary tasks/);
});
