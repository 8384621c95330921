/**
 * Bearer-token checks for the server's tokens: a presented token is compared
 * with the configured one, or hashed and compared with the configured hash
 * (`sha256:...`, src/token_hash.ts), in constant time, so response timing
 * does not reveal how much of a guess was right.
 *
 * @module
 */

import { hashBytes, looksHashed, tokenDigest } from "../token_hash.ts";

/**
 * Compares two strings in time that depends only on their lengths.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { constantTimeEqual } from "./token.ts";
 * assert.ok(constantTimeEqual("s3cret", "s3cret"));
 * assert.ok(!constantTimeEqual("s3cret", "s3cre"));
 * ```
 */
export function constantTimeEqual(a: string, b: string): boolean {
  // UTF-16 code units, not UTF-8 bytes: encoding would fold lone surrogates together.
  // Always walk the expected value's length; a length mismatch still fails.
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) {
    difference |= (i < a.length ? a.charCodeAt(i) : 0) ^ b.charCodeAt(i);
  }
  return difference === 0;
}

/**
 * Whether an `Authorization` header value is `Bearer <token>` (the scheme in
 * any case) for the `configured` token. A configured `sha256:<64 hex>` (hex
 * in either case) is a hash: the presented token is hashed (SHA-256 of its
 * UTF-8 bytes) and the two 32-byte digests are compared in constant time
 * (every byte, wherever they differ); any other value is the token itself.
 * Synchronous, a plain boolean; `false` at once without a header. A
 * configured value that claims to be a hash but is no valid `sha256:` one
 * (`looksHashed`: a bcrypt hash, a short digest) matches nothing, as the
 * schema refuses it: it is never read as a plain token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenMatches } from "./token.ts";
 * assert.equal(tokenMatches("Bearer s3cret", "s3cret"), true);
 * assert.equal(tokenMatches(null, "s3cret"), false);
 * const hash = "sha256:1ec1c26b50d5d3c58d9583181af8076655fe00756bf7285940ba3670f99fcba0";
 * assert.equal(tokenMatches("Bearer s3cret", hash), true);
 * assert.equal(tokenMatches("Bearer s3creT", hash), false);
 * ```
 */
export function tokenMatches(authorization: string | null, configured: string): boolean {
  if (authorization === null) return false;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
  if (match === null) return false;
  if (!looksHashed(configured)) return constantTimeEqual(match[1]!, configured);
  const expected = expectedDigest(configured);
  if (expected === null) return false;
  // Two 32-byte digests, every byte compared.
  const presented = tokenDigest(match[1]!);
  let difference = 0;
  for (let i = 0; i < 32; i++) difference |= presented[i]! ^ expected[i]!;
  return difference === 0;
}

/**
 * The configured hashes read so far, each parsed once (`null`: not a valid
 * hash). Holds a handful: the server's tokens, and those of configs since
 * replaced by a reload until it is cleared past {@link DIGESTS_KEPT}.
 */
const digests = new Map<string, Uint8Array | null>();
const DIGESTS_KEPT = 16;

/** The 32 bytes a configured `sha256:<hex>` names, or `null` for an invalid one. */
function expectedDigest(configured: string): Uint8Array | null {
  let digest = digests.get(configured);
  if (digest === undefined) {
    if (digests.size >= DIGESTS_KEPT) digests.clear();
    digest = hashBytes(configured) ?? null;
    digests.set(configured, digest);
  }
  return digest;
}
