/**
 * Tests for duration parsing and formatting (`src/duration.ts`) and for
 * `${VAR}` expansion (`src/config/env_expand.ts`).
 *
 * @module
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDuration } from "../src/config/duration.ts";
import { expandEnv, expandString, type MissingVariable } from "../src/config/env_expand.ts";

// ---------------------------------------------------------------------------
// parseDuration

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

// ---------------------------------------------------------------------------
// expandString

test("expandString replaces ${VAR} with its value", () => {
  const missing: string[] = [];
  assert.equal(expandString("host=${HOST}", { HOST: "db" }, missing), "host=db");
  assert.equal(expandString("${A}${B}", { A: "1", B: "2" }, missing), "12");
  assert.deepEqual(missing, []);
});

test("expandString uses the default when the variable is unset", () => {
  const missing: string[] = [];
  assert.equal(expandString("${HOST:-localhost}:${PORT}", { PORT: "80" }, missing), "localhost:80");
  assert.deepEqual(missing, [], "a reference with a default is never missing");
});

test("expandString uses the default when the variable is empty", () => {
  const missing: string[] = [];
  assert.equal(expandString("${HOST:-localhost}", { HOST: "" }, missing), "localhost");
  assert.deepEqual(missing, []);
});

test("expandString prefers a set variable over the default", () => {
  assert.equal(expandString("${HOST:-localhost}", { HOST: "db" }, []), "db");
});

test("expandString allows an empty default", () => {
  const missing: string[] = [];
  assert.equal(expandString("${TABBY_API_KEY:-}", {}, missing), "");
  assert.deepEqual(missing, []);
});

test("expandString keeps an empty but set ${VAR} as empty without reporting it", () => {
  const missing: string[] = [];
  assert.equal(expandString("[${EMPTY}]", { EMPTY: "" }, missing), "[]");
  assert.deepEqual(missing, []);
});

test("expandString writes $${ as a literal ${", () => {
  const missing: string[] = [];
  assert.equal(expandString("$${HOME}", { HOME: "/root" }, missing), "${HOME}");
  assert.equal(expandString("a $${NOPE} b", {}, missing), "a ${NOPE} b");
  assert.deepEqual(missing, [], "an escaped reference is not a missing variable");
});

test("expandString collects each unset variable and replaces it with nothing", () => {
  const missing: string[] = [];
  assert.equal(expandString("${A}-${SET}-${B}", { SET: "x" }, missing), "-x-");
  assert.deepEqual(missing, ["A", "B"]);
});

test("expandString appends to the missing array it is given", () => {
  const missing = ["EARLIER"];
  expandString("${LATER}", {}, missing);
  assert.deepEqual(missing, ["EARLIER", "LATER"]);
});

test("expandString leaves text that is not a ${NAME} reference alone", () => {
  const missing: string[] = [];
  for (const text of ["plain", "$HOME", "${1BAD}", "${}", "${UNCLOSED", "cost: $5"]) {
    assert.equal(expandString(text, { HOME: "/root" }, missing), text);
  }
  assert.deepEqual(missing, []);
});

test("expandString does not expand a value a second time", () => {
  assert.equal(expandString("${A}", { A: "${B}", B: "no" }, []), "${B}");
});

// ---------------------------------------------------------------------------
// expandEnv

test("expandEnv expands strings in nested objects and arrays", () => {
  const missing: MissingVariable[] = [];
  const input = {
    server: { host: "${HOST}" },
    checks: [
      { name: "a", command: ["echo", "${WORD:-hi}"] },
      { name: "b", headers: { Authorization: "Bearer ${TOKEN}" } },
    ],
  };
  const output = expandEnv(input, { HOST: "0.0.0.0", TOKEN: "t" }, missing);
  assert.deepEqual(output, {
    server: { host: "0.0.0.0" },
    checks: [
      { name: "a", command: ["echo", "hi"] },
      { name: "b", headers: { Authorization: "Bearer t" } },
    ],
  });
  assert.deepEqual(missing, []);
});

test("expandEnv reports the path of each missing variable", () => {
  const missing: MissingVariable[] = [];
  expandEnv(
    {
      server: { host: "${HOST}" },
      checks: [
        { name: "a", command: ["echo", "${WORD}"] },
        { name: "b", headers: { "X-Key": "${KEY}" } },
      ],
    },
    {},
    missing,
  );
  assert.deepEqual(missing, [
    { path: ["server", "host"], variable: "HOST" },
    { path: ["checks", 0, "command", 1], variable: "WORD" },
    { path: ["checks", 1, "headers", "X-Key"], variable: "KEY" },
  ]);
});

test("expandEnv reports a string at the top level with an empty path", () => {
  const missing: MissingVariable[] = [];
  assert.equal(expandEnv("${X}", {}, missing), "");
  assert.deepEqual(missing, [{ path: [], variable: "X" }]);
});

test("expandEnv does not expand mapping keys", () => {
  const missing: MissingVariable[] = [];
  const output = expandEnv({ "${KEY}": "${VALUE}" }, { KEY: "k", VALUE: "v" }, missing);
  assert.deepEqual(output, { "${KEY}": "v" });
  assert.deepEqual(missing, []);
});

test("expandEnv leaves numbers, booleans and null unchanged", () => {
  const missing: MissingVariable[] = [];
  const input = { port: 8080, critical: false, cwd: null, list: [1, true, null] };
  assert.deepEqual(expandEnv(input, {}, missing), input);
  assert.deepEqual(missing, []);
});

test("expandEnv returns a copy and leaves its input unchanged", () => {
  const input = { checks: [{ host: "${HOST}" }] };
  const output = expandEnv(input, { HOST: "db" }, []);
  assert.deepEqual(input, { checks: [{ host: "${HOST}" }] });
  assert.notEqual(output, input);
  assert.deepEqual(output, { checks: [{ host: "db" }] });
});
