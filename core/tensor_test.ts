import assert from "node:assert/strict";
import {
  allocate,
  astype,
  broadcastShapes,
  exclusiveMemory,
  full,
  ones,
  recycle,
  sizeOf,
  Tensor,
  tensor,
  withScratch,
  zeros,
} from "./tensor.ts";

Deno.test("tensor() infers the shape of nested arrays", () => {
  const t = tensor([[[1], [2]], [[3], [4]]]);
  assert.deepEqual(t.shape, [2, 2, 1]);
  assert.deepEqual(Array.from(t.data), [1, 2, 3, 4]);
});

Deno.test("tensor() takes a flat array with a shape, and a typed array", () => {
  assert.deepEqual(tensor([1, 2, 3, 4, 5, 6], [2, 3]).toArray(), [[1, 2, 3], [4, 5, 6]]);
  const f32 = tensor(new Float32Array([1, 2]));
  assert.equal(f32.dtype, "float32");
  assert.deepEqual(f32.shape, [2]);
});

Deno.test("tensor() makes a rank-0 tensor from a number", () => {
  const t = tensor(7);
  assert.deepEqual(t.shape, []);
  assert.equal(t.item(), 7);
});

Deno.test("tensor() copies its input so later changes do not leak in", () => {
  const source = new Float64Array([1, 2]);
  const t = tensor(source);
  source[0] = 99;
  assert.equal(t.data[0], 1);
});

Deno.test("tensor() converts to float32 when asked", () => {
  const t = tensor([0.1], [1], "float32");
  assert.ok(t.data instanceof Float32Array);
  assert.equal(t.data[0], Math.fround(0.1));
});

Deno.test("tensor() throws TypeError for ragged nested arrays, naming the depth", () => {
  assert.throws(() => tensor([[1, 2], [3]]), {
    name: "TypeError",
    message: /rectangular: expected length 2 at depth 1/,
  });
});

Deno.test("tensor() throws RangeError when the values do not fill the shape", () => {
  assert.throws(() => tensor([1, 2, 3], [2, 2]), {
    name: "RangeError",
    message: /product of the shape \[2,2\] \(4\): current count is 3/,
  });
});

Deno.test("tensor() throws TypeError for an unknown dtype", () => {
  assert.throws(() => tensor([1], [1], "int8" as "float32"), {
    name: "TypeError",
    message: /dtype must be "float32" or "float64"/,
  });
});

Deno.test("sizeOf() rejects negative and fractional axis lengths", () => {
  assert.throws(() => sizeOf([2, -1]), RangeError);
  assert.throws(() => sizeOf([1.5]), RangeError);
  assert.equal(sizeOf([]), 1);
  assert.equal(sizeOf([3, 0]), 0);
});

Deno.test("Tensor's constructor checks the data length against the shape", () => {
  assert.throws(
    () => new Tensor(new Float64Array(3), [2, 2]),
    /data length must equal the product of the shape \[2,2\] \(4\)/,
  );
});

Deno.test("item() throws RangeError for tensors of more than one element", () => {
  assert.throws(() => tensor([1, 2]).item(), /exactly one element: current shape is \[2\]/);
});

Deno.test("zeros(), ones() and full() fill as named", () => {
  assert.deepEqual(zeros([2]).toArray(), [0, 0]);
  assert.deepEqual(ones([2], "float32").toArray(), [1, 1]);
  assert.deepEqual(full([1, 2], -3).toArray(), [[-3, -3]]);
});

Deno.test("astype() converts and leaves a matching dtype untouched", () => {
  const t = tensor([1.5, 2.5]);
  assert.equal(astype(t, "float64"), t);
  assert.equal(astype(t, "float32").dtype, "float32");
});

Deno.test("broadcastShapes() follows NumPy's rules and names both shapes on failure", () => {
  assert.deepEqual(broadcastShapes("add", [3, 1], [1, 4]), [3, 4]);
  assert.deepEqual(broadcastShapes("add", [], [2, 2]), [2, 2]);
  assert.throws(() => broadcastShapes("mul", [2, 3], [3, 2]), {
    name: "RangeError",
    message: "Cannot mul tensors of shapes [2,3] and [3,2] as they do not broadcast: axis 0 has lengths 2 and 3",
  });
});

Deno.test("toString() shows dtype, shape and leading values", () => {
  assert.equal(tensor([1, 2]).toString(), "Tensor(float64, [2], [1, 2])");
});

Deno.test("recycle() keeps only whole buffers of at least 16384 elements, once each, for allocate() to zero and reuse", () => {
  const whole = new Tensor(new Float64Array(16384).fill(3), [16384]);
  const big = new Float32Array(40000);
  const view = new Tensor(big.subarray(0, 20000), [20000]);
  const small = new Tensor(new Float32Array(100), [100]);
  recycle([whole, whole, view, small]);
  const a = allocate("float64", 16384), b = allocate("float64", 16384);
  assert.equal(a, whole.data, "the whole buffer comes back");
  assert.ok(a.every((x) => x === 0), "zeroed");
  assert.notEqual(b, whole.data, "only once");
  assert.notEqual(allocate("float32", 20000).buffer, big.buffer, "views are not recycled");
  assert.notEqual(allocate("float32", 100), small.data, "small arrays are not pooled");
});

Deno.test("exclusiveMemory() flags views that overlap, and only those", () => {
  const buffer = new Float32Array(10);
  const t = (from: number, to: number) => new Tensor(buffer.subarray(from, to), [to - from]);
  assert.deepEqual(exclusiveMemory([t(0, 3), t(3, 6), t(5, 8), t(8, 10), t(9, 9)]), [true, false, false, true, true]);
  assert.deepEqual(exclusiveMemory([t(0, 10), new Tensor(new Float32Array(2), [2])]), [true, true]);
});

Deno.test("withScratch() gives the step's dead buffers back and keeps the ones its result holds", () => {
  const size = 20000;
  let kept: Tensor | null = null, dead: Float32Array | null = null;
  const out = withScratch(() => {
    dead = allocate("float32", size) as Float32Array;
    kept = new Tensor(allocate("float32", size), [size]);
    return kept;
  }, (t) => [t]);
  assert.equal(out, kept);
  // The dead buffer comes back from allocate (zeroed); the kept one never does while the result holds it.
  const again = [allocate("float32", size), allocate("float32", size)];
  assert.ok(again.includes(dead!));
  assert.ok(!again.includes(kept!.data));
});

Deno.test("withScratch() passes what an inner step keeps to the outer step", () => {
  const size = 20001;
  let inner: Tensor | null = null;
  withScratch(() => {
    inner = withScratch(() => new Tensor(allocate("float64", size), [size]), (t) => [t]);
    return null;
  }, () => []);
  // The outer step kept nothing: the inner result's buffer is dead now, and reused.
  assert.equal(allocate("float64", size), inner!.data);
});

Deno.test("allocate() refuses a buffer larger than one tensor may take, giving the bytes requested", () => {
  assert.throws(() => allocate("float64", 2 ** 30), {
    name: "RangeError",
    message:
      "Cannot allocate 1073741824 float64 elements as they need 8589934592 bytes (8.0 GiB), more than the 4294967296 bytes (4 GiB) one tensor may take",
  });
  assert.throws(() => allocate("float32", 2 ** 30 + 1), /need 4294967300 bytes/);
  assert.equal(allocate("float32", 3).length, 3);
});
