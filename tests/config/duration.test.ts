// Durations in the config (src/config/duration.ts): units, fractions,
// rounding, spaces, compound values such as 1m30s, a bare 0, bare numbers
// refused with both of their readings, everything that is not a duration and
// what is said about it, the pattern the JSON Schema publishes, and
// formatDuration read back.

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  DURATION_PATTERN,
  durationProblem,
  formatDuration,
  parseDuration,
} from "../../src/config/duration.ts";
import { SEED } from "../_helpers/fuzz.ts";

test("parseDuration reads ms, s, m and h units", () => {
  assert.equal(parseDuration("250ms"), 250);
  assert.equal(parseDuration("5s"), 5_000);
  assert.equal(parseDuration("1m"), 60_000);
  assert.equal(parseDuration("1h"), 3_600_000);
  assert.equal(parseDuration("0s"), 0);
});

test("parseDuration reads fractional amounts", () => {
  assert.equal(parseDuration("1.5s"), 1_500);
  assert.equal(parseDuration("1.5m"), 90_000);
  assert.equal(parseDuration("0.25h"), 900_000);
});

test("parseDuration rounds to whole milliseconds", () => {
  assert.equal(parseDuration("1.4ms"), 1);
  assert.equal(parseDuration("1.6ms"), 2);
  assert.equal(parseDuration("0.0004s"), 0);
});

test("parseDuration allows spaces around the value and before the unit", () => {
  assert.equal(parseDuration(" 5s "), 5_000);
  assert.equal(parseDuration("5 s"), 5_000);
});

test("parseDuration takes 0 without a unit, as a number or as text", () => {
  assert.equal(parseDuration(0), 0);
  assert.equal(parseDuration("0"), 0);
  assert.equal(parseDuration(" 0 "), 0);
  assert.equal(parseDuration("0.0"), 0);
});

test("parseDuration rejects any other number without a unit, as a number or as text", () => {
  assert.equal(parseDuration(5), undefined);
  assert.equal(parseDuration(30_000), undefined);
  assert.equal(parseDuration("5"), undefined);
  assert.equal(parseDuration("30000"), undefined);
  assert.equal(parseDuration("0.5"), undefined);
});

test("parseDuration rejects negative durations", () => {
  assert.equal(parseDuration("-1"), undefined);
  assert.equal(parseDuration("-1s"), undefined);
  assert.equal(parseDuration(-1), undefined);
});

test("parseDuration rejects text that is not a duration", () => {
  for (const value of ["abc", "", "5x", "s", "5sec", ".5s", "5.s", "1e3ms", "+1s", "1d"]) {
    assert.equal(parseDuration(value), undefined, JSON.stringify(value));
  }
});

test("parseDuration rejects a fractional or non-finite number", () => {
  assert.equal(parseDuration(1.5), undefined);
  assert.equal(parseDuration(Number.NaN), undefined);
  assert.equal(parseDuration(Number.POSITIVE_INFINITY), undefined);
  assert.equal(parseDuration(2 ** 53), undefined, "beyond the safe integer range");
});

test("parseDuration rejects values that are neither numbers nor strings", () => {
  for (const value of [null, undefined, true, [5], { ms: 5 }]) {
    assert.equal(parseDuration(value), undefined, String(value));
  }
});

test("parseDuration adds up compound values, as Go's time.ParseDuration does", () => {
  assert.equal(parseDuration("1m30s"), 90_000);
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("1h2m3s"), 3_723_000);
  assert.equal(parseDuration("2h45m30.5s"), 9_930_500);
  assert.equal(parseDuration("1s500ms"), 1_500);
  assert.equal(parseDuration("1.5h30m"), 7_200_000);
  assert.equal(parseDuration("0h0m0s"), 0);
});

test("parseDuration takes the parts of a compound value in any order, repeats adding up", () => {
  assert.equal(parseDuration("30s1m"), 90_000);
  assert.equal(parseDuration("1m1m"), 120_000);
  assert.equal(parseDuration("500ms1h"), 3_600_500);
});

test("parseDuration allows spaces between the parts of a compound value", () => {
  assert.equal(parseDuration("1h 30m"), 5_400_000);
  assert.equal(parseDuration("1 m 30 s"), 90_000);
  assert.equal(parseDuration(" 1m\t30s "), 90_000);
});

test("parseDuration rounds the sum of the parts, not each part", () => {
  assert.equal(parseDuration("0.4ms0.4ms"), 1);
  assert.equal(parseDuration("0.0004s0.0004s"), 1);
});

test("parseDuration rejects a compound value with a number or a unit missing", () => {
  for (const value of ["1m30", "30s1", "1m 30", "1 30s", "m", "1mm", "1m30x", "1hs", "ms5"]) {
    assert.equal(parseDuration(value), undefined, JSON.stringify(value));
  }
});

test("parseDuration rejects signs, units finer than milliseconds and days in compound values", () => {
  for (const value of ["1h-30m", "1h+30m", "-1m30s", "1s500us", "1s500µs", "1s500ns", "1d2h"]) {
    assert.equal(parseDuration(value), undefined, JSON.stringify(value));
  }
});

test("parseDuration reads any parts of a number and a unit as their sum in milliseconds", () => {
  const factor = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
  const part = fc.record({
    whole: fc.integer({ min: 0, max: 999 }),
    tenths: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }),
    unit: fc.constantFrom("ms", "s", "m", "h" as const),
    space: fc.constantFrom("", " "),
  });
  fc.assert(
    fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (parts) => {
      // Tenths of ms would make sums that end in .5, where float rounding may go either way.
      const text = parts.map(({ whole, tenths, unit, space }) =>
        `${space}${whole}${
          tenths === undefined || unit === "ms" ? "" : `.${tenths}`
        }${space}${unit}`
      ).join("").trim();
      const tenthsOfMs = parts.reduce(
        (sum, { whole, tenths, unit }) =>
          sum + (whole * 10 + (unit === "ms" ? 0 : tenths ?? 0)) * factor[unit],
        0,
      );
      assert.ok(DURATION_PATTERN.test(text), text);
      assert.equal(parseDuration(text), Math.round(tenthsOfMs / 10), text);
    }),
    { seed: SEED, numRuns: 300 },
  );
});

test("DURATION_PATTERN, which the JSON Schema publishes, matches what parseDuration reads", () => {
  const read = ["5s", "250ms", "1.5m", "1h", "1m30s", "1h 30m", "30s1m", "2h45m30.5s", "5 s", "0"];
  const notRead = ["5", "1m30", "m", "-1s", "1x", ".5s", "5.s", "1e3ms", "1d", "", "1m30s ", "-0"];
  for (const value of read) {
    assert.ok(DURATION_PATTERN.test(value), JSON.stringify(value));
    assert.notEqual(parseDuration(value), undefined, JSON.stringify(value));
  }
  for (const value of notRead) {
    assert.ok(!DURATION_PATTERN.test(value), JSON.stringify(value));
  }
  // The pattern takes no spaces around the value; parseDuration trims them (a CLI flag's value).
  assert.equal(parseDuration("1m30s "), 90_000);
});

test("durationProblem shows both readings of a bare number, the likelier first", () => {
  assert.equal(durationProblem(5), "expected a duration with a unit: write 5s or 5ms");
  assert.equal(durationProblem("5"), "expected a duration with a unit: write 5s or 5ms");
  assert.equal(durationProblem(" 5 "), "expected a duration with a unit: write 5s or 5ms");
  assert.equal(durationProblem(1.5), "expected a duration with a unit: write 1.5s or 1.5ms");
  assert.equal(durationProblem(999), "expected a duration with a unit: write 999s or 999ms");
  assert.equal(durationProblem(1000), "expected a duration with a unit: write 1000ms or 1000s");
  assert.equal(
    durationProblem("30000"),
    "expected a duration with a unit: write 30000ms or 30000s",
  );
  assert.equal(
    durationProblem(14, { days: true }),
    "expected a duration with a unit: write 14d or 14ms",
  );
  assert.equal(durationProblem(0), undefined);
  assert.equal(durationProblem("0"), undefined);
});

test("durationProblem says what is expected of a number that is not one to write with a unit", () => {
  const such = "expected a duration such as 250ms, 5s, 1m30s or 1h";
  assert.equal(durationProblem(-5), `${such}, without a sign`);
  assert.equal(durationProblem(Number.POSITIVE_INFINITY), such);
  assert.equal(durationProblem(Number.NaN), such);
  assert.equal(durationProblem(1e21), such, "a number JavaScript writes with an exponent");
});

test("durationProblem names the number that has no unit", () => {
  const such = "expected a duration such as 250ms, 5s, 1m30s or 1h";
  assert.equal(durationProblem("1m30"), `${such}, with a unit (ms, s, m or h) after "30"`);
  assert.equal(durationProblem("1 30s"), `${such}, with a unit (ms, s, m or h) after "1"`);
  assert.equal(durationProblem("5x"), `${such}, with a unit (ms, s, m or h) after "5"`);
  assert.equal(durationProblem("500us"), `${such}, with a unit (ms, s, m or h) after "500"`);
});

test("durationProblem names the unit that has no number, and a malformed number", () => {
  const such = "expected a duration such as 250ms, 5s, 1m30s or 1h";
  assert.equal(durationProblem("m"), `${such}, with a number before "m"`);
  assert.equal(durationProblem("1mms"), `${such}, with a unit (ms, s, m or h) after "1"`);
  assert.equal(durationProblem("1m ms"), `${such}, with a number before "ms"`);
  assert.equal(durationProblem(".5s"), `${such}, with a number such as 0.5 or 5 in place of ".5"`);
  assert.equal(durationProblem("5.s"), `${such}, with a number such as 0.5 or 5 in place of "5."`);
});

test("durationProblem rejects a sign, and says only what is expected of other text", () => {
  const such = "expected a duration such as 250ms, 5s, 1m30s or 1h";
  assert.equal(durationProblem("-1s"), `${such}, without a sign`);
  assert.equal(durationProblem("+1m30s"), `${such}, without a sign`);
  assert.equal(durationProblem(""), such);
  assert.equal(durationProblem("abc"), such);
  assert.equal(durationProblem("1h abc"), such);
  assert.equal(durationProblem("toString"), such, "no unit from Object.prototype");
  assert.equal(
    durationProblem(`1${"0".repeat(400)}h`),
    `${such}, short enough to count in milliseconds`,
  );
});

test("durationProblem is undefined exactly for the text that parseDuration reads", () => {
  for (
    const value of ["5s", "1m30s", " 1h 30m ", "0s", "0", "5", "1m30", "m", "-1s", "", "1e3ms"]
  ) {
    assert.equal(
      durationProblem(value) === undefined,
      parseDuration(value) !== undefined,
      JSON.stringify(value),
    );
  }
});

test("formatDuration writes compound values that parseDuration reads back", () => {
  const cases: [number, string, number][] = [
    [0, "0ms", 0],
    [250, "250ms", 250],
    [1_540, "1.5s", 1_500],
    [90_000, "1m30s", 90_000],
    [192_400, "3m12s", 192_000],
    [3_605_000, "1h5s", 3_605_000],
    [9_930_500, "2h45m30s", 9_930_000],
    [100 * 3_600_000, "100h", 100 * 3_600_000],
  ];
  for (const [ms, text, back] of cases) {
    assert.equal(formatDuration(ms), text);
    assert.equal(parseDuration(text), back, text);
  }
});
