/**
 * JSON paths (src/json_path.ts): the syntax parsed into steps, what is wrong
 * with text that is not a path, the JSON Schema's pattern agreeing with the
 * parser, and looking a path up in parsed JSON, with why nothing was found.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { formatJsonPath, JSON_PATH_PATTERN, lookUp, parseJsonPath } from "../src/json_path.ts";

const VALID: readonly [string, unknown[]][] = [
  ["$", []],
  ["$.status", [{ key: "status" }]],
  ["$.checks[0].healthy", [{ key: "checks" }, { index: 0 }, { key: "healthy" }]],
  ["$.checks[-1]", [{ key: "checks" }, { index: -1 }]],
  ['$["a key"]', [{ key: "a key" }]],
  ['$["with \\"quotes\\" and \\u00e9"]', [{ key: 'with "quotes" and é' }]],
  ['$["a]b"][10]', [{ key: "a]b" }, { index: 10 }]],
  ["$.x-request-id._v2", [{ key: "x-request-id" }, { key: "_v2" }]],
  ["$[0][1]", [{ index: 0 }, { index: 1 }]],
  ['$[""]', [{ key: "" }]],
];

const INVALID: readonly string[] = [
  "",
  "status",
  "$.",
  "$..a",
  "$.a.",
  "$.1a",
  "$.a b",
  "$[a]",
  "$['a']",
  "$[01]",
  "$[-0x1]",
  "$[1",
  '$["a"',
  '$["a\\x"]',
  "$[*]",
  "$.a[?(@.b)]",
  "$.*",
  " $.a",
  "$ .a",
];

test("valid paths parse into key and index steps", () => {
  for (const [text, steps] of VALID) {
    assert.deepEqual(parseJsonPath(text), { ok: true, steps }, text);
  }
});

test("text that is not a path is refused, saying where it goes wrong", () => {
  for (const text of INVALID) {
    const parsed = parseJsonPath(text);
    assert.equal(parsed.ok, false, text);
  }
  assert.deepEqual(parseJsonPath("status"), {
    ok: false,
    problem: 'starting with "$" (the whole body)',
  });
  assert.deepEqual(parseJsonPath("$.a.1"), {
    ok: false,
    problem: 'with a key of letters, digits, "_" or "-" after "." at character 4 ' +
      '(write any other key as ["key"])',
  });
  assert.deepEqual(parseJsonPath("$[*]"), {
    ok: false,
    problem: 'with an index such as [0] or a key in double quotes such as ["a key"] at character 2',
  });
  assert.deepEqual(parseJsonPath("$.a?"), {
    ok: false,
    problem: 'with ".key", ["key"] or [index] at character 4',
  });
});

test("the JSON Schema's pattern accepts exactly the paths the parser reads", () => {
  const pattern = new RegExp(JSON_PATH_PATTERN, "u");
  for (const [text] of VALID) assert.ok(pattern.test(text), text);
  for (const text of INVALID) assert.ok(!pattern.test(text), text);
});

test("formatting steps gives back a path that parses to the same steps", () => {
  for (const [text, steps] of VALID) {
    const parsed = parseJsonPath(text);
    assert.ok(parsed.ok);
    assert.deepEqual(parseJsonPath(formatJsonPath(parsed.steps)), { ok: true, steps }, text);
  }
});

test("lookUp finds values, own keys only, and says why a path finds nothing", () => {
  const data = JSON.parse('{"a": {"b": [10, null, {"c": false}]}, "s": "text", "__proto__": 1}');
  const at = (text: string) => {
    const parsed = parseJsonPath(text);
    assert.ok(parsed.ok, text);
    return lookUp(data, parsed.steps);
  };
  assert.deepEqual(at("$.a.b[0]"), { found: true, value: 10 });
  assert.deepEqual(at("$.a.b[1]"), { found: true, value: null });
  assert.deepEqual(at("$.a.b[-1].c"), { found: true, value: false });
  assert.deepEqual(at("$.__proto__"), { found: true, value: 1 });
  assert.deepEqual(at("$"), { found: true, value: data });
  assert.deepEqual(at("$.a.b[3]"), { found: false, why: "$.a.b has 3 items" });
  assert.deepEqual(at("$.a.b[-4]"), { found: false, why: "$.a.b has 3 items" });
  assert.deepEqual(at("$.a.x"), { found: false, why: 'no key "x" in $.a' });
  assert.deepEqual(at("$.a.constructor"), { found: false, why: 'no key "constructor" in $.a' });
  assert.deepEqual(at("$.s.length"), { found: false, why: "$.s is a string" });
  assert.deepEqual(at("$.a[0]"), { found: false, why: "$.a is an object" });
  assert.deepEqual(at("$.a.b.c"), { found: false, why: "$.a.b is a list" });
  assert.deepEqual(at("$.a.b[1].x"), { found: false, why: "$.a.b[1] is null" });
});
