/**
 * A server token written as its hash, `sha256:` and the hex SHA-256 of the
 * token's UTF-8 bytes, so the config file holds no secret: the form's one
 * definition (the config schema checks it, the HTTP layer matches against it,
 * `vitals hash-token` prints it) and the hash itself.
 *
 * The hash is synchronous, from `@noble/hashes` (audited, no dependencies),
 * not Web Crypto's `crypto.subtle.digest`, measured (BENCHMARKS.md, "Token
 * checks"): on Deno 2.9 one `digest` costs about 35 µs of CPU, more than a
 * whole cached answer, against 1.2-2 µs here on both runtimes; and a
 * synchronous check keeps the handler's answers synchronous and every
 * `tokenMatches` a plain boolean, which a caller cannot mistake for a pass as
 * it could a promise (`!promise` is `false`).
 *
 * @module
 */

import { sha256 } from "@noble/hashes/sha2.js";

/** The prefix of a hashed token; a value starting with it in any case must be a hash. */
export const TOKEN_HASH_PREFIX = "sha256:";

/** A hashed token: `sha256:` and 64 hex digits, in either case. */
export const TOKEN_HASH_PATTERN = /^sha256:[0-9a-fA-F]{64}$/;

/** A bcrypt hash's prefix (`$2a$`, `$2b$`, `$2x$`, `$2y$`): not accepted, never a plain token. */
export const BCRYPT_PREFIX = /^\$2[abxy]\$/;

/**
 * Whether a configured token claims to be a hash: it starts with `sha256:` in
 * any case (then it must match {@link TOKEN_HASH_PATTERN}), or with a bcrypt
 * prefix (never valid). Such a value is never read as a plain token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { looksHashed } from "./token_hash.ts";
 * assert.ok(looksHashed("SHA256:abc"));
 * assert.ok(looksHashed("$2b$10$abc"));
 * assert.ok(!looksHashed("s3cret"));
 * ```
 */
export function looksHashed(value: string): boolean {
  return value.slice(0, TOKEN_HASH_PREFIX.length).toLowerCase() === TOKEN_HASH_PREFIX ||
    BCRYPT_PREFIX.test(value);
}

/**
 * The SHA-256 of `token`'s UTF-8 bytes: 32 bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenDigest } from "./token_hash.ts";
 * assert.equal(tokenDigest("s3cret").length, 32);
 * ```
 */
export function tokenDigest(token: string): Uint8Array {
  return sha256(ENCODER.encode(token));
}

/**
 * `sha256:` and the lower-case hex SHA-256 of `token`'s UTF-8 bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashToken } from "./token_hash.ts";
 * assert.equal(
 *   hashToken("s3cret"),
 *   "sha256:1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0",
 * );
 * ```
 */
export function hashToken(token: string): string {
  let text = TOKEN_HASH_PREFIX;
  for (const byte of tokenDigest(token)) text += HEX[byte]!;
  return text;
}

/**
 * The 32 bytes a valid `sha256:<64 hex>` names, or `undefined` for any other
 * value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashBytes, tokenDigest } from "./token_hash.ts";
 * const hash = "sha256:1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0";
 * assert.deepEqual(hashBytes(hash), tokenDigest("s3cret"));
 * assert.equal(hashBytes("sha256:1ec1"), undefined);
 * ```
 */
export function hashBytes(value: string): Uint8Array | undefined {
  if (!TOKEN_HASH_PATTERN.test(value)) return undefined;
  const bytes = new Uint8Array(32);
  const start = TOKEN_HASH_PREFIX.length;
  for (let i = 0; i < 32; i++) {
    bytes[i] = parseInt(value.slice(start + 2 * i, start + 2 * i + 2), 16);
  }
  return bytes;
}

const ENCODER = new TextEncoder();

/** Each byte's two hex digits. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));
