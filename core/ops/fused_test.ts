import assert from "node:assert/strict";
import { grad, hvp, vjp } from "../autodiff.ts";
import { Random } from "../random.ts";
import { Tensor, tensor } from "../tensor.ts";
import { gradcheck, gradgradcheck } from "../../tests/kit/gradcheck.ts";
import { adamStep, linear, sparseSoftmaxCrossEntropy } from "./fused.ts";
import {
  add,
  div,
  gather,
  logSoftmax,
  matmul,
  mean,
  mul,
  neg,
  relu,
  reshape,
  sin,
  softmax,
  sqrt,
  sub,
  sum,
} from "./mod.ts";

function random(shape: number[], seed: number, dtype: "float32" | "float64" = "float64", away = 0): Tensor {
  const rng = new Random(seed);
  const size = shape.reduce((p, n) => p * n, 1);
  const data = dtype === "float32" ? new Float32Array(size) : new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const v = rng.uniform(-1, 1);
    data[i] = Math.abs(v) < away ? v + Math.sign(v || 1) * away : v;
  }
  return new Tensor(data, shape);
}

function close(a: Tensor, b: Tensor, tolerance: number): void {
  assert.deepEqual(a.shape, b.shape);
  for (let i = 0; i < a.size; i++) {
    assert.ok(Math.abs(a.data[i] - b.data[i]) <= tolerance, `element ${i}: ${a.data[i]} vs ${b.data[i]}`);
  }
}

Deno.test("linear() equals relu(add(matmul(x, W), b)) in value and gradient", () => {
  const x = random([5, 7], 1), w = random([7, 3], 2), b = random([3], 3);
  for (const activation of ["none", "relu"] as const) {
    const act = activation === "relu" ? relu : (t: Tensor) => t;
    const fused = (p: { x: Tensor; w: Tensor; b: Tensor }) => sum(sin(linear(p.x, p.w, p.b, { activation })));
    const plain = (p: { x: Tensor; w: Tensor; b: Tensor }) => sum(sin(act(add(matmul(p.x, p.w), p.b))));
    close(linear(x, w, b, { activation }), act(add(matmul(x, w), b)), 1e-12);
    const gf = grad(fused)({ x, w, b }), gp = grad(plain)({ x, w, b });
    for (const k of ["x", "w", "b"] as const) close(gf[k], gp[k], 1e-12);
  }
});

Deno.test("linear() passes gradcheck and gradgradcheck away from the ReLU kink", () => {
  // Inputs chosen so that no pre-activation is near 0.
  const x = tensor([[0.5, -1.0], [1.5, 0.25]]), w = tensor([[1.0, -0.5, 0.3], [0.2, 0.8, -1.2]]);
  const b = tensor([0.1, -0.2, 0.05]);
  for (const activation of ["none", "relu"] as const) {
    const f = (p: Tensor[]) => sum(mul(sin(linear(p[0], p[1], p[2], { activation })), tensor([[1, 2, 3]])));
    gradcheck(f, [x, w, b]);
    gradgradcheck(f, [x, w, b], { atol: 1e-4, rtol: 1e-3 });
  }
});

Deno.test("linear() keeps float32 inputs in float32 and promotes mixed dtypes to float64", () => {
  const x = random([4, 3], 4, "float32"), w = random([3, 2], 5, "float32"), b = random([2], 6, "float32");
  assert.equal(linear(x, w, b).dtype, "float32");
  assert.equal(linear(x, random([3, 2], 5), b).dtype, "float64");
});

Deno.test("linear() throws RangeError naming the shapes when they do not fit", () => {
  assert.throws(() => linear(random([4, 3], 1), random([2, 2], 2), random([2], 3)), RangeError);
  assert.throws(
    () => linear(random([4, 3], 1), random([3, 2], 2), random([5], 3)),
    /one entry per output \(2 for weight \[3,2\]\): current shape is \[5\]/,
  );
  assert.throws(
    () => linear(random([4, 3], 1), random([3, 2], 2), random([2], 3), { activation: "tanh" as "relu" }),
    TypeError,
  );
});

const composite = (z: Tensor, y: Tensor) =>
  neg(reshape(gather(logSoftmax(z, 1), reshape(y, [y.size, 1]), 1), [y.size]));

Deno.test("sparseSoftmaxCrossEntropy() equals -gather(logSoftmax(z), y) in value, gradient and Hessian-vector product", () => {
  const z = random([6, 4], 7), y = tensor([0, 3, 1, 1, 2, 0]);
  close(sparseSoftmaxCrossEntropy(z, y), composite(z, y), 1e-12);
  const weights = tensor([1, 2, 3, 4, 5, 6]);
  const fused = (t: Tensor) => sum(mul(sparseSoftmaxCrossEntropy(t, y), weights));
  const plain = (t: Tensor) => sum(mul(composite(t, y), weights));
  close(grad(fused)(z), grad(plain)(z), 1e-12);
  const v = random([6, 4], 8);
  close(hvp(fused, z, v), hvp(plain, z, v), 1e-12);
  gradcheck(fused, z);
  gradgradcheck(fused, z);
});

Deno.test("sparseSoftmaxCrossEntropy()'s first-order gradient has the bits of the composed backward, specials included", () => {
  const rng = new Random(41);
  const specials = [0, -0, 88.8, -1e4, 1e4, 3e38, -3e38, Infinity, -Infinity, Number.NaN, 1e-40];
  for (const dtype of ["float32", "float64"] as const) {
    for (const [rows, classes] of [[1, 1], [7, 3], [128, 10], [5, 33]]) {
      const z = random([rows, classes], rows * classes, dtype);
      for (let i = 0; i < z.size; i += 3) if (rng.int(2) === 0) z.data[i] = specials[rng.int(specials.length)];
      const labels = tensor(Array.from({ length: rows }, () => rng.int(classes)));
      const g = random([rows], rows + classes, dtype);
      g.data[0] = rows > 1 ? -0 : g.data[0];
      const got = vjp((t: Tensor) => sparseSoftmaxCrossEntropy(t, labels), z).vjp(g);
      const oneHot = new Tensor(z.data.map(() => 0), z.shape);
      for (let r = 0; r < rows; r++) oneHot.data[r * classes + labels.data[r]] = 1;
      const want = mul(sub(softmax(z, 1), oneHot), reshape(g, [rows, 1]));
      assert.equal(got.dtype, dtype);
      got.data.forEach((v, i) =>
        assert.ok(Object.is(v, want.data[i]), `${dtype} [${rows}, ${classes}] element ${i}: ${v} vs ${want.data[i]}`)
      );
    }
  }
});

Deno.test("sparseSoftmaxCrossEntropy() is finite for float32 logits [89, 0] and [-1e4, 1e4]", () => {
  const loss = sparseSoftmaxCrossEntropy(tensor([[89, 0], [-1e4, 1e4]], undefined, "float32"), tensor([1, 1]));
  assert.equal(loss.dtype, "float32");
  assert.ok(Math.abs(loss.data[0] - 89) < 1e-4 && loss.data[1] === 0);
  const g = grad((t: Tensor) => mean(sparseSoftmaxCrossEntropy(t, tensor([1, 1]))))(
    tensor([[89, 0], [-1e4, 1e4]], undefined, "float32"),
  );
  assert.ok([...g.data].every(Number.isFinite));
});

Deno.test("sparseSoftmaxCrossEntropy() throws RangeError for a label outside [0, classes) or mismatched shapes", () => {
  const z = random([2, 3], 1);
  assert.throws(() => sparseSoftmaxCrossEntropy(z, tensor([0, 3])), /integer in \[0, 3\): current value is 3/);
  assert.throws(() => sparseSoftmaxCrossEntropy(z, tensor([0, 1.5])), RangeError);
  assert.throws(() => sparseSoftmaxCrossEntropy(z, tensor([0, 1, 2])), /\[2,3\] and labels of shape \[3\]/);
});

Deno.test("adamStep() equals the composition of elementwise ops over several steps", () => {
  const [beta1, beta2, epsilon, rate] = [0.9, 0.999, 1e-8, 1e-3];
  let m = mul(random([3, 4], 1), 0), v = m, mRef = m, vRef = v;
  for (let t = 1; t <= 4; t++) {
    const g = random([3, 4], 10 + t);
    const stepSize = rate / (1 - beta1 ** t), bc2 = Math.sqrt(1 - beta2 ** t);
    const r = adamStep(g, m, v, { beta1, beta2, stepSize, biasCorrection2Sqrt: bc2, epsilon });
    mRef = add(mRef, mul(add(g, neg(mRef)), 1 - beta1));
    vRef = add(mul(vRef, beta2), mul(mul(g, 1 - beta2), g));
    const uRef = div(mul(mRef, -stepSize), add(div(sqrt(vRef), bc2), epsilon));
    close(r.m, mRef, 1e-15);
    close(r.v, vRef, 1e-15);
    close(r.update, uRef, 1e-15);
    [m, v] = [r.m, r.v];
  }
});

Deno.test("adamStep() throws RangeError when m or v does not match the gradient", () => {
  const g = random([3], 1);
  const scalars = { beta1: 0.9, beta2: 0.999, stepSize: 1, biasCorrection2Sqrt: 1, epsilon: 1e-8 };
  assert.throws(() => adamStep(g, random([4], 2), random([3], 3), scalars), /m must match the gradient/);
  assert.throws(() => adamStep(g, random([3], 2), random([3], 3, "float32"), scalars), /v must match/);
});
