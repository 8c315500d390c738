import assert from "node:assert/strict";
import fc from "fast-check";
import { formatTick, linearTicks, logTicks } from "./ticks.ts";

/** Whether v is 1, 2 or 5 times a power of ten (up to rounding). */
function isRound(v: number): boolean {
  if (v === 0) return true;
  const m = Math.abs(v) / 10 ** Math.floor(Math.log10(Math.abs(v)) + 1e-12);
  return [1, 2, 5, 10].some((k) => Math.abs(m - k) < 1e-6);
}

Deno.test("linearTicks() covers the data with evenly spaced round ticks", () => {
  fc.assert(
    fc.property(
      fc.double({ min: -1e6, max: 1e6, noNaN: true }),
      fc.double({ min: 1, max: 1e12, noNaN: true }),
      fc.integer({ min: 2, max: 10 }),
      (lo, relative, count) => {
        // Spans down to a millionth of the values' magnitude (a loss that plateaus at 0.693147 ± 1e-7, say).
        const span = relative * Math.max(1, Math.abs(lo)) * 1e-6, hi = lo + span;
        const { domain, ticks } = linearTicks(lo, hi, count);
        assert.ok(domain[0] <= lo && domain[1] >= hi, `${domain} covers [${lo}, ${hi}]`);
        assert.ok(ticks.length >= 2 && ticks.length <= 3 * count + 2, `${ticks.length} ticks for ${count}`);
        const step = ticks[1] - ticks[0];
        assert.ok(isRound(step), `step ${step}`);
        for (let i = 1; i < ticks.length; i++) {
          assert.ok(Math.abs(ticks[i] - ticks[i - 1] - step) < 1e-9 * span + 1e-12);
        }
        assert.ok(Math.abs(ticks[0] - domain[0]) <= 1e-6 * span && Math.abs(ticks.at(-1)! - domain[1]) <= 1e-6 * span);
      },
    ),
    { numRuns: 100, seed: 42 },
  );
});

Deno.test("linearTicks() widens a zero-width range around its value", () => {
  assert.deepEqual(linearTicks(0, 0).domain, [-1, 1]);
  const { domain } = linearTicks(5, 5);
  assert.ok(domain[0] < 5 && domain[1] > 5);
});

Deno.test("linearTicks() throws RangeError for non-finite bounds", () => {
  assert.throws(() => linearTicks(0, Infinity), { name: "RangeError", message: /finite/ });
});

Deno.test("logTicks() covers the data with powers of ten (or 1-2-5 steps within two decades)", () => {
  fc.assert(
    fc.property(fc.double({ min: -12, max: 12, noNaN: true }), fc.double({ min: 0, max: 20, noNaN: true }), (e, d) => {
      const lo = 10 ** e, hi = 10 ** (e + d);
      const { domain, ticks } = logTicks(lo, hi);
      assert.ok(domain[0] <= lo * (1 + 1e-12) && domain[1] >= hi * (1 - 1e-12), `${domain} covers [${lo}, ${hi}]`);
      assert.ok(ticks.length >= 2 && ticks.length <= 12, `${ticks}`);
      for (const t of ticks) assert.ok(isRound(t) && t >= domain[0] * (1 - 1e-12) && t <= domain[1] * (1 + 1e-12));
    }),
    { numRuns: 100, seed: 7 },
  );
});

Deno.test("logTicks() throws RangeError for a bound that is not positive", () => {
  assert.throws(() => logTicks(0, 1), {
    name: "RangeError",
    message: "Cannot compute log ticks as lo and hi must be positive: current value is [0, 1]",
  });
});

Deno.test("formatTick() avoids floating-point noise and long runs of zeros", () => {
  assert.equal(formatTick(0.1 + 0.2), "0.3");
  assert.equal(formatTick(1e-7), "1e-7");
  assert.equal(formatTick(123456), "1.235e5");
  assert.equal(formatTick(0.001), "0.001");
});
