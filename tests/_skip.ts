/**
 * Skipping a test that needs something this machine may lack (OpenBLAS,
 * Fashion-MNIST, a permission), without hiding it: outside CI the test is
 * ignored and the reason is printed; in CI (`CI=true`, where `.ci/run`
 * installs everything) it is never ignored, so it runs and fails with the
 * real error.
 *
 * @module
 */

/**
 * Whether this run is CI: the environment variable `CI` is `true` or `1`
 * (read only when `--allow-env` grants it).
 *
 * @returns `true` under CI.
 *
 * @example
 * ```ts
 * import { inCi } from "./_skip.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(typeof inCi(), "boolean");
 * ```
 */
export function inCi(): boolean {
  try {
    if (Deno.permissions.querySync({ name: "env", variable: "CI" }).state !== "granted") return false;
    const value = Deno.env.get("CI")?.toLowerCase();
    return value === "true" || value === "1";
  } catch {
    return false;
  }
}

/**
 * Decides a test's `ignore` flag. With no reason (`null` or `undefined`) the
 * test runs. With a reason, outside CI the test is ignored and
 * `skipped: <test>: <reason>` is printed to standard error; in CI it runs
 * anyway (and a line says so), so a missing package or permission fails it.
 *
 * @param test The test's name, for the message.
 * @param reason Why the test cannot run here, or `null` when it can.
 * @returns The value for `Deno.test({ ignore })`.
 *
 * @example
 * ```ts
 * import { skipUnlessAvailable } from "./_skip.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(skipUnlessAvailable("needs nothing", null), false);
 * ```
 */
export function skipUnlessAvailable(test: string, reason: string | null | undefined): boolean {
  if (reason === null || reason === undefined) return false;
  if (inCi()) {
    console.error(`not skipped under CI: ${test}: ${reason}`);
    return false;
  }
  console.error(`skipped: ${test}: ${reason}`);
  return true;
}
