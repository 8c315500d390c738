import assert from "node:assert/strict";
import { grad } from "../../core/autodiff.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import { klDivergence } from "./kl_divergence.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${a} vs ${b}`);

const q = [[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]];
const p = [[0.5, 0.5, 0], [0.2, 0.3, 0.5]];
const logq = tensor(q.map((row) => row.map(Math.log)));
const kl = (a: number[], b: number[]) => a.reduce((s, ai, i) => s + (ai === 0 ? 0 : ai * Math.log(ai / b[i])), 0);

Deno.test("klDivergence() takes log-probabilities and probabilities, like PyTorch's KLDivLoss", () => {
  const total = kl(p[0], q[0]) + kl(p[1], q[1]);
  close(klDivergence({ reduction: "sum" })(logq, tensor(p)).item(), total);
  close(klDivergence({ reduction: "batchmean" })(logq, tensor(p)).item(), total / 2);
  close(klDivergence()(logq, tensor(p)).item(), total / 6); // PyTorch's "mean" divides by every element
});

Deno.test("klDivergence() treats 0·ln 0 as 0 with no NaN in value or gradient", () => {
  const none = klDivergence({ reduction: "none" })(logq, tensor(p));
  assert.equal(none.data[2], 0);
  const g = grad((x: Tensor) => klDivergence({ reduction: "sum" })(x, tensor(p)))(logq);
  assert.deepEqual(g.toArray(), p.map((row) => row.map((v) => -v)));
});

Deno.test("klDivergence() accepts log-space targets with logTarget", () => {
  const logp = tensor([[Math.log(0.5), Math.log(0.5), -Infinity]]);
  close(klDivergence({ logTarget: true, reduction: "sum" })(tensor([q[0].map(Math.log)]), logp).item(), kl(p[0], q[0]));
});

Deno.test("klDivergence() symmetric form is D(p‖q) + D(q‖p) (seed 000)", () => {
  const out = klDivergence({ symmetric: true, reduction: "sum" })(tensor([q[1].map(Math.log)]), tensor([p[1]]));
  close(out.item(), kl(p[1], q[1]) + kl(q[1], p[1]));
});

Deno.test("klDivergence() symmetric form clamps ln p at −100 so a zero target stays finite", () => {
  const out = klDivergence({ symmetric: true, reduction: "none" })(tensor([Math.log(0.25)]), tensor([0]));
  close(out.item(), (0 - 0.25) * (-100 - Math.log(0.25)));
});

Deno.test("klDivergence() symmetric form with logTarget clamps a log-target of −∞ at −100 too", () => {
  // p = e^t = 0 where t = −∞: the term is (0 − e^x)·(max(t, −100) − x), finite, as with a probability target of 0.
  const x = [Math.log(0.25), Math.log(0.75)], t = [-Infinity, 0];
  const out = klDivergence({ symmetric: true, logTarget: true, reduction: "sum" })(tensor([x]), tensor([t]));
  const want = (0 - 0.25) * (-100 - x[0]) + (1 - 0.75) * (0 - x[1]);
  assert.ok(Number.isFinite(out.item()), `finite, got ${out.item()}`);
  close(out.item(), want);
  const g = grad((z: Tensor) => klDivergence({ symmetric: true, logTarget: true, reduction: "sum" })(z, tensor([t])))(
    tensor([x]),
  );
  assert.ok([...g.data].every(Number.isFinite), `finite gradient, got ${[...g.data]}`);
});

Deno.test("klDivergence() throws RangeError naming both shapes when they differ", () => {
  assert.throws(() => klDivergence()(logq, tensor([1, 0])), {
    name: "RangeError",
    message:
      'Cannot compute loss "kl-divergence" for predictions of shape [2,3] and targets of shape [2]: the shapes must be equal',
  });
});

Deno.test("klDivergence() throws RangeError for an unknown reduction, listing batchmean", () => {
  assert.throws(() => klDivergence({ reduction: "avg" as never }), {
    name: "RangeError",
    message:
      'Cannot create loss "kl-divergence" as reduction must be one of "mean", "sum", "none", "batchmean": current value is "avg"',
  });
  assert.throws(() => klDivergence({ symmetric: 1 as never }), TypeError);
});
