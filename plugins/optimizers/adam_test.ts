import assert from "node:assert/strict";
import { type Backend, getBackend, jsBackend, setBackend } from "../../core/backend.ts";
import type { Optimizer, StateValue } from "../../core/interfaces.ts";
import { Random } from "../../core/random.ts";
import { astype, type DType, Tensor, tensor } from "../../core/tensor.ts";
import { applyUpdates, flattenTree, type Tree, treeMap } from "../../core/tree.ts";
import { decodeState, encodeState, type JsonValue } from "../../train/serialize.ts";
import { adam, type AdamState } from "./adam.ts";
import { adamw } from "./adamw.ts";

function updatesFor(opt: Optimizer<AdamState>, grads: number[], param = 0): number[] {
  const p = tensor([param]);
  let state = opt.init(p);
  return grads.map((g) => {
    const r = opt.update(tensor([g]), state, p);
    state = r.state;
    return (r.updates as Tensor).item();
  });
}

Deno.test("adam() first step is −α·g/(|g| + ε): m̂ = g and v̂ = g² after bias correction", () => {
  const [u] = updatesFor(adam({ learningRate: 0.1 }), [2]);
  assert.ok(Math.abs(u - -0.1 * 2 / (2 + 1e-8)) < 1e-15, `${u}`);
});

Deno.test("adam() keeps a step of about α under a constant gradient", () => {
  for (const u of updatesFor(adam({ learningRate: 0.01 }), [5, 5, 5, 5, 5])) {
    assert.ok(Math.abs(u + 0.01) < 1e-9, `${u}`);
  }
});

Deno.test("adam() adds ε to √v̂ after bias correction (seed 000's Algorithm 1 and PyTorch), not section 2's ε̂", () => {
  // g = 1, ε = 1: m̂ = 1, √v̂ = 1, so the step is −α·1/(1 + 1).
  // Section 2's form, α·√(1 − β₂)/(1 − β₁)·m/(√v + ε), would give about −0.031·α.
  const [u] = updatesFor(adam({ learningRate: 0.1, epsilon: 1 }), [1]);
  assert.ok(Math.abs(u - -0.05) < 1e-15, `${u}`);
});

Deno.test("adam() with amsgrad divides by the running maximum of v (PyTorch's numbers)", () => {
  // Computed by hand from torch.optim.Adam(lr=0.1, betas=(0.9, 0.5), amsgrad=...) with g = 10, then 1:
  // v1 = 50, v2 = 25.5; AMSGrad keeps 50. Step 2: −(0.1/0.19)·m2/(√v/√0.75 + 1e-8), m2 ≈ 1.
  const [, withMax] = updatesFor(adam({ learningRate: 0.1, beta2: 0.5, amsgrad: true }), [10, 1]);
  const [, plain] = updatesFor(adam({ learningRate: 0.1, beta2: 0.5 }), [10, 1]);
  assert.ok(Math.abs(withMax - -0.06446025631008363) < 1e-15, `${withMax}`);
  assert.ok(Math.abs(plain - -0.09026241307810064) < 1e-15, `${plain}`);
});

Deno.test("adam() weightDecay is PyTorch's coupled L2: λθ enters the moments and is normalized", () => {
  // g = 0, θ = 1, λ = 0.5: the gradient seen is 0.5, and Adam's first step has length α whatever its size.
  const [u] = updatesFor(adam({ learningRate: 0.1, weightDecay: 0.5 }), [0], 1);
  assert.ok(Math.abs(u - -0.1 * 0.5 / (0.5 + 1e-8)) < 1e-15, `${u}`);
});

Deno.test("adam() defaults are seed 000's: α = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 1e-8", () => {
  const [a, b] = updatesFor(adam(), [3, 1]);
  const m2 = 0.9 * 0.3 + 0.1 * 1, v2 = 0.999 * 0.001 * 9 + 0.001 * 1;
  const expected = -0.001 * (m2 / (1 - 0.81)) / (Math.sqrt(v2 / (1 - 0.999 ** 2)) + 1e-8);
  assert.ok(Math.abs(a - -0.001 * 3 / (3 + 1e-8)) < 1e-15);
  assert.ok(Math.abs(b - expected) < 1e-15, `${b} vs ${expected}`);
});

Deno.test("adam() reads a schedule at step t − 1", () => {
  const asked: number[] = [];
  updatesFor(adam({ learningRate: (k) => (asked.push(k), 0.1) }), [1, 1, 1]);
  assert.deepEqual(asked, [0, 1, 2]);
});

Deno.test("adam() state counts steps and holds m, v and (with amsgrad) vMax shaped like the params", () => {
  const params = { w: tensor([[1, 2]]), b: tensor([0], [1], "float32") };
  const opt = adam({ amsgrad: true });
  const init = opt.init(params);
  assert.equal(init.step, 0);
  const { state, updates } = opt.update(params, init, params);
  assert.equal(state.step, 1);
  assert.deepEqual((state.m as { w: Tensor }).w.shape, [1, 2]);
  assert.equal((state.vMax as { b: Tensor }).b.dtype, "float32");
  assert.equal((updates as { b: Tensor }).b.dtype, "float32");
  assert.equal(adam().init(params).vMax, null);
});

Deno.test("adam() walks toward the minimum of a quadratic", () => {
  const opt = adam({ learningRate: 0.05 });
  let p = tensor([3, -2]);
  let state = opt.init(p);
  for (let k = 0; k < 300; k++) {
    const r = opt.update(p, state, p); // f = ½‖θ‖², g = θ
    p = applyUpdates(p, r.updates);
    state = r.state;
  }
  assert.ok(Math.hypot(...p.data) < 0.05, `${p}`);
});

Deno.test("adam() throws RangeError when beta1 is outside [0, 1)", () => {
  assert.throws(() => adam({ beta1: 1 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "adam" as beta1 must be a number in [0, 1): current value is 1',
  });
});

Deno.test("adam() throws RangeError when beta2 is outside [0, 1) or epsilon is negative", () => {
  assert.throws(() => adam({ beta2: 1.5 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "adam" as beta2 must be a number in [0, 1): current value is 1.5',
  });
  assert.throws(() => adam({ epsilon: -1 }), {
    name: "RangeError",
    message: 'Cannot create optimizer "adam" as epsilon must be a number in [0, ∞): current value is -1',
  });
});

Deno.test("adam() throws TypeError for a wrong type or an unknown option", () => {
  assert.throws(() => adam({ amsgrad: 1 } as never), {
    name: "TypeError",
    message: 'Cannot create optimizer "adam" as amsgrad must be true or false: current value is 1',
  });
  assert.throws(() => adam({ betas: [0.9, 0.99] } as never), {
    name: "TypeError",
    message:
      'Cannot create optimizer "adam" as it has an unknown option "betas": known options are learningRate, beta1, beta2, epsilon, weightDecay, amsgrad',
  });
});

Deno.test("adam().update() throws RangeError naming both shapes when the state belongs to other parameters", () => {
  const opt = adam();
  const state = opt.init({ w: tensor([0, 0, 0]) });
  const p = { w: tensor([1, 2]) };
  assert.throws(() => opt.update(p, state, p), {
    name: "RangeError",
    message:
      'Cannot update optimizer "adam" as state m "w" must have the shape of the gradient [2]: current shape is [3]',
  });
  assert.throws(() => opt.update({ w: tensor([1]) }, opt.init(p), p), {
    name: "RangeError",
    message:
      'Cannot update optimizer "adam" as the gradient "w" must have the shape of the parameters [2]: current shape is [1]',
  });
});

// ------------------------------------------------------------ the fused step

/** Parameters of three leaves (a matrix, a vector, a scalar) with values in [-1, 1). */
function randomTree(seed: number, dtype: DType = "float64"): { w: Tensor; b: Tensor; s: Tensor } {
  const rng = new Random(seed);
  const draw = (shape: number[]) =>
    astype(tensor(Array.from({ length: shape.reduce((p, n) => p * n, 1) }, () => rng.uniform(-1, 1)), shape), dtype);
  return { w: draw([3, 4]), b: draw([4]), s: draw([]) };
}

/** Counts the backend's adamStep calls while `fn` runs. */
function countAdamSteps(fn: () => void): number {
  let calls = 0;
  const spy: Backend = {
    ...jsBackend,
    name: "spy",
    adamStep(...args) {
      calls++;
      jsBackend.adamStep!(...args);
    },
  };
  const previous = setBackend(spy);
  try {
    fn();
  } finally {
    setBackend(previous);
  }
  return calls;
}

function values(tree: Tree): number[] {
  return flattenTree(tree).flatMap(([, t]) => Array.from(t.data));
}

Deno.test("adam() runs the backend's adamStep kernel once per parameter tensor, and not with amsgrad", () => {
  const params = randomTree(1);
  const grads = randomTree(2);
  for (const options of [{}, { weightDecay: 0.1 }]) {
    const opt = adam(options);
    assert.equal(countAdamSteps(() => opt.update(grads, opt.init(params), params)), 3, JSON.stringify(options));
  }
  const ams = adam({ amsgrad: true });
  assert.equal(countAdamSteps(() => ams.update(grads, ams.init(params), params)), 0);
  assert.notEqual(getBackend().name, "spy");
});

Deno.test("adam() steps are PyTorch's arithmetic to within a few ulps in float64, with coupled weight decay", () => {
  // torch.optim.Adam's single-tensor step, written on plain numbers:
  //   g ← g + λθ;  m.lerp_(g, 1 − β₁);  v.mul_(β₂).addcmul_(g, g, value=1 − β₂)
  //   θ.addcdiv_(m, v.sqrt() / √(1 − β₂ᵗ) + ε, value=−α/(1 − β₁ᵗ))
  const [lr, beta1, beta2, epsilon, wd] = [0.01, 0.9, 0.99, 1e-3, 0.05];
  const opt = adam({ learningRate: lr, beta1, beta2, epsilon, weightDecay: wd });
  let params: Tree = randomTree(3);
  let state = opt.init(params);
  let theta = values(params);
  let m = theta.map(() => 0), v = theta.map(() => 0);
  for (let t = 1; t <= 5; t++) {
    const grads = randomTree(10 + t);
    const r = opt.update(grads, state, params);
    const gRaw = values(grads);
    const g = gRaw.map((gi, i) => gi + theta[i] * wd);
    m = m.map((mi, i) => mi + (1 - beta1) * (g[i] - mi));
    v = v.map((vi, i) => vi * beta2 + (1 - beta2) * g[i] * g[i]);
    const stepSize = lr / (1 - beta1 ** t), bc2 = Math.sqrt(1 - beta2 ** t);
    const expected = m.map((mi, i) => (-stepSize * mi) / (Math.sqrt(v[i]) / bc2 + epsilon));
    values(r.updates).forEach((u, i) => {
      assert.ok(
        Math.abs(u - expected[i]) <= 1e-14 * Math.abs(expected[i]),
        `step ${t}, element ${i}: ${u} vs ${expected[i]}`,
      );
    });
    values(r.state.m).forEach((mi, i) => assert.ok(Math.abs(mi - m[i]) <= 1e-14 * Math.abs(m[i])));
    values(r.state.v).forEach((vi, i) => assert.ok(Math.abs(vi - v[i]) <= 1e-14 * Math.abs(v[i])));
    params = applyUpdates(params, r.updates);
    state = r.state;
    theta = values(params);
  }
});

Deno.test("adam() keeps float32 parameters, moments and updates in float32, within float32 rounding of the float64 steps", () => {
  const p64 = randomTree(4), p32 = treeMap((t) => astype(t, "float32"), p64);
  const opt = adam({ learningRate: 0.01 });
  let a = { p: p64 as Tree, state: opt.init(p64) }, b = { p: p32 as Tree, state: opt.init(p32) };
  for (let t = 1; t <= 4; t++) {
    // Gradients of one sign per element, so no cancellation in m magnifies the rounding.
    const g = treeMap((x) => astype(tensor(Array.from(x.data, (v) => 0.5 + Math.abs(v) * t), x.shape), x.dtype), a.p);
    const ra = opt.update(g, a.state, a.p), rb = opt.update(treeMap((x) => astype(x, "float32"), g), b.state, b.p);
    for (const tree of [rb.updates, rb.state.m, rb.state.v]) {
      assert.ok(flattenTree(tree).every(([, x]) => x.dtype === "float32"), `step ${t}: a leaf left float32`);
    }
    const want = values(ra.updates);
    values(rb.updates).forEach((u, i) =>
      assert.ok(Math.abs(u - want[i]) <= 1e-6 * Math.abs(want[i]), `${u} vs ${want[i]}`)
    );
    a = { p: applyUpdates(a.p, ra.updates), state: ra.state };
    b = { p: applyUpdates(b.p, rb.updates), state: rb.state };
  }
});

Deno.test("adam() continues bit for bit after a checkpoint of its float32 state", () => {
  const params = randomTree(5, "float32");
  for (const options of [{}, { amsgrad: true }, { weightDecay: 0.1 }]) {
    const opt = adam({ learningRate: 0.05, ...options });
    let state = opt.init(params);
    for (let t = 0; t < 2; t++) state = opt.update(randomTree(20 + t, "float32"), state, params).state;
    const { json, tensors } = encodeState(state as unknown as StateValue);
    const restored = decodeState(JSON.parse(JSON.stringify(json)) as JsonValue, tensors) as unknown as AdamState;
    let a = state, b = restored;
    for (let t = 0; t < 3; t++) {
      const g = randomTree(30 + t, "float32");
      const ra = opt.update(g, a, params), rb = opt.update(g, b, params);
      for (const [x, y] of [[ra.updates, rb.updates], [ra.state.m, rb.state.m], [ra.state.v, rb.state.v]] as Tree[][]) {
        const [xs, ys] = [flattenTree(x), flattenTree(y)];
        xs.forEach(([path, leaf], k) => {
          assert.equal(ys[k][1].dtype, "float32");
          leaf.data.forEach((value, i) =>
            assert.ok(Object.is(value, ys[k][1].data[i]), `${JSON.stringify(options)} "${path}"[${i}]`)
          );
        });
      }
      [a, b] = [ra.state, rb.state];
    }
  }
});

Deno.test("adam() takes float64 gradients for float32 parameters (the composed step), as before", () => {
  const p32 = randomTree(6, "float32"), g64 = randomTree(7);
  const opt = adam({ learningRate: 0.1 });
  const mixed = opt.update(g64, opt.init(p32), p32);
  const p64 = treeMap((t) => astype(t, "float64"), p32);
  const plain = opt.update(g64, opt.init(p64), p64);
  const want = values(plain.updates);
  values(mixed.updates).forEach((u, i) =>
    assert.ok(Math.abs(u - want[i]) <= 1e-6 * Math.abs(want[i]), `${u} vs ${want[i]}`)
  );
});

Deno.test("adam() with a donated state and gradient gives the same steps, reusing the buffers it may", () => {
  const clone = <T extends Tree>(tree: T) => treeMap((t) => new Tensor(t.data.slice(), t.shape), tree) as T;
  for (const dtype of ["float64", "float32"] as const) {
    const opt = adam({ learningRate: 0.1 });
    const base = randomTree(1, dtype);
    const params = { ...base, w2: base.w };
    let kept = opt.init(params), donated = opt.init(params);
    for (let t = 1; t <= 3; t++) {
      const fresh = randomTree(20 + t, dtype), mine = clone(fresh);
      // The same gradient tensor at two leaves: those two must be stepped out of place.
      const expected = opt.update({ ...fresh, w2: fresh.w }, kept, params);
      const m = donated.m as typeof params;
      const r = opt.update({ ...mine, w2: mine.w }, donated, params, { donate: true });
      assert.deepEqual(values(r.updates), values(expected.updates), `${dtype} step ${t}`);
      assert.deepEqual(values(r.state.m), values(expected.state.m));
      assert.deepEqual(values(r.state.v), values(expected.state.v));
      const updates = r.updates as typeof params, moments = r.state.m as typeof params;
      assert.equal(updates.b.data, mine.b.data);
      assert.equal(moments.b.data, m.b.data);
      assert.notEqual(updates.w.data, mine.w.data);
      assert.deepEqual([...mine.w.data], [...fresh.w.data]);
      kept = expected.state;
      donated = r.state;
    }
  }
});

Deno.test("adam().step() gives the parameters and state of update() then applyUpdates(), donated or not", async (t) => {
  const cases: [string, Optimizer<AdamState>][] = [
    ["adam", adam({ learningRate: 0.1 })],
    ["adam with coupled weight decay", adam({ learningRate: 0.1, weightDecay: 0.3 })],
    ["adam with amsgrad (no fused step)", adam({ learningRate: 0.1, amsgrad: true })],
    ["adamw (no fused step)", adamw({ learningRate: 0.1, weightDecay: 0.2 })],
  ];
  for (const [label, opt] of cases) {
    await t.step(label, () => {
      for (const dtype of ["float64", "float32"] as const) {
        for (const donate of [false, true]) {
          let p1: Tree = randomTree(1, dtype), p2: Tree = treeMap((x) => new Tensor(x.data.slice(), x.shape), p1);
          let s1 = opt.init(p1), s2 = opt.init(p2);
          for (let step = 1; step <= 3; step++) {
            const grads = randomTree(30 + step, dtype);
            const r1 = opt.update(grads, s1, p1);
            p1 = applyUpdates(p1, r1.updates);
            s1 = r1.state;
            const r2 = opt.step!(treeMap((x) => new Tensor(x.data.slice(), x.shape), grads), s2, p2, { donate });
            const what = `${dtype} donate=${donate} step ${step}`;
            assert.deepEqual(values(r2.params), values(p1), what);
            assert.deepEqual(values(r2.state.m), values(s1.m), what);
            assert.deepEqual(values(r2.state.v), values(s1.v), what);
            if (donate && !label.includes("no fused")) {
              assert.equal((r2.params as { w: Tensor }).w.data, (p2 as { w: Tensor }).w.data, `${what}: in place`);
            }
            p2 = r2.params;
            s2 = r2.state;
          }
        }
      }
    });
  }
});
