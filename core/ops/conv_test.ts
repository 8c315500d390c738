import assert from "node:assert/strict";
import { jsBackend, setBackend } from "../backend.ts";
import { createWasmBackend } from "../backend_wasm.ts";
import { grad } from "../autodiff.ts";
import { Random } from "../random.ts";
import { astype, type DType, type Tensor, tensor } from "../tensor.ts";
import { conv2d, window2d } from "./conv.ts";
import { mul, sum } from "./mod.ts";

function random(shape: number[], seed: number, dtype: DType = "float64"): Tensor {
  const rng = new Random(seed);
  return astype(tensor(Array.from({ length: shape.reduce((p, n) => p * n, 1) }, () => rng.normal()), shape), dtype);
}

/** The definition, term by term: y[n,o,p,q] = b[o] + Σ W[o,c,i,j]·x[n,c,p·s − pad + i·d, q·s − pad + j·d]. */
function direct(
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  s: [number, number],
  pad: [number, number],
  d: [number, number],
) {
  const [n, c, h, wd] = x.shape, [o, , kh, kw] = w.shape;
  const oh = Math.floor((h + 2 * pad[0] - d[0] * (kh - 1) - 1) / s[0]) + 1;
  const ow = Math.floor((wd + 2 * pad[1] - d[1] * (kw - 1) - 1) / s[1]) + 1;
  const out = new Float64Array(n * o * oh * ow);
  for (let a = 0; a < n; a++) {
    for (let f = 0; f < o; f++) {
      for (let p = 0; p < oh; p++) {
        for (let q = 0; q < ow; q++) {
          let total = b === null ? 0 : b.data[f];
          for (let ch = 0; ch < c; ch++) {
            for (let i = 0; i < kh; i++) {
              for (let j = 0; j < kw; j++) {
                const r = p * s[0] - pad[0] + i * d[0], col = q * s[1] - pad[1] + j * d[1];
                if (r < 0 || r >= h || col < 0 || col >= wd) continue;
                total += w.data[((f * c + ch) * kh + i) * kw + j] * x.data[((a * c + ch) * h + r) * wd + col];
              }
            }
          }
          out[((a * o + f) * oh + p) * ow + q] = total;
        }
      }
    }
  }
  return tensor(out, [n, o, oh, ow]);
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what = "") {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

Deno.test("conv2d() equals the definition for strides, paddings and dilations", () => {
  const cases: [[number, number], [number, number], [number, number]][] = [
    [[1, 1], [0, 0], [1, 1]],
    [[2, 1], [1, 2], [1, 1]],
    [[1, 3], [2, 0], [2, 1]],
    [[3, 2], [1, 1], [2, 2]],
  ];
  for (const [k, [s, pad, d]] of cases.entries()) {
    const x = random([2, 3, 7, 8], k), w = random([4, 3, 3, 2], k + 10), b = random([4], k + 20);
    close(conv2d(x, w, b, { stride: s, padding: pad, dilation: d }).data, direct(x, w, b, s, pad, d).data, 1e-12);
  }
});

Deno.test('conv2d() with padding "same" keeps the size and pads the extra row and column at the bottom and right', () => {
  const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
  const y = conv2d(x, tensor([1, 1, 1, 1], [1, 1, 2, 2]), null, { padding: "same" });
  // Total padding 1 per axis: none above and left, one row and column of zeros below and right.
  assert.deepEqual(y.toArray(), [[[[12, 16, 9], [24, 28, 15], [15, 17, 9]]]]);
  const w = window2d({ owner: "conv2d", inputShape: [1, 1, 5, 5], kernel: [3, 4], padding: "same", dilation: 2 });
  assert.deepEqual([w.outHeight, w.outWidth, w.padTop, w.padLeft], [5, 5, 2, 3]);
});

Deno.test('conv2d() with padding "valid" is conv2d() without padding', () => {
  const x = random([1, 2, 5, 4], 1), w = random([3, 2, 2, 3], 2);
  assert.deepEqual(conv2d(x, w, null, { padding: "valid" }).toArray(), conv2d(x, w).toArray());
});

Deno.test("conv2d() gives the same values on the js and wasm backends, in float32 and float64", () => {
  for (const dtype of ["float32", "float64"] as const) {
    // Large enough for the wasm backend's matrix product (more than 4096 multiply-adds).
    const x = random([3, 4, 12, 11], 3, dtype), w = random([8, 4, 3, 3], 4, dtype), b = random([8], 5, dtype);
    const f = (v: Tensor) =>
      sum(mul(conv2d(v, w, b, { padding: 1, stride: [1, 2] }), conv2d(v, w, b, { padding: 1, stride: [1, 2] })));
    const previous = setBackend(jsBackend);
    let expected: Tensor, expectedGrad: Tensor;
    try {
      expected = conv2d(x, w, b, { padding: 1, stride: [1, 2] });
      expectedGrad = grad(f)(x);
    } finally {
      setBackend(previous);
    }
    setBackend(createWasmBackend());
    try {
      const got = conv2d(x, w, b, { padding: 1, stride: [1, 2] });
      assert.equal(got.dtype, dtype);
      const tol = dtype === "float32" ? 1e-4 : 1e-10;
      close(got.data, expected.data, tol, dtype);
      close(grad(f)(x).data, expectedGrad.data, dtype === "float32" ? 1e-2 : 1e-9, `${dtype} gradient`);
    } finally {
      setBackend(previous);
    }
  }
});

Deno.test("conv2d() gives the bias the cotangent summed over batch, height and width", () => {
  const x = random([2, 1, 3, 3], 7), w = random([2, 1, 2, 2], 8), b = tensor([0, 0]);
  const g = random([2, 2, 2, 2], 9);
  const db = grad((bias: Tensor) => sum(mul(conv2d(x, w, bias), g)))(b);
  const expected = [0, 1].map((o) =>
    [0, 1].reduce((s, n) => s + [0, 1, 2, 3].reduce((t, p) => t + g.data[(n * 2 + o) * 4 + p], 0), 0)
  );
  close(db.data, expected, 1e-12);
});

Deno.test("conv2d() promotes mixed dtypes to float64, as matmul does", () => {
  const y = conv2d(random([1, 1, 3, 3], 1, "float32"), random([1, 1, 2, 2], 2), null);
  assert.equal(y.dtype, "float64");
});

Deno.test("conv2d() throws for shapes that do not fit, naming them", () => {
  const x = random([1, 2, 4, 4], 1);
  assert.throws(() => conv2d(random([2, 4, 4], 1), random([1, 2, 3, 3], 2)), {
    name: "RangeError",
    message:
      "Cannot apply conv2d to x of shape [2,4,4] and weight [1,2,3,3] as they must be [N, C, H, W] and [O, C, kh, kw] with the same C (and kh, kw ≥ 1)",
  });
  assert.throws(() => conv2d(x, random([1, 3, 3, 3], 2)), /the same C/);
  assert.throws(() => conv2d(x, random([1, 2, 0, 3], 2)), /kh, kw ≥ 1/);
  assert.throws(() => conv2d(x, random([2, 2, 3, 3], 2), random([3], 3)), {
    name: "RangeError",
    message:
      "Cannot apply conv2d as the bias must have one entry per filter (2 for weight [2,2,3,3]): current shape is [3]",
  });
  assert.throws(() => conv2d(x, random([1, 2, 5, 5], 2)), /as the output would be empty: the window spans 5×5/);
  assert.throws(() => conv2d(x, random([1, 2, 3, 3], 2), null, { padding: "same", stride: 2 }), {
    name: "RangeError",
    message: 'Cannot apply conv2d as padding "same" needs stride 1 (as in PyTorch): current stride is [2, 2]',
  });
  assert.throws(() => conv2d(x, random([1, 2, 3, 3], 2), null, { stride: 0 }), /stride must be an integer ≥ 1/);
  assert.throws(() => conv2d(x, random([1, 2, 3, 3], 2), null, { padding: -1 }), /padding must be an integer ≥ 0/);
  assert.throws(() => conv2d(x, "w" as never), { name: "TypeError", message: /weight must be a Tensor/ });
});

Deno.test("conv2d() over a batch processed in several chunks gives the definition's values and gradients", () => {
  // 72 taps × 900 positions per sample: the samples go through im2col in chunks of 4 (4, 4 and 1).
  const x = random([9, 8, 30, 30], 11), w = random([4, 8, 3, 3], 12), b = random([4], 13);
  const g = random([9, 4, 30, 30], 14);
  const y = conv2d(x, w, b, { padding: 1 });
  close(y.data, direct(x, w, b, [1, 1], [1, 1], [1, 1]).data, 1e-10);
  const grads = grad((p: { x: Tensor; w: Tensor; b: Tensor }) => sum(mul(conv2d(p.x, p.w, p.b, { padding: 1 }), g)))({
    x,
    w,
    b,
  });
  // ∂W[o, c, i, j] = Σ_{n,p,q} ḡ[n, o, p, q]·x[n, c, p + i − 1, q + j − 1]; ∂x the same sum seen from x.
  const dw = new Float64Array(4 * 8 * 9), dx = new Float64Array(x.size), db = new Float64Array(4);
  for (let n = 0; n < 9; n++) {
    for (let o = 0; o < 4; o++) {
      for (let p = 0; p < 30; p++) {
        for (let q = 0; q < 30; q++) {
          const gv = g.data[((n * 4 + o) * 30 + p) * 30 + q];
          db[o] += gv;
          for (let c = 0; c < 8; c++) {
            for (let i = 0; i < 3; i++) {
              for (let j = 0; j < 3; j++) {
                const r = p + i - 1, s = q + j - 1;
                if (r < 0 || r >= 30 || s < 0 || s >= 30) continue;
                const xi = ((n * 8 + c) * 30 + r) * 30 + s, wi = ((o * 8 + c) * 3 + i) * 3 + j;
                dw[wi] += gv * x.data[xi];
                dx[xi] += gv * w.data[wi];
              }
            }
          }
        }
      }
    }
  }
  close(grads.w.data, dw, 1e-9, "∂W");
  close(grads.x.data, dx, 1e-10, "∂x");
  close(grads.b.data, db, 1e-10, "∂b");
});
