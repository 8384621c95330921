// Hashed tokens (src/token_hash.ts): hashToken is `sha256:` and the lower-case
// hex SHA-256 of the token's UTF-8 bytes, the same as node:crypto's (an
// independent implementation) and the published test vectors; looksHashed and
// TOKEN_HASH_PATTERN tell what claims to be a hash and what is a valid one.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import {
  hashBytes,
  hashToken,
  looksHashed,
  TOKEN_HASH_PATTERN,
  tokenDigest,
} from "../src/token_hash.ts";

test("hashToken gives the SHA-256 test vectors of FIPS 180-2", () => {
  assert.equal(
    hashToken("abc"),
    "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    hashToken("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
    "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
  assert.equal(
    hashToken(""),
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
});

test("hashToken agrees with node:crypto on tokens of every length up to 200 and on UTF-8", () => {
  const tokens = ["s3cret", "tökén-ü", "🔑key", "a".repeat(4096)];
  for (let length = 1; length <= 200; length++) {
    tokens.push(
      Array.from({ length }, (_, i) => String.fromCharCode(0x21 + (i * 7) % 94)).join(""),
    );
  }
  for (const token of tokens) {
    const expected = `sha256:${createHash("sha256").update(token, "utf8").digest("hex")}`;
    assert.equal(hashToken(token), expected, token);
  }
});

test("looksHashed is true for a sha256: prefix in any case or a bcrypt prefix, and only then", () => {
  const claims = [
    "sha256:",
    "SHA256:x",
    "Sha256:" + "a".repeat(64),
    "sha256:zz",
    "$2b$10$x",
    "$2y$",
  ];
  for (const value of claims) {
    assert.ok(looksHashed(value), value);
  }
  for (
    const value of ["", "sha256", "sha-256:" + "a".repeat(64), "s3cret", " sha256:x", "xsha256:"]
  ) {
    assert.ok(!looksHashed(value), value);
  }
});

test("TOKEN_HASH_PATTERN takes sha256: and exactly 64 hex digits, lower or upper case", () => {
  const hex = "1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0";
  for (
    const value of [`sha256:${hex}`, `sha256:${hex.toUpperCase()}`, `sha256:${"aB".repeat(32)}`]
  ) {
    assert.ok(TOKEN_HASH_PATTERN.test(value), value);
  }
  const refused = [
    `sha256:${hex.slice(1)}`,
    `sha256:${hex}0`,
    `sha256:${hex.slice(1)}g`,
    `SHA256:${hex}`,
    `sha256: ${hex.slice(1)}`,
    `sha256:${hex}\n`,
    hex,
    "sha256:",
  ];
  for (const value of refused) assert.ok(!TOKEN_HASH_PATTERN.test(value), JSON.stringify(value));
});

test("hashBytes reads a valid hash's 32 bytes in either case, and nothing else", () => {
  const hex = createHash("sha256").update("s3cret").digest("hex");
  const bytes = Uint8Array.from(createHash("sha256").update("s3cret").digest());
  assert.deepEqual(hashBytes(`sha256:${hex}`), bytes);
  assert.deepEqual(hashBytes(`sha256:${hex.toUpperCase()}`), bytes);
  assert.deepEqual(tokenDigest("s3cret"), bytes);
  for (const value of [`sha256:${hex.slice(1)}`, `sha256:${hex.slice(1)}g`, `SHA256:${hex}`, hex]) {
    assert.equal(hashBytes(value), undefined, value);
  }
});
