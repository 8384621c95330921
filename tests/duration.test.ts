// Durations in the config (parseDuration in src/config/duration.ts): units,
// fractions, rounding, spaces, whole numbers as milliseconds, and everything
// that is not a duration.

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDuration } from "../src/config/duration.ts";

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

test("parseDuration takes a whole number as milliseconds", () => {
  assert.equal(parseDuration(30_000), 30_000);
  assert.equal(parseDuration(0), 0);
});

test("parseDuration rejects a string without a unit", () => {
  assert.equal(parseDuration("5"), undefined);
  assert.equal(parseDuration("30000"), undefined);
});

test("parseDuration rejects negative durations", () => {
  assert.equal(parseDuration("-1"), undefined);
  assert.equal(parseDuration("-1s"), undefined);
  assert.equal(parseDuration(-1), undefined);
});

test("parseDuration rejects text that is not a duration", () => {
  for (const value of ["abc", "", "5x", "s", "5sec", "1h30m", ".5s", "5.s", "1e3ms"]) {
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
