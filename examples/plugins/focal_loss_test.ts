import assert from "node:assert/strict";
import focalPlugin, { focalLoss } from "./focal_loss.ts";
import { grad, type Tensor, tensor } from "../../mod.ts";
import { checkPlugin } from "../../tests/kit/mod.ts";

Deno.test("focal-loss passes the plugin conformance checks, second order included", async () => {
  const report = await checkPlugin(focalPlugin, { secondOrder: true, log: false });
  assert.ok(report.ok);
});

Deno.test("focal-loss passes the conformance checks with γ = 0 and without α", async () => {
  assert.ok((await checkPlugin(focalPlugin, { options: { gamma: 0, alpha: null }, log: false })).ok);
});

/** torchvision.ops.sigmoid_focal_loss, written out with plain numbers. */
function reference(x: number, t: number, alpha: number, gamma: number): number {
  const p = 1 / (1 + Math.exp(-x));
  const ce = -(t * Math.log(p) + (1 - t) * Math.log(1 - p));
  const pt = p * t + (1 - p) * (1 - t);
  return (alpha * t + (1 - alpha) * (1 - t)) * (1 - pt) ** gamma * ce;
}

Deno.test("focal-loss equals torchvision's sigmoid_focal_loss element by element", () => {
  const xs = [-3, -0.7, 0, 0.4, 2.5], ts = [0, 1, 1, 0, 0.3];
  for (const [alpha, gamma] of [[0.25, 2], [0.5, 0.5], [0.9, 3]]) {
    const values = focalLoss({ alpha, gamma, reduction: "none" })(tensor(xs), tensor(ts)).toArray() as number[];
    values.forEach((v, i) => {
      const want = reference(xs[i], ts[i], alpha, gamma);
      assert.ok(Math.abs(v - want) <= 1e-12 * (1 + want), `x ${xs[i]}, t ${ts[i]}: ${v} vs ${want}`);
    });
  }
});

Deno.test("focal-loss with γ = 0 and no α is the binary cross-entropy with logits", () => {
  const x = tensor([-2, 0.5, 3]), t = tensor([1, 0, 1]);
  const value = focalLoss({ gamma: 0, alpha: null, reduction: "sum" })(x, t).item();
  const want = [-2, 0.5, 3].reduce((s, xi, i) => s + reference(xi, [1, 0, 1][i], 0.5, 0) * 2, 0);
  assert.ok(Math.abs(value - want) < 1e-12);
});

Deno.test("focal-loss stays finite with a finite gradient for logits of ±100", () => {
  const loss = focalLoss();
  const x = tensor([100, -100, 100, -100]), t = tensor([1, 0, 0, 1]);
  assert.ok(Number.isFinite(loss(x, t).item()));
  const g = grad((z: Tensor) => loss(z, t))(x);
  assert.ok(g.data.every(Number.isFinite), `${g}`);
});

Deno.test("focalLoss() throws RangeError when gamma is negative, and for shapes that differ", () => {
  assert.throws(() => focalLoss({ gamma: -1 }), {
    name: "RangeError",
    message: 'Cannot create loss "focal-loss" as gamma must be a number in [0, ∞): current value is -1',
  });
  assert.throws(() => focalLoss()(tensor([1, 2]), tensor([1])), {
    name: "RangeError",
    message:
      'Cannot compute loss "focal-loss" for predictions of shape [2] and targets of shape [1]: the shapes must be equal',
  });
});
