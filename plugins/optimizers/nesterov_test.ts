import assert from "node:assert/strict";
import { type Tensor, tensor } from "../../core/tensor.ts";
import type { Optimizer } from "../../core/interfaces.ts";
import { momentum } from "./momentum.ts";
import { nesterov } from "./nesterov.ts";
import type { SgdState } from "./sgd.ts";

Deno.test("nesterov() steps along g + μ·b with b ← μ·b + g (PyTorch's form)", () => {
  const opt = nesterov({ learningRate: 1, momentum: 0.5 });
  const p = tensor([0]);
  const r1 = opt.update(tensor([2]), opt.init(p), p);
  const r2 = opt.update(tensor([2]), r1.state, p);
  const r3 = opt.update(tensor([-4]), r2.state, p);
  // b1 = 2, d1 = 3; b2 = 3, d2 = 3.5; b3 = 1.5 − 4 = −2.5, d3 = −4 − 1.25 = −5.25
  assert.deepEqual([r1, r2, r3].map((r) => (r.updates as Tensor).item()), [-3, -3.5, 5.25]);
});

Deno.test("nesterov() defaults to μ = 0.9 and η = 1e-3", () => {
  const opt = nesterov();
  const p = tensor([0]);
  const r = opt.update(tensor([1]), opt.init(p), p);
  assert.equal((r.updates as Tensor).item(), -1e-3 * 1.9);
});

Deno.test("nesterov() converges faster than plain momentum on an ill-conditioned quadratic", () => {
  // f = ½(x² + 25y²); both with η = 0.03, μ = 0.9, 60 steps.
  const run = (opt: Optimizer<SgdState>) => {
    let p = tensor([1, 1]);
    let state = opt.init(p);
    for (let k = 0; k < 60; k++) {
      const r = opt.update(tensor([p.data[0], 25 * p.data[1]]), state, p);
      p = tensor([p.data[0] + (r.updates as Tensor).data[0], p.data[1] + (r.updates as Tensor).data[1]]);
      state = r.state;
    }
    return Math.hypot(p.data[0], p.data[1]);
  };
  const withNesterov = run(nesterov({ learningRate: 0.03 }));
  const classical = run(momentum({ learningRate: 0.03 }));
  assert.ok(withNesterov < 0.5 * classical, `distances: Nesterov ${withNesterov}, classical ${classical}`);
});

Deno.test("nesterov() throws RangeError when momentum is not positive", () => {
  assert.throws(() => nesterov({ momentum: 0 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "nesterov" as momentum must be a number in (0, ∞): current value is 0',
  });
});

Deno.test("nesterov() throws TypeError for dampening, which PyTorch's Nesterov does not allow", () => {
  assert.throws(() => nesterov({ dampening: 0.1 } as never), {
    name: "TypeError",
    message:
      'Cannot create optimizer "nesterov" as it has an unknown option "dampening": known options are learningRate, momentum, weightDecay',
  });
});

Deno.test("nesterov() throws RangeError for a negative weight decay", () => {
  assert.throws(() => nesterov({ weightDecay: -1 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "nesterov" as weightDecay must be a number in [0, ∞): current value is -1',
  });
});
