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

/** Gzip of an IDX header for `shape` (unsigned bytes) followed by `megabytes` MiB of zeros, made as a stream. */
async function gzipBomb(shape: number[], megabytes: number): Promise<Uint8Array> {
  const header = idxBytes(shape, []) as Uint8Array<ArrayBuffer>;
  const zeros = new Uint8Array(1 << 20);
  let sent = -1;
  const source = new ReadableStream<BufferSource>({
    pull(controller) {
      if (sent === megabytes) return controller.close();
      controller.enqueue(sent === -1 ? header : zeros);
      sent++;
    },
  });
  return new Uint8Array(await new Response(source.pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
}

Deno.test("readIdx() refuses a gzip stream that holds more than its header declares, naming both sizes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/bomb.gz`, await gzipBomb([10, 28, 28], 4));
    await assert.rejects(
      readIdx(`${dir}/bomb.gz`),
      new RegExp(
        `Cannot read ${dir}/bomb\\.gz as an IDX file as its gzip stream holds more than the 7856 bytes its header declares \\(\\[10,28,28\\] of type unsigned byte\\)`,
      ),
    );
    // A header that declares more than a gzip stream of this size can hold (deflate inflates at most 1032:1).
    const small = await gzipBytes(idxBytes([60000, 28, 28], [1, 2, 3]));
    await Deno.writeFile(`${dir}/claims.gz`, small);
    await assert.rejects(
      readIdx(`${dir}/claims.gz`),
      new RegExp(
        `its header declares 47040016 bytes \\(\\[60000,28,28\\] of type unsigned byte\\), more than the ${
          small.length * 1032
        } bytes a gzip stream of ${small.length} bytes can hold`,
      ),
    );
    // A plain file is checked against its size before it is read.
    await Deno.writeFile(`${dir}/plain`, idxBytes([60000, 28, 28], [1, 2, 3]));
    await assert.rejects(
      readIdx(`${dir}/plain`),
      /it is truncated: 47040000 elements .* should end at offset 47040016 but the data has 19 bytes/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "readIdx() on a gzip bomb stops early: peak memory stays within 50 MB of reading the honest file",
  ignore: Deno.build.os !== "linux" ||
    Deno.permissions.querySync({ name: "run", command: Deno.execPath() }).state !== "granted",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      // The honest file and a bomb with the same header that inflates to 128 MiB.
      await Deno.writeFile(`${dir}/honest.gz`, await gzipBytes(idxBytes([10, 28, 28], new Array(7840).fill(0))));
      await Deno.writeFile(`${dir}/bomb.gz`, await gzipBomb([10, 28, 28], 128));
      const peak = async (file: string) => {
        const script = `
          import { readIdx } from "${new URL("./idx.ts", import.meta.url).href}";
          await readIdx("${dir}/${file}").catch(() => {});
          console.log(/VmHWM:\\s+(\\d+) kB/.exec(await Deno.readTextFile("/proc/self/status"))[1]);`;
        const out = await new Deno.Command(Deno.execPath(), { args: ["eval", script], stderr: "inherit" }).output();
        return Number(new TextDecoder().decode(out.stdout)) * 1024;
      };
      const honest = await peak("honest.gz"), bomb = await peak("bomb.gz");
      assert.ok(
        bomb - honest < 50e6,
        `peak memory: ${(bomb / 1e6).toFixed(0)} MB, honest file ${(honest / 1e6).toFixed(0)} MB`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("parseIdx() reads shorts and ints big-endian, as the IDX format stores them", () => {
  // Type 0x0b (short), shape [3]: 258 = 0x0102, −2 = 0xfffe, 1 = 0x0001.
  const shorts = new Uint8Array([0, 0, 0x0b, 1, 0, 0, 0, 3, 0x01, 0x02, 0xff, 0xfe, 0x00, 0x01]);
  assert.deepEqual([...parseIdx(shorts).values], [258, -2, 1]);
  // Type 0x0c (int), shape [2]: 16909060 = 0x01020304, −1.
  const ints = new Uint8Array([0, 0, 0x0c, 1, 0, 0, 0, 2, 1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff]);
  assert.deepEqual([...parseIdx(ints).values], [16909060, -1]);
});
