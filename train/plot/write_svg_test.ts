import assert from "node:assert/strict";
import { writeSvg } from "./write_svg.ts";

Deno.test("writeSvg() replaces the file's content and leaves no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeSvg(`${dir}/chart.svg`, "<svg>1</svg>");
    await writeSvg(`${dir}/chart.svg`, "<svg>2</svg>");
    assert.equal(await Deno.readTextFile(`${dir}/chart.svg`), "<svg>2</svg>");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["chart.svg"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeSvg() leaves what was at the path untouched and cleans up when the rename fails", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // A non-empty directory where the chart should go: the rename must fail.
    await Deno.mkdir(`${dir}/chart.svg`);
    await Deno.writeTextFile(`${dir}/chart.svg/keep`, "precious");
    await assert.rejects(writeSvg(`${dir}/chart.svg`, "<svg/>"));
    assert.equal(await Deno.readTextFile(`${dir}/chart.svg/keep`), "precious");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["chart.svg"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeSvg() rejects with NotFound when the directory does not exist", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(writeSvg(`${dir}/missing/chart.svg`, "<svg/>"), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeSvg() throws TypeError for a path or document that is not a string", async () => {
  await assert.rejects(writeSvg("", "<svg/>"), { name: "TypeError", message: /path must be a non-empty string/ });
  await assert.rejects(writeSvg("a.svg", 3 as never), { name: "TypeError", message: /svg must be a string/ });
});
