import assert from "node:assert/strict";
import { createRegistry } from "../../plugins/mod.ts";
import { gradcheckCommand } from "./gradcheck.ts";

Deno.test("gradflow gradcheck passes every built-in loss with its default options", async (t) => {
  const log = console.log;
  console.log = () => {};
  try {
    for (const { name } of createRegistry().list("loss")) {
      await t.step(name, async () => {
        assert.equal(await gradcheckCommand(["loss", name]), 0);
      });
    }
  } finally {
    console.log = log;
  }
});
