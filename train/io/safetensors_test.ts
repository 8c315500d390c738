import assert from "node:assert/strict";
import { tensor } from "../../core/tensor.ts";
import { decodeSafetensors, encodeSafetensors, readSafetensors, writeSafetensors } from "./safetensors.ts";

function file(header: unknown, data: number[] = []): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

Deno.test("encodeSafetensors() writes the exact layout: u64 LE header length, space-padded JSON, LE data", () => {
  const bytes = encodeSafetensors({ a: tensor([1], undefined, "float32") });
  const json = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
  const padded = json.padEnd(Math.ceil(json.length / 8) * 8, " ");
  const expected = new Uint8Array(8 + padded.length + 4);
  expected[0] = padded.length;
  expected.set(new TextEncoder().encode(padded), 8);
  expected.set([0x00, 0x00, 0x80, 0x3f], 8 + padded.length); // 1.0f little-endian
  assert.deepEqual(bytes, expected);
});

Deno.test("encodeSafetensors() and decodeSafetensors() round-trip F32 and F64 tensors of any shape bit for bit", () => {
  const tensors: [string, ReturnType<typeof tensor>][] = [
    ["0.weight", tensor([[1.5, -2], [NaN, Infinity], [-0, 1e-310]])],
    ["0.bias", tensor([0.1, 0.2, 0.3], undefined, "float32")],
    ["scalar", tensor(3.25)],
    ["empty", tensor([], [0, 4])],
    ["odd", tensor([1, 2, 3], undefined, "float32")],
  ];
  const back = decodeSafetensors(encodeSafetensors(tensors, { note: "x" }));
  assert.deepEqual(back.metadata, { note: "x" });
  for (const [name, t] of tensors) {
    const u = back.tensors.get(name)!;
    assert.equal(u.dtype, t.dtype, name);
    assert.deepEqual(u.shape, t.shape, name);
    t.data.forEach((v, i) => assert.ok(Object.is(v, u.data[i]), `${name}[${i}]`));
  }
});

Deno.test("encodeSafetensors() aligns the data section to 8 bytes and puts F64 tensors first", () => {
  const bytes = encodeSafetensors([["f", tensor([1], undefined, "float32")], ["d", tensor([2])]]);
  const n = new DataView(bytes.buffer).getUint32(0, true);
  assert.equal(n % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  assert.deepEqual(header.d.data_offsets, [0, 8]);
  assert.deepEqual(header.f.data_offsets, [8, 12]);
});

Deno.test("encodeSafetensors() rejects repeated, empty or reserved names", () => {
  assert.throws(() => encodeSafetensors([["a", tensor([1])], ["a", tensor([2])]]), TypeError);
  assert.throws(() => encodeSafetensors([["", tensor([1])]]), /unique, non-empty name/);
  assert.throws(() => encodeSafetensors({ __metadata__: tensor([1]) }), TypeError);
});

Deno.test("decodeSafetensors() reports truncated and malformed files with offsets, never a partial result", () => {
  const good = encodeSafetensors({ w: tensor([1, 2, 3]) });
  assert.throws(
    () => decodeSafetensors(good.subarray(0, 5), "w.safetensors"),
    /w.safetensors.*8-byte header length is missing/,
  );
  assert.throws(() => decodeSafetensors(good.subarray(0, 20)), /header ends at offset \d+ but the data has 20 bytes/);
  assert.throws(
    () => decodeSafetensors(good.subarray(0, good.length - 3)),
    /truncated: tensor "w" ends at byte \d+ of the file but the file has \d+ bytes/,
  );
  const extra = new Uint8Array(good.length + 2);
  extra.set(good);
  assert.throws(() => decodeSafetensors(extra), /2 unexpected bytes after the last tensor/);
  assert.throws(() => decodeSafetensors(file("nope" as unknown as object)), /must be a JSON object/);
  const bad = file({});
  bad[9] = 0xff;
  assert.throws(() => decodeSafetensors(bad), /not valid JSON/);
});

Deno.test("decodeSafetensors() checks every entry: dtype, shape, offsets, gaps and overlaps", () => {
  const f16 = file({ h: { dtype: "F16", shape: [1], data_offsets: [0, 2] } }, [0, 0]);
  assert.throws(() => decodeSafetensors(f16), /tensor "h" has dtype "F16": gradflow reads F32 and F64 only/);
  const size = file({ a: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }, [0, 0, 0, 0]);
  assert.throws(() => decodeSafetensors(size), /needs 8 bytes but its data_offsets \[0, 4\] span 4/);
  const gap = file({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.throws(() => decodeSafetensors(gap), /gap/);
  const overlap = file({
    a: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
    b: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
  }, [0, 0, 0, 0]);
  assert.throws(() => decodeSafetensors(overlap), /overlaps/);
  const shape = file({ a: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, [0, 0, 0, 0]);
  assert.throws(() => decodeSafetensors(shape), /shape of non-negative integers/);
  const meta = file({ __metadata__: { n: 1 } });
  assert.throws(() => decodeSafetensors(meta), /__metadata__ values must be strings/);
});

Deno.test("writeSafetensors() and readSafetensors() round-trip through a file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeSafetensors(`${dir}/w.safetensors`, { w: tensor([[1, 2]]) }, { a: "b" });
    const back = await readSafetensors(`${dir}/w.safetensors`);
    assert.deepEqual(back.tensors.get("w")!.toArray(), [[1, 2]]);
    assert.deepEqual(back.metadata, { a: "b" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
