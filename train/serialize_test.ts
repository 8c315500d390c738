import assert from "node:assert/strict";
import fc from "fast-check";
import type { StateValue } from "../core/interfaces.ts";
import { Tensor, tensor, zeros } from "../core/tensor.ts";
import { decodeState, encodeState, type JsonValue } from "./serialize.ts";

/** Structural equality that tells NaN, -0 and dtypes apart, and compares tensor data bit for bit. */
function assertSameState(actual: unknown, expected: unknown, path = "root"): void {
  if (expected instanceof Tensor) {
    assert.ok(actual instanceof Tensor, `${path}: expected a tensor`);
    assert.equal(actual.dtype, expected.dtype, `${path}: dtype`);
    assert.deepEqual(actual.shape, expected.shape, `${path}: shape`);
    for (let i = 0; i < expected.size; i++) {
      assert.ok(Object.is(actual.data[i], expected.data[i]), `${path}[${i}]: ${actual.data[i]} vs ${expected.data[i]}`);
    }
    return;
  }
  if (typeof expected === "number") {
    assert.ok(Object.is(actual, expected), `${path}: ${String(actual)} vs ${String(expected)}`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array`);
    assert.equal(actual.length, expected.length, `${path}: length`);
    expected.forEach((e, i) => assertSameState(actual[i], e, `${path}.${i}`));
    return;
  }
  if (expected !== null && typeof expected === "object") {
    assert.ok(actual !== null && typeof actual === "object" && !Array.isArray(actual), `${path}: expected a record`);
    assert.deepEqual(Object.keys(actual), Object.keys(expected), `${path}: keys`);
    for (const [k, v] of Object.entries(expected)) {
      assertSameState((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    }
    return;
  }
  assert.equal(actual, expected, path);
}

function roundTrip(state: StateValue): StateValue {
  const { json, tensors } = encodeState(state);
  return decodeState(JSON.parse(JSON.stringify(json)) as JsonValue, tensors);
}

Deno.test("encodeState() then decodeState() through JSON text returns an equal state", () => {
  const state: StateValue = {
    step: 7,
    m: { w: tensor([[1.5, -0], [NaN, Infinity]]), b: tensor(new Float32Array([0.1, -2])) },
    buffer: null,
    scalars: [0, -0, NaN, Infinity, -Infinity, 1e-310, Number.MAX_VALUE, -5e-324],
    flags: [true, false],
    name: "adam",
    nested: [[[]], {}, [{ deep: [tensor(3)] }]],
  };
  assertSameState(roundTrip(state), state);
});

Deno.test("encodeState() keeps the dtype and shape of every tensor, rank 0 and empty ones included", () => {
  const state = [tensor(2.5), zeros([0, 3]), tensor(new Float32Array([1 / 3]), [1, 1, 1])];
  const back = roundTrip(state) as Tensor[];
  assertSameState(back, state);
  assert.equal(back[2].dtype, "float32");
  assert.equal(back[2].data[0], Math.fround(1 / 3));
});

Deno.test("encodeState() names tensors by their dotted path under the prefix", () => {
  const { json, tensors } = encodeState({ m: { w: tensor([1]) }, list: [tensor([2])] });
  assert.deepEqual(tensors.map(([n]) => n), ["state.m.w", "state.list.0"]);
  assert.deepEqual(json, {
    m: { w: { $tensor: "state.m.w", dtype: "float64", shape: [1] } },
    list: [{ $tensor: "state.list.0", dtype: "float64", shape: [1] }],
  });
  assert.deepEqual(encodeState(tensor([1]), { prefix: "optimizer" }).tensors.map(([n]) => n), ["optimizer"]);
});

Deno.test("encodeState() returns the tensors themselves without copying", () => {
  const t = tensor([1, 2]);
  assert.equal(encodeState({ t }).tensors[0][1], t);
});

Deno.test("encodeState() stores a tensor met twice once and decodeState() shares it", () => {
  const t = tensor([1, 2]);
  const { json, tensors } = encodeState({ a: t, b: [t] });
  assert.equal(tensors.length, 1);
  const back = decodeState(json, tensors) as { a: Tensor; b: Tensor[] };
  assert.equal(back.a, back.b[0]);
});

Deno.test("encodeState() makes colliding names unique", () => {
  const { tensors } = encodeState({ "a.b": tensor([1]), a: { b: tensor([2]) } });
  assert.deepEqual(tensors.map(([n]) => n), ["state.a.b", "state.a.b#2"]);
  const back = roundTrip({ "a.b": tensor([1]), a: { b: tensor([2]) } }) as { "a.b": Tensor; a: { b: Tensor } };
  assert.deepEqual(back["a.b"].toArray(), [1]);
  assert.deepEqual(back.a.b.toArray(), [2]);
});

Deno.test("encodeState() keeps record keys that look like its markers", () => {
  const state = { $tensor: "not a tensor", $number: 1, $$x: 2, __proto__x: 3 };
  assertSameState(roundTrip(state), state);
  const proto = JSON.parse('{"__proto__": 4, "a": 1}') as StateValue;
  const back = roundTrip(proto) as Record<string, number>;
  assert.deepEqual(Object.keys(back), ["__proto__", "a"]);
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
});

Deno.test("encodeState() produces JSON that JSON.stringify writes without loss", () => {
  const { json } = encodeState({ a: -0, b: NaN, c: [Infinity, -Infinity] });
  assert.deepEqual(JSON.parse(JSON.stringify(json)), json);
  assert.deepEqual(json, {
    a: { $number: "-0" },
    b: { $number: "NaN" },
    c: [{ $number: "Infinity" }, { $number: "-Infinity" }],
  });
});

Deno.test("encodeState() throws TypeError naming the path of a value it cannot store", () => {
  const cases: [unknown, RegExp][] = [
    [{ a: { b: undefined } }, /"a\.b" is undefined/],
    [{ f: () => 1 }, /"f" is a function/],
    [{ raw: new Float64Array(2) }, /"raw" is a Float64Array/],
    [{ when: new Date(0) }, /"when" is a Date/],
    [[1n], /"0" is the bigint 1/],
    [new Map(), /the root is a Map/],
  ];
  for (const [state, message] of cases) {
    assert.throws(
      () => encodeState(state as StateValue),
      (e: Error) => e instanceof TypeError && message.test(e.message),
    );
  }
});

Deno.test("encodeState() throws TypeError for a state that contains itself", () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = { back: cyclic };
  assert.throws(() => encodeState(cyclic as StateValue), {
    name: "TypeError",
    message: 'Cannot encode the state as it must not contain itself: "self.back" is a cycle',
  });
});

Deno.test("encodeState() throws TypeError for an empty prefix", () => {
  assert.throws(() => encodeState(1, { prefix: "" }), {
    name: "TypeError",
    message: 'Cannot encode the state as prefix must be a non-empty string: current value is ""',
  });
});

Deno.test("decodeState() accepts tensors as pairs, a Map or a record", () => {
  const { json, tensors } = encodeState({ v: tensor([4]) });
  for (const given of [tensors, new Map(tensors), Object.fromEntries(tensors)]) {
    assert.deepEqual((decodeState(json, given) as { v: Tensor }).v.toArray(), [4]);
  }
});

Deno.test("decodeState() throws TypeError when a referenced tensor is missing", () => {
  const { json } = encodeState({ v: tensor([4]) });
  assert.throws(() => decodeState(json, []), {
    name: "TypeError",
    message: 'Cannot decode the state as tensor "state.v" (at "v") must be given: current value is undefined',
  });
});

Deno.test("decodeState() throws RangeError naming both shapes or dtypes when a tensor does not match", () => {
  const { json } = encodeState({ v: tensor([4, 5]) });
  assert.throws(() => decodeState(json, { "state.v": tensor([[4, 5]]) }), {
    name: "RangeError",
    message: 'Cannot decode the state as tensor "state.v" must have shape [2]: current shape is [1, 2]',
  });
  assert.throws(() => decodeState(json, { "state.v": tensor([4, 5], [2], "float32") }), {
    name: "RangeError",
    message: 'Cannot decode the state as tensor "state.v" must have dtype float64: current dtype is float32',
  });
});

Deno.test("decodeState() throws TypeError for an unknown special number", () => {
  assert.throws(() => decodeState({ x: { $number: "Inf" } }, []), {
    name: "TypeError",
    message:
      'Cannot decode the state as the number at "x" must be "NaN", "Infinity", "-Infinity" or "-0": current value is "Inf"',
  });
});

const arbNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MAX_VALUE),
);
const arbTensorValue = fc.tuple(fc.array(arbNumber, { maxLength: 6 }), fc.boolean()).map(([values, f32]) =>
  tensor(values, [values.length], f32 ? "float32" : "float64")
);
const { state: arbState } = fc.letrec<{ state: StateValue }>((tie) => ({
  state: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    arbNumber,
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    arbTensorValue,
    fc.array(tie("state"), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie("state"), { maxKeys: 4 }),
  ),
}));

Deno.test("encodeState() and decodeState() round-trip random states exactly", () => {
  fc.assert(
    fc.property(arbState, (state) => {
      assertSameState(roundTrip(state), state);
    }),
    { numRuns: 200, seed: 42 },
  );
});
