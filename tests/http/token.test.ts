// Bearer tokens (src/http/token.ts): constantTimeEqual is true only for equal
// strings, and tokenMatches accepts only `Bearer <token>`, the scheme in any case,
// against a plain token or against its hash (`sha256:<hex>`), synchronously.

import assert from "node:assert/strict";
import { test } from "node:test";
import { createHash } from "node:crypto";
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

/** `sha256:` and the hex SHA-256 of `token`, by node:crypto (not the code under test). */
const hashOf = (token: string) => `sha256:${createHash("sha256").update(token).digest("hex")}`;

test("tokenMatches against a hash accepts the token whose hash it is, and no other", () => {
  const token = "s3cret-token";
  const hash = hashOf(token);
  assert.equal(tokenMatches(`Bearer ${token}`, hash), true);
  assert.equal(tokenMatches(`bearer   ${token} `, hash), true);
  const rejected: (string | null)[] = [
    null,
    "",
    "Bearer",
    token,
    `Basic ${btoa(`user:${token}`)}`,
    "Bearer s3cret-toke",
    "Bearer s3cret-token2",
    "Bearer s3cret-tokeN",
    "Bearer S3CRET-TOKEN",
    `Bearer ${hash}`, // the hash itself is no token
    `Bearer ${hash.slice("sha256:".length)}`,
  ];
  for (const header of rejected) {
    assert.equal(tokenMatches(header, hash), false, JSON.stringify(header));
  }
});

test("tokenMatches answers a hash synchronously, with a boolean, never a promise", () => {
  const hash = hashOf("s3cret");
  for (const header of ["Bearer s3cret", "Bearer wrong", null]) {
    assert.equal(typeof tokenMatches(header, hash), "boolean");
  }
});

test("tokenMatches takes the hash's hex in upper, lower or mixed case", () => {
  const hash = hashOf("s3cret");
  const hex = hash.slice("sha256:".length);
  const mixed = [...hex].map((c, i) => i % 2 ? c.toUpperCase() : c).join("");
  for (const configured of [hash, `sha256:${hex.toUpperCase()}`, `sha256:${mixed}`]) {
    assert.equal(tokenMatches("Bearer s3cret", configured), true, configured);
    assert.equal(tokenMatches("Bearer s3creT", configured), false, configured);
  }
});

test("tokenMatches refuses the right token against a hash that differs in any one digit", () => {
  const hash = hashOf("s3cret");
  const prefix = "sha256:".length;
  for (let i = prefix; i < hash.length; i++) {
    const digit = hash[i] === "0" ? "1" : "0";
    const altered = `${hash.slice(0, i)}${digit}${hash.slice(i + 1)}`;
    assert.equal(tokenMatches("Bearer s3cret", altered), false, `digit ${i - prefix}`);
  }
});

test("a configured value with the sha256: prefix that is no valid hash matches nothing, not even itself", () => {
  const hex = hashOf("s3cret").slice("sha256:".length);
  const invalid = [
    "sha256:",
    `sha256:${hex.slice(1)}`,
    `sha256:${hex}0`,
    `sha256:${hex.slice(1)}g`,
    `SHA256:${hex}`,
    "sha256:s3cret",
    "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
  ];
  for (const configured of invalid) {
    for (const presented of ["s3cret", configured, configured.slice("sha256:".length)]) {
      if (presented === "") continue;
      assert.equal(tokenMatches(`Bearer ${presented}`, configured), false, configured);
    }
  }
});

test("a plain token that is the hex of a hash without the prefix stays a plain token", () => {
  const hex = hashOf("s3cret").slice("sha256:".length);
  assert.equal(tokenMatches(`Bearer ${hex}`, hex), true);
  assert.equal(tokenMatches("Bearer s3cret", hex), false);
});
