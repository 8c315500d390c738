/**
 * The n-dimensional array every gradflow op reads and writes.
 *
 * A {@linkcode Tensor} is a row-major view of a typed array (`Float64Array` for
 * `"float64"`, the default, or `Float32Array` for `"float32"`) plus its shape.
 * Ops never mutate their inputs, so a tensor can be shared freely.
 *
 * @module
 */

/** The element types a tensor can hold. */
export type DType = "float32" | "float64";

/** The typed array behind a tensor of each dtype. */
export type TypedArray = Float32Array | Float64Array;

/** A number, or arbitrarily nested arrays of numbers (a nested list, as in NumPy). */
export type NestedArray = number | NestedArray[];

/**
 * A node of the flow graph: how a tensor was computed and how to send a
 * cotangent back to its inputs. Internal to the autodiff machinery.
 */
export interface GraphNode {
  /** The op that produced the tensor, for error messages and debugging. */
  readonly op: string;
  /** The tensors this one was computed from. */
  readonly inputs: readonly Tensor[];
  /** Maps the output cotangent to one cotangent per input (`null`: no gradient). */
  readonly vjp: (cotangent: Tensor) => (Tensor | null)[];
}

/**
 * An immutable n-dimensional array of float32 or float64 values.
 *
 * Create tensors with {@linkcode tensor}, {@linkcode zeros}, {@linkcode ones}
 * or {@linkcode full}; the constructor is public for kernels and backends that
 * already hold a typed array of the right length.
 *
 * @example Read a tensor's shape, dtype and values
 * ```ts
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const t = tensor([[1, 2, 3], [4, 5, 6]]);
 * assert.deepEqual(t.shape, [2, 3]);
 * assert.equal(t.dtype, "float64");
 * assert.deepEqual(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
 * ```
 */
export class Tensor {
  /**
   * `x instanceof Tensor` also holds for a tensor made by another copy of
   * gradflow in the process (a plugin imported by URL brings its own copy), as
   * every copy marks its tensors with the same registered symbol.
   *
   * @param value The value to test.
   * @returns Whether it is a tensor of this or another copy of gradflow.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (this !== Tensor) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[TENSOR_BRAND] === true;
  }

  /** The length of each axis, outermost first. */
  readonly shape: readonly number[];
  /** The element type. */
  readonly dtype: DType;
  /** The elements in row-major order. Treat as read-only: ops share buffers. */
  readonly data: TypedArray;
  /** The flow-graph node, or `null` for a constant. Set only by the autodiff core. */
  _node: GraphNode | null = null;

  /**
   * Wraps a typed array whose length matches the shape.
   *
   * @param data The elements in row-major order.
   * @param shape The length of each axis.
   * @throws {RangeError} When the data length does not equal the product of the shape.
   */
  constructor(data: TypedArray, shape: readonly number[]) {
    const size = sizeOf(shape, "create a tensor");
    if (data.length !== size) {
      throw new RangeError(
        `Cannot create a tensor as the data length must equal the product of the shape [${shape}] (${size}): current length is ${data.length}`,
      );
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = data instanceof Float32Array ? "float32" : "float64";
  }

  /** The number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** The number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  /**
   * The value of a tensor with exactly one element.
   *
   * @returns That element as a JavaScript number.
   * @throws {RangeError} When the tensor has more or fewer than one element.
   */
  item(): number {
    if (this.data.length !== 1) {
      throw new RangeError(
        `Cannot read item() as the tensor must have exactly one element: current shape is [${this.shape}]`,
      );
    }
    return this.data[0];
  }

  /**
   * The values as nested JavaScript arrays (a number for a rank-0 tensor).
   *
   * @returns Nested arrays mirroring the shape.
   */
  toArray(): NestedArray {
    return toNested(this.data, this.shape, 0, 0);
  }

  /** How `console.log` shows a tensor in Deno: its {@linkcode Tensor.toString}. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  /** A short description: dtype, shape and up to eight values. */
  toString(): string {
    const head = Array.from(this.data.subarray(0, 8)).map((v) => +v.toPrecision(6));
    const more = this.data.length > 8 ? ", …" : "";
    return `Tensor(${this.dtype}, [${this.shape}], [${head.join(", ")}${more}])`;
  }
}

/** Marks tensors across copies of gradflow; bump the version when the tensor layout changes. */
const TENSOR_BRAND = Symbol.for("gradflow.tensor@1");
Object.defineProperty(Tensor.prototype, TENSOR_BRAND, { value: true });

function toNested(data: TypedArray, shape: readonly number[], axis: number, offset: number): NestedArray {
  if (axis === shape.length) return data[offset];
  const n = shape[axis];
  let stride = 1;
  for (let i = axis + 1; i < shape.length; i++) stride *= shape[i];
  const out: NestedArray[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = toNested(data, shape, axis + 1, offset + i * stride);
  return out;
}

/**
 * The number of elements of a shape, after checking every axis length.
 *
 * @param shape The axis lengths.
 * @param action What the caller was doing, for the error message ("reshape", …).
 * @returns The product of the axis lengths (1 for a scalar).
 * @throws {RangeError} When an axis length is not a non-negative integer.
 *
 * @example
 * ```ts
 * import { sizeOf } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(sizeOf([2, 3, 4]), 24);
 * assert.throws(() => sizeOf([2, -1]), RangeError);
 * ```
 */
export function sizeOf(shape: readonly number[], action = "use a shape"): number {
  let size = 1;
  for (const n of shape) {
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(
        `Cannot ${action} as every axis length must be a non-negative integer: current shape is [${shape}]`,
      );
    }
    size *= n;
  }
  return size;
}

/**
 * The most bytes one tensor may take: 4 GiB, what a WebAssembly (wasm32)
 * memory can address and the largest typed array every JavaScript engine
 * gradflow runs on allows. A larger request is refused before anything is
 * allocated, with the bytes it asked for, rather than failing (or exhausting
 * the machine's memory) halfway through filling it.
 */
export const MAX_TENSOR_BYTES = 2 ** 32;

/**
 * Whether `elements` of `dtype` fit in one tensor ({@linkcode MAX_TENSOR_BYTES}):
 * `null` when they do, else the end of an error message giving the bytes
 * requested ("16000000000 bytes (14.9 GiB), more than …").
 *
 * @param elements The number of elements.
 * @param dtype Their type.
 * @returns `null`, or why they do not fit.
 *
 * @example
 * ```ts
 * import { tensorTooLarge } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(tensorTooLarge(1000, "float64"), null);
 * assert.match(tensorTooLarge(2e9, "float64")!, /^16000000000 bytes \(14\.9 GiB\), more than/);
 * ```
 */
export function tensorTooLarge(elements: number, dtype: DType): string | null {
  const bytes = elements * (dtype === "float32" ? 4 : 8);
  if (bytes <= MAX_TENSOR_BYTES) return null;
  return `${bytes} bytes (${
    (bytes / 2 ** 30).toFixed(1)
  } GiB), more than the ${MAX_TENSOR_BYTES} bytes (4 GiB) one tensor may take`;
}

/**
 * Buffers given back by {@linkcode recycle}, by dtype and length, for
 * {@linkcode allocate} to reuse. A fresh large typed array costs a page fault
 * per 4 KiB on first write (measured: 406 µs to allocate and fill 800 KB,
 * 56 µs to zero and fill a reused one), and a training step allocates its
 * gradient anew every time.
 */
const pool = new Map<string, TypedArray[]>();
let pooledBytes = 0;
/** Arrays shorter than this are left to the engine's allocator (cheap at that size). */
const POOLED_MIN = 16384;
/** The most the pool holds; beyond it, recycled buffers are left to the garbage collector. */
const POOL_LIMIT = 256 * 2 ** 20;

/**
 * Allocates a zero-filled typed array of the given dtype: a new one, or one
 * given back by {@linkcode recycle}, zeroed.
 *
 * @param dtype The element type.
 * @param size The number of elements.
 * @param zeroed Zero a reused buffer. A kernel that writes every element of
 *   its output passes `false` and saves a pass over memory (a reused buffer
 *   then holds old values until written). @default {true}
 * @returns A `Float32Array` or `Float64Array` that nothing else holds.
 * @throws {RangeError} When the array would take more than {@linkcode MAX_TENSOR_BYTES}, before allocating.
 *
 * @example
 * ```ts
 * import { allocate } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(allocate("float32", 3) instanceof Float32Array);
 * ```
 */
export function allocate(dtype: DType, size: number, zeroed = true): TypedArray {
  let out: TypedArray | undefined;
  if (size >= POOLED_MIN && pooledBytes > 0) {
    out = pool.get(`${dtype}:${size}`)?.pop();
    if (out !== undefined) {
      pooledBytes -= out.byteLength;
      if (zeroed) out.fill(0);
    }
  }
  if (out === undefined) {
    if (size * 8 > MAX_TENSOR_BYTES) {
      const tooLarge = tensorTooLarge(size, dtype);
      if (tooLarge !== null) throw new RangeError(`Cannot allocate ${size} ${dtype} elements as they need ${tooLarge}`);
    }
    out = dtype === "float32" ? new Float32Array(size) : new Float64Array(size);
  }
  if (size >= POOLED_MIN && arenas.length > 0) arenas[arenas.length - 1].push(out);
  return out;
}

/** The buffers {@linkcode allocate} handed out within each open {@linkcode withScratch}, innermost last. */
const arenas: TypedArray[][] = [];

/**
 * Runs `fn` as a step whose intermediate values die with it: every buffer
 * that {@linkcode allocate} hands out while `fn` runs (of at least 16384
 * elements) goes back to the allocator when `fn` returns, unless a tensor of
 * `keep(result)` shares it (an arena, as a training framework frees a step's
 * activations and cotangents once the gradient is known). The next step then
 * reuses the same buffers instead of touching fresh memory (which costs a
 * page fault per 4 KiB: the CNN of issue 12 computes over 100 MB of
 * activations and gradients per step). Nested calls work: what an inner one
 * keeps belongs to the outer one.
 *
 * The caller vouches that nothing else keeps a tensor computed inside `fn`:
 * a closure, a cache or a global holding one would see its values overwritten
 * by a later allocation. Built-in layers, losses and ops keep nothing; the
 * trainer wraps each step's gradient evaluation and each prediction batch in it.
 *
 * @param fn The step.
 * @param keep The tensors of the result that outlive the step.
 * @returns What `fn` returns.
 *
 * @example The second step's activations reuse the first step's buffers
 * ```ts
 * import { full, withScratch } from "./tensor.ts";
 * import { mul, sum } from "./ops/mod.ts";
 * import assert from "node:assert/strict";
 *
 * const x = full([20000], 1);
 * const step = () => withScratch(() => sum(mul(mul(x, 2), 3)), (total) => [total]);
 * assert.equal(step().item(), 120000);
 * assert.equal(step().item(), 120000);
 * ```
 */
export function withScratch<T>(fn: () => T, keep: (result: T) => readonly (Tensor | null | undefined)[]): T {
  const arena: TypedArray[] = [];
  arenas.push(arena);
  let result: T;
  try {
    result = fn();
  } finally {
    arenas.pop();
  }
  const kept = new Set<ArrayBufferLike>();
  for (const t of keep(result)) if (t) kept.add(t.data.buffer);
  const dead: Tensor[] = [], outer = arenas[arenas.length - 1];
  for (const buffer of arena) {
    if (kept.has(buffer.buffer)) outer?.push(buffer);
    else dead.push(new Tensor(buffer, [buffer.length]));
  }
  recycle(dead);
  return result;
}

/**
 * Gives the buffers of tensors that nothing will use again back to
 * {@linkcode allocate}, which reuses them for arrays of the same dtype and
 * length (a caching allocator, as PyTorch's). The caller must own the
 * tensors outright: no other tensor, state or closure may read or write them
 * afterwards. The trainer recycles each step's gradient once the optimizer has
 * consumed it. Only whole buffers of at least 16384 elements are kept (not
 * views into a larger buffer, such as a backend's WebAssembly memory), each
 * once, up to 256 MiB in all; the rest is left to the garbage collector.
 *
 * @param tensors The tensors to give back.
 *
 * @example
 * ```ts
 * import { allocate, recycle, Tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const g = new Tensor(new Float32Array(20000).fill(1), [20000]);
 * const buffer = g.data;
 * recycle([g]);
 * const again = allocate("float32", 20000);
 * assert.equal(again, buffer);
 * assert.equal(again[0], 0);
 * ```
 */
export function recycle(tensors: readonly Tensor[]): void {
  const seen = new Set<ArrayBufferLike>();
  for (const t of tensors) {
    const data = t.data;
    if (
      data.length < POOLED_MIN || data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength ||
      data.buffer instanceof SharedArrayBuffer || seen.has(data.buffer) || pooledBytes + data.byteLength > POOL_LIMIT
    ) continue;
    seen.add(data.buffer);
    const key = `${t.dtype}:${data.length}`;
    const list = pool.get(key);
    if (list === undefined) pool.set(key, [data]);
    else if (!list.includes(data)) list.push(data);
    else continue;
    pooledBytes += data.byteLength;
  }
}

function checkDType(dtype: unknown, action: string): DType {
  if (dtype !== "float32" && dtype !== "float64") {
    throw new TypeError(
      `Cannot ${action} as dtype must be "float32" or "float64": current value is ${JSON.stringify(dtype)}`,
    );
  }
  return dtype;
}

function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  return shape;
}

function flattenInto(values: NestedArray, shape: number[], axis: number, out: TypedArray, offset: number): number {
  if (axis === shape.length) {
    if (typeof values !== "number") {
      throw new TypeError(
        `Cannot create a tensor as nested arrays must be rectangular: found an array where a number was expected at depth ${axis}`,
      );
    }
    out[offset] = values;
    return offset + 1;
  }
  if (!Array.isArray(values) || values.length !== shape[axis]) {
    const got = Array.isArray(values) ? `length ${values.length}` : typeof values;
    throw new TypeError(
      `Cannot create a tensor as nested arrays must be rectangular: expected length ${
        shape[axis]
      } at depth ${axis}, current value has ${got}`,
    );
  }
  for (const v of values) offset = flattenInto(v, shape, axis + 1, out, offset);
  return offset;
}

/**
 * Creates a tensor from nested arrays, a flat array with a shape, or a typed array.
 *
 * @param values Nested arrays (the shape is inferred), a flat array or typed
 *   array (the shape defaults to `[values.length]`), or a single number (rank 0).
 * @param shape The shape, when `values` is flat.
 * @param dtype `"float64"` (the default) or `"float32"`; a `Float32Array` with no
 *   dtype given stays float32.
 * @returns A new tensor that owns a copy of the values.
 * @throws {TypeError} For ragged nested arrays or a dtype other than float32/float64.
 * @throws {RangeError} When the number of values does not match the shape.
 *
 * @example Three ways to make the same 2×2 tensor
 * ```ts
 * import { tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const a = tensor([[1, 2], [3, 4]]);
 * const b = tensor([1, 2, 3, 4], [2, 2]);
 * const c = tensor(new Float32Array([1, 2, 3, 4]), [2, 2]);
 * assert.deepEqual(a.toArray(), b.toArray());
 * assert.equal(c.dtype, "float32");
 * ```
 */
export function tensor(
  values: NestedArray | ArrayLike<number>,
  shape?: readonly number[],
  dtype?: DType,
): Tensor {
  if (dtype !== undefined) checkDType(dtype, "create a tensor");
  const isTyped = values instanceof Float32Array || values instanceof Float64Array;
  const type: DType = dtype ?? (values instanceof Float32Array ? "float32" : "float64");
  if (typeof values === "number") {
    const s = shape ?? [];
    const size = sizeOf(s, "create a tensor");
    if (size !== 1) {
      throw new RangeError(
        `Cannot create a tensor from one number as the shape must hold one element: current shape is [${s}]`,
      );
    }
    const data = allocate(type, 1);
    data[0] = values;
    return new Tensor(data, s);
  }
  if (isTyped || (shape !== undefined && !isNested(values))) {
    const flat = values as ArrayLike<number>;
    const s = shape ?? [flat.length];
    const size = sizeOf(s, "create a tensor");
    if (size !== flat.length) {
      throw new RangeError(
        `Cannot create a tensor as the number of values must equal the product of the shape [${s}] (${size}): current count is ${flat.length}`,
      );
    }
    const data = allocate(type, size);
    for (let i = 0; i < size; i++) data[i] = flat[i];
    return new Tensor(data, s);
  }
  if (!Array.isArray(values)) {
    throw new TypeError(
      `Cannot create a tensor as values must be a number, nested arrays or a typed array: current value is ${typeof values}`,
    );
  }
  const inferred = inferShape(values as NestedArray);
  const data = allocate(type, sizeOf(inferred, "create a tensor"));
  flattenInto(values as NestedArray, inferred, 0, data, 0);
  const t = new Tensor(data, inferred);
  if (shape !== undefined) {
    if (sizeOf(shape, "create a tensor") !== t.size) {
      throw new RangeError(
        `Cannot create a tensor as the number of values must equal the product of the shape [${shape}]: current count is ${t.size}`,
      );
    }
    return new Tensor(data, shape);
  }
  return t;
}

function isNested(values: unknown): boolean {
  return Array.isArray(values) && values.some((v) => Array.isArray(v));
}

/**
 * A tensor filled with one value.
 *
 * @param shape The shape.
 * @param value The fill value.
 * @param dtype The element type (default float64).
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { full } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(full([2], 7).toArray(), [7, 7]);
 * ```
 */
export function full(shape: readonly number[], value: number, dtype: DType = "float64"): Tensor {
  checkDType(dtype, "create a tensor");
  const data = allocate(dtype, sizeOf(shape, "create a tensor"));
  if (value !== 0) data.fill(value);
  return new Tensor(data, shape);
}

/**
 * A tensor of zeros.
 *
 * @param shape The shape.
 * @param dtype The element type (default float64).
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { zeros } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(zeros([1, 2]).toArray(), [[0, 0]]);
 * ```
 */
export function zeros(shape: readonly number[], dtype: DType = "float64"): Tensor {
  return full(shape, 0, dtype);
}

/**
 * A tensor of ones.
 *
 * @param shape The shape.
 * @param dtype The element type (default float64).
 * @returns A new tensor.
 *
 * @example
 * ```ts
 * import { ones } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(ones([3]).toArray(), [1, 1, 1]);
 * ```
 */
export function ones(shape: readonly number[], dtype: DType = "float64"): Tensor {
  return full(shape, 1, dtype);
}

/**
 * A copy of a tensor converted to another dtype (a constant: no graph link).
 *
 * Use the `cast` op from `ops` to convert inside a differentiated function.
 *
 * @param x The tensor.
 * @param dtype The target element type.
 * @returns A new tensor (or `x` itself when the dtype already matches).
 *
 * @example
 * ```ts
 * import { astype, tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(astype(tensor([1.5]), "float32").dtype, "float32");
 * ```
 */
export function astype(x: Tensor, dtype: DType): Tensor {
  checkDType(dtype, "convert a tensor");
  if (x.dtype === dtype) return x;
  const data = allocate(dtype, x.size);
  data.set(x.data);
  return new Tensor(data, x.shape);
}

/**
 * Whether two shapes are equal.
 *
 * @param a One shape.
 * @param b The other shape.
 * @returns `true` when both have the same axes of the same lengths.
 *
 * @example
 * ```ts
 * import { shapesEqual } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(shapesEqual([2, 3], [2, 3]));
 * assert.ok(!shapesEqual([2, 3], [3, 2]));
 * ```
 */
export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The shape two operands broadcast to, with NumPy's rules (align on the right;
 * an axis of length 1 stretches).
 *
 * @param op The op name, for the error message.
 * @param a The first shape.
 * @param b The second shape.
 * @returns The broadcast shape.
 * @throws {RangeError} Naming the op and both shapes, when they do not broadcast.
 *
 * @example
 * ```ts
 * import { broadcastShapes } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(broadcastShapes("add", [4, 1, 3], [2, 1]), [4, 2, 3]);
 * assert.throws(() => broadcastShapes("add", [2, 3], [4]), /add/);
 * ```
 */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RangeError(
        `Cannot ${op} tensors of shapes [${a}] and [${b}] as they do not broadcast: axis ${i} has lengths ${da} and ${db}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Row-major strides of a shape (in elements).
 *
 * @param shape The axis lengths.
 * @returns One stride per axis.
 *
 * @example
 * ```ts
 * import { stridesOf } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(stridesOf([2, 3, 4]), [12, 4, 1]);
 * ```
 */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/**
 * For each tensor, whether its buffer overlaps no other tensor's in the list
 * (NumPy's `shares_memory`, asked of every pair at once). In-place kernels
 * use it to decide when writing into a donated buffer cannot change another
 * value: a tensor listed twice, or two views of one buffer that intersect,
 * are both `false`. Views of one buffer that do not intersect stay `true`.
 *
 * @param tensors The tensors to compare.
 * @returns One flag per tensor, in order.
 *
 * @example
 * ```ts
 * import { exclusiveMemory, Tensor } from "./tensor.ts";
 * import assert from "node:assert/strict";
 *
 * const buffer = new Float64Array(4);
 * const a = new Tensor(buffer.subarray(0, 2), [2]), b = new Tensor(buffer.subarray(2), [2]);
 * const c = new Tensor(buffer.subarray(1, 3), [2]);
 * assert.deepEqual(exclusiveMemory([a, b]), [true, true]);
 * assert.deepEqual(exclusiveMemory([a, b, c]), [false, false, false]);
 * assert.deepEqual(exclusiveMemory([a, a]), [false, false]);
 * ```
 */
export function exclusiveMemory(tensors: readonly Tensor[]): boolean[] {
  const exclusive = tensors.map(() => true);
  const byBuffer = new Map<ArrayBufferLike, number[]>();
  tensors.forEach((t, i) => {
    const list = byBuffer.get(t.data.buffer);
    if (list === undefined) byBuffer.set(t.data.buffer, [i]);
    else list.push(i);
  });
  for (const list of byBuffer.values()) {
    if (list.length < 2) continue;
    const start = (i: number) => tensors[i].data.byteOffset;
    const end = (i: number) => start(i) + tensors[i].data.byteLength;
    list.sort((i, j) => start(i) - start(j));
    // Sorted by start, an earlier view overlaps a later non-empty one when it ends past the later one's start.
    for (let k = 1; k < list.length; k++) {
      const i = list[k];
      if (tensors[i].data.byteLength === 0) continue;
      for (let back = k - 1; back >= 0; back--) {
        const j = list[back];
        if (end(j) > start(i)) exclusive[i] = exclusive[j] = false;
      }
    }
  }
  return exclusive;
}
