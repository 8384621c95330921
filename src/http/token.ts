/**
 * Bearer-token checks for the details and metrics tokens, compared in constant
 * time so response timing does not reveal how much of a guess was right.
 *
 * @module
 */

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

/** Whether an `Authorization` header value is `Bearer <token>`. */
export function tokenMatches(authorization: string | null, token: string): boolean {
  if (authorization === null) return false;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization);
  return match !== null && constantTimeEqual(match[1]!, token);
}
