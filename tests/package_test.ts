/**
 * The package as published: an MIT license, said in deno.json and in LICENSE.
 * (`.ci/run` also runs `deno publish --dry-run` and fails on any error or warning.)
 */

import assert from "node:assert/strict";

Deno.test("the package is MIT-licensed, in deno.json and in LICENSE", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  assert.equal(config.license, "MIT");
  const license = await Deno.readTextFile(new URL("../LICENSE", import.meta.url));
  assert.match(license, /^MIT License\n\nCopyright \(c\) \d{4} /);
  assert.match(license, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
});
