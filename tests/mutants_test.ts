/**
 * The mutation list stays in step with the code: every snippet of
 * tests/mutations.ts is found exactly once in its file (a refactor that moves
 * one fails here, in `deno task test`, not only when the mutants run), every
 * named test file exists, and the list covers every part of gradflow.
 */

import assert from "node:assert/strict";
import { checkMutation, rotatingSubset } from "./mutants.ts";
import { MUTATIONS } from "./mutations.ts";

const ROOT = new URL("../", import.meta.url);

function read(path: string): string | null {
  try {
    return Deno.readTextFileSync(new URL(path, ROOT));
  } catch {
    return null;
  }
}

Deno.test("every mutation's snippet is found exactly once in its file, and its test files exist", () => {
  const problems = MUTATIONS.flatMap((m) => checkMutation(m, read));
  assert.deepEqual(problems, [], `update tests/mutations.ts:\n${problems.join("\n")}`);
});

Deno.test("the mutation list has at least 40 one-line mutants with unique ids, across every part of gradflow", () => {
  assert.ok(MUTATIONS.length >= 40, `${MUTATIONS.length} mutants`);
  assert.equal(new Set(MUTATIONS.map((m) => m.id)).size, MUTATIONS.length, "unique ids");
  const kinds = new Set(MUTATIONS.map((m) => m.kind));
  for (
    const kind of [
      "core",
      "backend",
      "layer",
      "loss",
      "optimizer",
      "regularizer",
      "scheduler",
      "initializer",
      "trainer",
      "batching",
      "checkpoint",
      "loader",
    ] as const
  ) {
    assert.ok(kinds.has(kind), `a mutant of kind ${kind}`);
  }
  // The three bugs that once passed the whole suite.
  for (const id of ["batch-norm-count-rank4", "kl-symmetric-clamp", "batching-fixed-unshuffled"]) {
    assert.ok(MUTATIONS.some((m) => m.id === id), id);
  }
  for (const m of MUTATIONS) {
    // One line changes: the lines around it (kept for uniqueness) are the same.
    const before = m.original.split("\n"), after = m.replacement.split("\n");
    assert.equal(before.length, after.length, `${m.id}: as many lines after as before`);
    assert.equal(before.filter((line, i) => line !== after[i]).length, 1, `${m.id}: exactly one line changes`);
  }
});

Deno.test("rotatingSubset() windows cover the whole list over consecutive keys", () => {
  const ids = MUTATIONS.map((m) => m.id), seen = new Set<string>();
  for (let key = 0; key * 6 < ids.length; key++) rotatingSubset(ids, 6, key).forEach((id) => seen.add(id));
  assert.equal(seen.size, ids.length);
  assert.deepEqual(rotatingSubset(ids, 6, 3), rotatingSubset(ids, 6, 3), "deterministic");
});
