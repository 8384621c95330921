/**
 * Text helpers (src/text.ts): `escapeControl` turns every control character
 * (C0, DEL, C1, and the Unicode line and paragraph separators) into visible
 * escapes, so text from a check cannot forge a log line or drive a terminal,
 * and leaves everything else as it is.
 *
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { escapeControl } from "../src/text.ts";
import { FORGED_ESCAPED, FORGED_MESSAGE, hasRawControl } from "./_helpers/text.ts";

test("escapeControl keeps a forged log line on the same line, with \\n and \\u001b visible", () => {
  const escaped = escapeControl(FORGED_MESSAGE);
  assert.equal(escaped, FORGED_ESCAPED);
  assert.ok(escaped.includes("\\n2026-01-01T00:00:00.000Z ERROR forged\\u001b[31m"));
  assert.ok(!hasRawControl(escaped));
});

test("escapeControl names \\n, \\r and \\t and writes other control characters as \\uXXXX", () => {
  assert.equal(escapeControl("a\r\nb\tc"), "a\\r\\nb\\tc");
  assert.equal(escapeControl("\u0000\u0007\u001f\u007f"), "\\u0000\\u0007\\u001f\\u007f");
  // C1 controls (a lone CSI, NEL) and the separators JavaScript treats as line breaks.
  assert.equal(escapeControl("\u0085\u009b\u2028\u2029"), "\\u0085\\u009b\\u2028\\u2029");
});

test("escapeControl leaves printable text, non-ASCII letters and emoji as they are", () => {
  for (
    const text of ["plain text", "ünïcödé 秘密 🔑", "tabs\\tescaped already", "", "\u00a0nbsp"]
  ) {
    assert.equal(escapeControl(text), text);
  }
});
