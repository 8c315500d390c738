import assert from "node:assert/strict";
import { writeFileAtomic } from "./atomic_write.ts";

Deno.test("writeFileAtomic() replaces the file's content and leaves no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeFileAtomic(`${dir}/f`, "one");
    await writeFileAtomic(`${dir}/f`, new Uint8Array([116, 119, 111]));
    assert.equal(await Deno.readTextFile(`${dir}/f`), "two");
    assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name), ["f"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic() failing halfway keeps the old content and removes the temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeFileAtomic(`${dir}/f`, "old content");
    const crash = async (file: Deno.FsFile, data: Uint8Array) => {
      await file.write(data.subarray(0, 2));
      throw new Error("crash");
    };
    await assert.rejects(writeFileAtomic(`${dir}/f`, "new content", { write: crash }), /crash/);
    assert.equal(await Deno.readTextFile(`${dir}/f`), "old content");
    assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name), ["f"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeFileAtomic() failing on a missing folder creates nothing", async () => {
  await assert.rejects(writeFileAtomic("/nonexistent-gradflow-dir/f", "x"), Deno.errors.NotFound);
});
