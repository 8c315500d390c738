import assert from "node:assert/strict";
import { formatDuration, formatMetric, plainOutputWanted } from "./_format.ts";

Deno.test("plainOutputWanted() is true when CI is set or TERM is dumb, false otherwise", () => {
  const saved = { CI: Deno.env.get("CI"), TERM: Deno.env.get("TERM") };
  try {
    Deno.env.set("TERM", "xterm");
    Deno.env.set("CI", "true");
    assert.equal(plainOutputWanted(), true);
    Deno.env.set("CI", "false");
    assert.equal(plainOutputWanted(), false);
    Deno.env.delete("CI");
    assert.equal(plainOutputWanted(), false);
    Deno.env.set("TERM", "dumb");
    assert.equal(plainOutputWanted(), true);
  } finally {
    for (const [k, v] of Object.entries(saved)) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
  }
});

Deno.test("formatMetric() and formatDuration() keep console lines short and readable", () => {
  assert.equal(formatMetric("accuracy", 1), "100.00%");
  assert.equal(formatMetric("loss", 123456), "1.235e5");
  assert.equal(formatMetric("loss", NaN), "NaN");
  assert.equal(formatDuration(5), "0:05");
  assert.equal(formatDuration(Infinity), "?");
});
