// Bearer tokens (src/http/token.ts): constantTimeEqual is true only for equal
// strings, and tokenMatches accepts only `Bearer <token>`, the scheme in any case.

import assert from "node:assert/strict";
import { test } from "node:test";
import { constantTimeEqual, tokenMatches } from "../../src/http/token.ts";

test("constantTimeEqual is true only for equal strings, whatever their lengths and characters", () => {
  const cases: [string, string, boolean][] = [
    ["s3cret", "s3cret", true],
    ["", "", true],
    ["s3cret", "s3creT", false],
    ["s3cret", "x3cret", false],
    ["s3c", "s3cret", false],
    ["s3cret", "s3c", false],
    ["s3cret-and-more", "s3cret", false],
    ["", "s3cret", false],
    ["s3cret", "", false],
    ["\0", "", false],
    ["", "\0", false],
    ["tökén-ü", "tökén-ü", true],
    ["tökén-ü", "token-u", false],
    ["é", "e\u0301", false],
    ["🔑key", "🔑key", true],
    ["🔑key", "🔒key", false],
    ["a".repeat(4096), "a".repeat(4096), true],
    ["a".repeat(4096), `${"a".repeat(4095)}b`, false],
  ];
  for (const [a, b, expected] of cases) {
    assert.equal(constantTimeEqual(a, b), expected, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
});

test("constantTimeEqual tells apart strings that differ only in lone surrogates", () => {
  assert.equal(constantTimeEqual("\uD800", "\uDC00"), false);
  assert.equal(constantTimeEqual("\uFFFD", "\uD800"), false);
});

test("tokenMatches accepts only Bearer <token>, with the scheme in any case", () => {
  const token = "s3cret-token";
  const accepted = [
    "Bearer s3cret-token",
    "bearer s3cret-token",
    "BEARER s3cret-token",
    "bEaReR s3cret-token",
    "Bearer   s3cret-token",
    "Bearer s3cret-token ",
  ];
  for (const header of accepted) assert.equal(tokenMatches(header, token), true, header);
  const rejected: (string | null)[] = [
    null,
    "",
    "Bearer",
    "Bearer ",
    "Bearer  ",
    "s3cret-token",
    " Bearer s3cret-token",
    "Bearers3cret-token",
    `Basic ${btoa(`user:${token}`)}`,
    "Basic s3cret-token",
    "Token s3cret-token",
    "Bearer s3cret-toke",
    "Bearer s3cret-token2",
    "Bearer S3CRET-TOKEN",
    "Bearer s3cret-token s3cret-token",
    "Bearer wrong s3cret-token",
  ];
  for (const header of rejected) {
    assert.equal(tokenMatches(header, token), false, JSON.stringify(header));
  }
  assert.equal(tokenMatches("Bearer tökén", "tökén"), true);
  assert.equal(tokenMatches("Bearer token", "tökén"), false);
});
