import assert from "node:assert/strict";
import { gzipBytes, idxBytes } from "./_idx_fixture.ts";
import { parseIdx, readIdx } from "./idx.ts";

Deno.test("parseIdx() reads the header's shape and the big-endian elements of every type", () => {
  const ubyte = parseIdx(idxBytes([2, 3], [1, 2, 3, 4, 5, 255]));
  assert.deepEqual(ubyte.shape, [2, 3]);
  assert.deepEqual([...ubyte.values], [1, 2, 3, 4, 5, 255]);
  const ints = new Uint8Array([0, 0, 0x0c, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xfe, 0, 0, 1, 0]);
  assert.deepEqual([...parseIdx(ints).values], [-2, 256]);
  const doubles = new Uint8Array(16);
  doubles.set([0, 0, 0x0e, 1, 0, 0, 0, 1]);
  new DataView(doubles.buffer).setFloat64(8, -1.5, false);
  assert.deepEqual([...parseIdx(doubles).values], [-1.5]);
});

Deno.test("parseIdx() reports a truncated file with the offsets, never a shorter array", () => {
  const good = idxBytes([3, 2], [1, 2, 3, 4, 5, 6]);
  assert.throws(
    () => parseIdx(good.subarray(0, good.length - 2), "imgs"),
    /Cannot read imgs as an IDX file as it is truncated: 6 elements of type unsigned byte \(\[3,2\]\) should end at offset 18 but the data has 16 bytes \(2 missing\)/,
  );
  assert.throws(
    () => parseIdx(good.subarray(0, 9)),
    /header of 2 dimensions should end at offset 12 but the data has 9 bytes/,
  );
  assert.throws(() => parseIdx(good.subarray(0, 2)), /4-byte header should end at offset 4/);
});

Deno.test("parseIdx() rejects trailing bytes, a bad magic number and an unknown type", () => {
  const good = idxBytes([2], [1, 2]);
  const longer = new Uint8Array(good.length + 3);
  longer.set(good);
  assert.throws(() => parseIdx(longer), /3 unexpected bytes after the data, which ends at offset 10/);
  assert.throws(
    () => parseIdx(new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0])),
    /two zero bytes: bytes at offset 0 are 0x01 0x00/,
  );
  assert.throws(
    () => parseIdx(new Uint8Array([0, 0, 7, 1, 0, 0, 0, 0])),
    /type code at offset 2 .* current value is 0x07/,
  );
  assert.throws(() => parseIdx(new Uint8Array([0, 0, 8, 0])), /number of dimensions at offset 3 must be at least 1/);
});

Deno.test("readIdx() reads plain and gzip files, and names a corrupt gzip file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const raw = idxBytes([2, 2], [9, 8, 7, 6]);
    await Deno.writeFile(`${dir}/a`, raw);
    const packed = await gzipBytes(raw);
    await Deno.writeFile(`${dir}/a.gz`, packed);
    assert.deepEqual([...(await readIdx(`${dir}/a`)).values], [9, 8, 7, 6]);
    assert.deepEqual([...(await readIdx(`${dir}/a.gz`)).values], [9, 8, 7, 6]);
    await Deno.writeFile(`${dir}/cut.gz`, packed.subarray(0, packed.length - 6));
    await assert.rejects(readIdx(`${dir}/cut.gz`), /cut\.gz as its gzip stream is corrupt or truncated/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseIdx() reads shorts and ints big-endian, as the IDX format stores them", () => {
  // Type 0x0b (short), shape [3]: 258 = 0x0102, −2 = 0xfffe, 1 = 0x0001.
  const shorts = new Uint8Array([0, 0, 0x0b, 1, 0, 0, 0, 3, 0x01, 0x02, 0xff, 0xfe, 0x00, 0x01]);
  assert.deepEqual([...parseIdx(shorts).values], [258, -2, 1]);
  // Type 0x0c (int), shape [2]: 16909060 = 0x01020304, −1.
  const ints = new Uint8Array([0, 0, 0x0c, 1, 0, 0, 0, 2, 1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff]);
  assert.deepEqual([...parseIdx(ints).values], [16909060, -1]);
});
