import assert from "node:assert/strict";

// The page and its worker are bundled, not type-checked, by the build: check them here, each against its own
// libraries (the page against the DOM's, the worker against a worker's).
Deno.test("the playground's page and worker type-check", async () => {
  const root = decodeURIComponent(new URL("../../", import.meta.url).pathname);
  for (const entry of ["playground/src/main.ts", "playground/src/worker.ts"]) {
    const { success, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["check", "--quiet", entry],
      cwd: root,
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.ok(success, `${entry}:\n${new TextDecoder().decode(stderr)}`);
  }
});
