import assert from "node:assert/strict";
import { layoutKernels, type Window2d, windowKernels } from "./backend_conv.ts";
import { Random } from "./random.ts";

function window(
  h: number,
  w: number,
  k: [number, number],
  s: [number, number],
  pad: [number, number, number, number],
  d: [number, number],
): Window2d {
  const outHeight = Math.floor((h + pad[0] + pad[1] - d[0] * (k[0] - 1) - 1) / s[0]) + 1;
  const outWidth = Math.floor((w + pad[2] + pad[3] - d[1] * (k[1] - 1) - 1) / s[1]) + 1;
  return {
    batch: 2,
    channels: 3,
    height: h,
    width: w,
    kernelHeight: k[0],
    kernelWidth: k[1],
    strideHeight: s[0],
    strideWidth: s[1],
    dilationHeight: d[0],
    dilationWidth: d[1],
    padTop: pad[0],
    padLeft: pad[2],
    outHeight,
    outWidth,
  };
}

const WINDOWS = [
  window(5, 6, [3, 3], [1, 1], [1, 1, 1, 1], [1, 1]),
  window(7, 4, [2, 3], [2, 3], [0, 1, 2, 0], [1, 1]),
  window(6, 7, [3, 2], [1, 2], [2, 2, 1, 1], [2, 3]),
  window(1, 1, [1, 1], [1, 1], [0, 0, 0, 0], [1, 1]),
  window(3, 3, [3, 3], [2, 2], [1, 1, 1, 1], [1, 1]),
];

function randomArray(n: number, rng: Random, type: "f32" | "f64"): Float32Array | Float64Array {
  const a = type === "f32" ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

Deno.test("col2im is the adjoint of im2col: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩", () => {
  const rng = new Random(1);
  for (const w of WINDOWS) {
    const inputSize = w.batch * w.channels * w.height * w.width;
    const colsSize = w.channels * w.kernelHeight * w.kernelWidth * w.batch * w.outHeight * w.outWidth;
    const x = randomArray(inputSize, rng, "f64"), c = randomArray(colsSize, rng, "f64");
    const cols = new Float64Array(colsSize).fill(NaN), back = new Float64Array(inputSize).fill(NaN);
    windowKernels.im2col(x, cols, w);
    windowKernels.col2im(c, back, w);
    const left = cols.reduce((s, v, i) => s + v * c[i], 0), right = back.reduce((s, v, i) => s + v * x[i], 0);
    assert.ok(Math.abs(left - right) < 1e-10 * (1 + Math.abs(left)), `${JSON.stringify(w)}: ${left} vs ${right}`);
  }
});

Deno.test("avgPool2dBackward is the adjoint of avgPool2d, with and without countIncludePad", () => {
  const rng = new Random(2);
  for (const w of WINDOWS) {
    if (2 * w.padTop > w.kernelHeight || 2 * w.padLeft > w.kernelWidth || w.dilationHeight > 1) continue;
    for (const include of [true, false]) {
      const inputSize = w.batch * w.channels * w.height * w.width;
      const outSize = w.batch * w.channels * w.outHeight * w.outWidth;
      const x = randomArray(inputSize, rng, "f64"), g = randomArray(outSize, rng, "f64");
      const y = new Float64Array(outSize), back = new Float64Array(inputSize).fill(NaN);
      windowKernels.avgPool2d(x, y, w, include);
      windowKernels.avgPool2dBackward(g, back, w, include);
      const left = y.reduce((s, v, i) => s + v * g[i], 0), right = back.reduce((s, v, i) => s + v * x[i], 0);
      assert.ok(Math.abs(left - right) < 1e-10 * (1 + Math.abs(left)));
    }
  }
});

Deno.test("the window kernels give the same results on float32 arrays as on float64 ones, rounded", () => {
  const rng = new Random(3);
  const w = WINDOWS[2];
  const inputSize = w.batch * w.channels * w.height * w.width;
  const x64 = randomArray(inputSize, rng, "f64"), x32 = Float32Array.from(x64);
  const colsSize = w.channels * w.kernelHeight * w.kernelWidth * w.batch * w.outHeight * w.outWidth;
  const c32 = new Float32Array(colsSize), c64 = new Float64Array(colsSize);
  windowKernels.im2col(x32, c32, w);
  windowKernels.im2col(Float64Array.from(x32), c64, w);
  assert.deepEqual(Array.from(c32), Array.from(c64));
  const outSize = w.batch * w.channels * w.outHeight * w.outWidth;
  const m32 = new Float32Array(outSize), i32 = new Int32Array(outSize);
  const m64 = new Float64Array(outSize), i64 = new Int32Array(outSize);
  windowKernels.maxPool2d(x32, m32, i32, w);
  windowKernels.maxPool2d(Float64Array.from(x32), m64, i64, w);
  assert.deepEqual(Array.from(m32), Array.from(m64));
  assert.deepEqual(i32, i64);
});

Deno.test("toChannelMajor and toBatchMajor are inverse layouts, and the channel sums are the bias gradient", () => {
  const src = Float64Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
  const channelMajor = new Float64Array(24), sums = new Float64Array(3);
  layoutKernels.toChannelMajor(src, channelMajor, 2, 3, 4, sums);
  assert.deepEqual(Array.from(channelMajor.subarray(0, 8)), [0, 1, 2, 3, 12, 13, 14, 15]);
  assert.deepEqual(
    Array.from(sums),
    [0, 1, 2].map((o) => [0, 1].reduce((s, n) => s + [0, 1, 2, 3].reduce((t, p) => t + (n * 3 + o) * 4 + p, 0), 0)),
  );
  const back = new Float64Array(24);
  layoutKernels.toBatchMajor(channelMajor, back, 2, 3, 4, null);
  assert.deepEqual(back, src);
});
