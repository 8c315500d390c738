import assert from "node:assert/strict";
import { UsageError } from "./_errors.ts";
import { readExperiment } from "./_setup.ts";

Deno.test("readExperiment() says an experiment file that is not a JSON object must be one", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    for (const text of ["[1,2,3]", "null", "42", '"spirals"']) {
      await t.step(`${text}, with and without overrides`, async () => {
        const path = `${dir}/e.json`;
        await Deno.writeTextFile(path, text);
        for (const overrides of [{}, { epochs: 3, set: ["seed=1"] }]) {
          const error = await readExperiment(path, overrides).catch((e) => e);
          assert.ok(error instanceof UsageError, String(error));
          assert.equal(
            error.message,
            `Cannot read ${path} as it must be a JSON object: current value is ${text}`,
          );
        }
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
