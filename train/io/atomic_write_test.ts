import assert from "node:assert/strict";
import { fileSystemCalls, strace } from "../../tests/_file_system_calls.ts";
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

Deno.test({
  name: "writeFileAtomic() flushes the file, renames it, then flushes the folder (so the rename survives a power loss)",
  ignore: !strace,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const module = new URL("./atomic_write.ts", import.meta.url).href;
      const calls = await fileSystemCalls(
        `import { writeFileAtomic } from "${module}"; await writeFileAtomic("${dir}/f", "content");`,
        dir,
      );
      const tmp = /rename\((<dir>\/f\.\d+-\d+\.tmp), <dir>\/f\)/.exec(calls.join("\n"))?.[1];
      assert.ok(tmp !== undefined, calls.join("\n"));
      assert.deepEqual(calls, [`fsync(${tmp})`, `rename(${tmp}, <dir>/f)`, "fsync(<dir>)"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
