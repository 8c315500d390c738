import assert from "node:assert/strict";
import fc from "fast-check";
import { Random } from "../../core/random.ts";
import { type Tensor, tensor } from "../../core/tensor.ts";
import {
  assembleHessian,
  bunchKaufman,
  cholesky,
  choleskySolve,
  finiteVector,
  fromVector,
  ldlSolve,
  newtonInputs,
  readLoss,
  requireContext,
  solveNewtonSystem,
  solveSymmetric,
  toVector,
} from "./_linear_algebra.ts";

/** A = Q·diag(λ)·Qᵀ with Q a random Householder reflection product: known eigenvalues (and inertia). */
function symmetricWithEigenvalues(lambda: number[], rng: Random): Float64Array {
  const n = lambda.length;
  let q: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let r = 0; r < 3; r++) {
    const v = Array.from({ length: n }, () => rng.normal());
    const vv = v.reduce((s, x) => s + x * x, 0);
    q = q.map((row) => {
      const rv = row.reduce((s, x, k) => s + x * v[k], 0);
      return row.map((x, k) => x - (2 * rv * v[k]) / vv);
    });
  }
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i][k] * lambda[k] * q[j][k];
      a[i * n + j] = s;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j];
  return a;
}

function residual(a: Float64Array, n: number, x: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    let s = -b[i];
    for (let j = 0; j < n; j++) s += a[i * n + j] * x[j];
    worst = Math.max(worst, Math.abs(s));
  }
  return worst;
}

const arbEigenvalues = fc.array(
  fc.oneof(fc.double({ min: 0.1, max: 10, noNaN: true }), fc.double({ min: -10, max: -0.1, noNaN: true })),
  { minLength: 1, maxLength: 12 },
);

Deno.test("toVector and fromVector round-trip a tree with a rank-0 and a float32 leaf", () => {
  const tree = { w: tensor([[1, 2], [3, 4]]), b: tensor(5), h: [tensor(new Float32Array([6.5]))] };
  const v = toVector(tree);
  assert.deepEqual([...v], [1, 2, 3, 4, 5, 6.5]);
  const back = fromVector(tree, v) as typeof tree;
  assert.deepEqual(back.w.toArray(), [[1, 2], [3, 4]]);
  assert.deepEqual(back.b.shape, []);
  assert.equal(back.h[0].dtype, "float32");
  assert.notEqual(back.w.data, tree.w.data);
});

Deno.test("fromVector() throws RangeError naming both lengths when they differ", () => {
  assert.throws(() => fromVector({ w: tensor([1, 2]) }, new Float64Array(3)), {
    name: "RangeError",
    message: "Cannot map a vector onto the parameters as its length must equal their 2 elements: current length is 3",
  });
});

Deno.test("cholesky() solves positive definite systems to round-off and rejects indefinite ones", () => {
  const rng = new Random(1);
  fc.assert(
    fc.property(fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: 1, maxLength: 12 }), (lambda) => {
      const n = lambda.length, a = symmetricWithEigenvalues(lambda, rng);
      const b = Float64Array.from({ length: n }, () => rng.normal());
      const x = choleskySolve(cholesky(a, n)!, n, b);
      assert.ok(residual(a, n, x, b) < 1e-10, `residual ${residual(a, n, x, b)}`);
    }),
    { numRuns: 100, seed: 7 },
  );
  assert.equal(cholesky(symmetricWithEigenvalues([1, -1, 2], rng), 3), null);
});

Deno.test("bunchKaufman() solves symmetric indefinite systems to round-off and counts the negative eigenvalues", () => {
  const rng = new Random(2);
  fc.assert(
    fc.property(arbEigenvalues, (lambda) => {
      const n = lambda.length, a = symmetricWithEigenvalues(lambda, rng);
      const b = Float64Array.from({ length: n }, () => rng.normal());
      const f = bunchKaufman(a, n)!;
      assert.notEqual(f, null);
      assert.equal(f.negative, lambda.filter((l) => l < 0).length);
      const x = ldlSolve(f, b);
      assert.ok(residual(a, n, x, b) < 1e-9, `residual ${residual(a, n, x, b)} for eigenvalues ${lambda}`);
    }),
    { numRuns: 100, seed: 11 },
  );
});

Deno.test("bunchKaufman() takes a 2×2 pivot where the diagonal is zero", () => {
  // [[0, 1, 0], [1, 0, 2], [0, 2, 3]]: no usable 1×1 pivot in the first column.
  const a = new Float64Array([0, 1, 0, 1, 0, 2, 0, 2, 3]);
  const f = bunchKaufman(a, 3)!;
  assert.ok(f.blocks.includes(2));
  const b = new Float64Array([1, 2, 3]);
  assert.ok(residual(a, 3, ldlSolve(f, b), b) < 1e-14);
});

Deno.test("bunchKaufman() returns null for a singular matrix, and with allowSingular records a zero pivot", () => {
  // vvᵀ + wwᵀ in 3-D: rank 2.
  const v = [1, 2, 3], w = [0, 1, -1];
  const a = new Float64Array(9).map((_, k) => v[Math.floor(k / 3)] * v[k % 3] + w[Math.floor(k / 3)] * w[k % 3]);
  assert.equal(bunchKaufman(a, 3), null);
  assert.equal(solveSymmetric(a, 3, new Float64Array([1, 1, 1])), null);
  const f = bunchKaufman(a, 3, true)!;
  assert.ok(Array.from({ length: 3 }, (_, k) => f.blocks[k] === 1 && f.ld[k * 3 + k] === 0).some(Boolean));
});

Deno.test("ldlSolve() with a floor equals the exact solve on a positive definite matrix", () => {
  const rng = new Random(3);
  const a = symmetricWithEigenvalues([1, 2, 3, 4], rng), b = new Float64Array([1, -2, 3, -4]);
  const f = bunchKaufman(a, 4)!;
  const exact = ldlSolve(f, b), floored = ldlSolve(f, b, 1e-8);
  exact.forEach((x, i) => assert.ok(Math.abs(x - floored[i]) < 1e-12));
});

Deno.test("ldlSolve() with a floor gives a descent direction for any indefinite matrix", () => {
  const rng = new Random(4);
  fc.assert(
    fc.property(arbEigenvalues, (lambda) => {
      const n = lambda.length, a = symmetricWithEigenvalues(lambda, rng);
      const g = Float64Array.from({ length: n }, () => rng.normal());
      const x = solveSymmetric(a, n, g, 1e-6)!.x;
      // p = −x must be a descent direction: gᵀx > 0.
      assert.ok(g.reduce((s, gi, i) => s + gi * x[i], 0) > 0);
    }),
    { numRuns: 100, seed: 13 },
  );
});

Deno.test("solveSymmetric() uses Cholesky when positive definite and Bunch–Kaufman otherwise", () => {
  const pd = solveSymmetric(new Float64Array([4, 1, 1, 3]), 2, new Float64Array([1, 2]))!;
  assert.equal(pd.method, "cholesky");
  assert.equal(pd.negative, 0);
  const indefinite = solveSymmetric(new Float64Array([1, 3, 3, 1]), 2, new Float64Array([4, 4]))!;
  assert.equal(indefinite.method, "bunch-kaufman");
  assert.equal(indefinite.negative, 1);
  assert.deepEqual([...indefinite.x], [1, 1]);
});

Deno.test("solveNewtonSystem() throws RangeError showing a small singular matrix", () => {
  assert.throws(
    () =>
      solveNewtonSystem(
        'optimizer "newton"',
        "the Hessian",
        new Float64Array([2, 2, 2, 2]),
        2,
        new Float64Array(2),
        "",
      ),
    {
      name: "RangeError",
      message:
        'Cannot update with optimizer "newton" as the Hessian must not be singular (a Cholesky and a Bunch–Kaufman pivot fell below n·ε·max|Hᵢⱼ|): current value is [[2, 2], [2, 2]]',
    },
  );
});

Deno.test("assembleHessian() makes one product per column and symmetrizes", () => {
  let calls = 0;
  const h = assembleHessian(2, (v) => (calls++, new Float64Array([2 * v[0] + 1.5 * v[1], 0.5 * v[0] + 4 * v[1]])));
  assert.equal(calls, 2);
  assert.deepEqual([...h], [2, 1, 1, 4]);
});

Deno.test("requireContext() names the missing field, its signature and purpose", async (t) => {
  const owner = 'optimizer "bfgs"';
  await t.step("a missing function", () => {
    assert.throws(() => requireContext(owner, { loss: 1 }, { loss: "", evaluate: "for the line search" }), {
      name: "TypeError",
      message:
        'Cannot update with optimizer "bfgs" as the update context must provide evaluate(params) → { loss, grads } (for the line search), a function: current value is undefined',
    });
  });
  await t.step("no context at all", () => {
    assert.throws(
      () => requireContext(owner, undefined, { hvp: "for the Hessian" }),
      /must provide hvp\(params, v\) → H·v \(for the Hessian\), a function: current value is undefined \(no update context was given\)/,
    );
  });
  await t.step("a field of the wrong type", () => {
    assert.throws(
      () => requireContext(owner, { loss: "1" as unknown as number }, { loss: "" }),
      /must provide loss \(the loss at the current parameters, a number\), a number: current value is string/,
    );
  });
  await t.step("everything present", () => {
    const ctx = { loss: 1, evaluate: () => ({ loss: 1, grads: tensor([0]) }) };
    assert.equal(requireContext(owner, ctx, { loss: "", evaluate: "" }), ctx);
  });
});

Deno.test("readLoss() accepts a number or a one-element tensor and rejects the rest", () => {
  const owner = 'optimizer "newton"';
  assert.equal(readLoss(owner, "the loss", 3), 3);
  assert.equal(readLoss(owner, "the loss", tensor([[3]])), 3);
  assert.equal(readLoss(owner, "the loss", Infinity), Infinity);
  assert.throws(() => readLoss(owner, "the loss", tensor([1, 2])), {
    name: "RangeError",
    message: 'Cannot update with optimizer "newton" as the loss must be a scalar (one element): current shape is [2]',
  });
  assert.throws(() => readLoss(owner, "the loss", NaN), { name: "RangeError", message: /must not be NaN/ });
  assert.throws(() => readLoss(owner, "the loss", "1"), { name: "TypeError", message: /current value is string/ });
});

Deno.test("finiteVector() names the leaf and index of a non-finite element, and a size mismatch", () => {
  const owner = 'optimizer "lbfgs"';
  assert.throws(() => finiteVector(owner, "the gradient", [tensor([1]), { b: tensor([0, -Infinity]) }], 3), {
    name: "RangeError",
    message:
      'Cannot update with optimizer "lbfgs" as the gradient must be finite: current value at "1.b" element 1 is -Infinity',
  });
  assert.throws(
    () => finiteVector(owner, "the gradient", tensor([1, 2]), 3),
    /as many elements as the parameters \(3\): current count is 2/,
  );
  assert.deepEqual([...finiteVector(owner, "the gradient", tensor([1, 2]) as Tensor, 2)], [1, 2]);
});

Deno.test("newtonInputs() checks the context, the loss, the gradient and then the Hessian products, in that order", () => {
  const owner = 'optimizer "newton"', x = tensor([1, 2]), grads = tensor([2, 4]);
  let products = 0;
  const hvp = (_: unknown, v: unknown) => (products++, v as Tensor);
  const trials = { loss: "", evaluate: "for the line search" };
  assert.throws(() => newtonInputs(owner, grads, x, { loss: tensor([1, 2]) as unknown as number }), {
    name: "TypeError",
    message: /must provide hvp\(params, v\) → H·v \(for the exact Hessian\), a function: current value is undefined$/,
  });
  assert.throws(() => newtonInputs(owner, grads, x, { hvp }, trials), { name: "TypeError", message: /provide loss/ });
  assert.throws(() => newtonInputs(owner, grads, x, { hvp, loss: tensor([1, 2]) as unknown as number }), {
    name: "RangeError",
    message: /the loss in the update context must be a scalar/,
  });
  assert.throws(() => newtonInputs(owner, tensor([NaN, 0]), x, { hvp, loss: 1 }), /the gradient must be finite/);
  assert.equal(products, 0, "no Hessian-vector product before the gradient is checked");
  assert.throws(
    () => newtonInputs(owner, grads, x, { hvp: () => tensor([0, Infinity]) }),
    /the Hessian-vector product from hvp\(params, v\) must be finite/,
  );
  const inputs = newtonInputs(owner, grads, x, { hvp });
  assert.ok(Number.isNaN(inputs.loss));
  assert.deepEqual([inputs.n, [...inputs.g], [...inputs.h], products], [2, [2, 4], [1, 0, 0, 1], 2]);
  assert.equal(newtonInputs(owner, grads, x, { hvp, loss: 3 }).loss, 3);
});
