/**
 * `vitals hash-token`: reads a token from standard input and prints
 * `sha256:` and its hex SHA-256, the form a server token takes in the config
 * when the file should hold no secret (docs/security.md, "Tokens"). Reads no
 * config; loads neither the YAML parser nor the config schema.
 *
 * @module
 */

import type { Platform } from "../platform/platform.ts";
import { PlatformError } from "../platform/platform_error.ts";
import { hashToken } from "../token_hash.ts";

/** The longest token read, in bytes (a trailing newline aside). */
export const MAX_TOKEN_BYTES = 4096;

/**
 * The token in what standard input held: one line, its line ending (`\n` or
 * `\r\n`) removed; or why it cannot be a token, as a message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenFromInput } from "./hash_token.ts";
 * assert.deepEqual(tokenFromInput("s3cret\n"), { token: "s3cret" });
 * assert.ok("problem" in tokenFromInput(""));
 * ```
 */
export function tokenFromInput(input: string): { token: string } | { problem: string } {
  const token = input.endsWith("\r\n")
    ? input.slice(0, -2)
    : input.endsWith("\n")
    ? input.slice(0, -1)
    : input;
  if (token === "") return { problem: "standard input is empty: pipe the token in" };
  if (/[\r\n]/.test(token)) return { problem: "expected one line, got more" };
  if (new TextEncoder().encode(token).length > MAX_TOKEN_BYTES) {
    return { problem: `the token is longer than ${MAX_TOKEN_BYTES} bytes` };
  }
  // The same rule as a plain token in the config: an Authorization header carries it as it is.
  if (!/^[\x21-\x7e]+$/.test(token)) {
    return { problem: "expected a token of visible ASCII characters without spaces" };
  }
  return { token };
}

/**
 * Reads the token, prints its hash and returns 0; prints why and returns 2
 * for input that is no token, 1 when standard input cannot be read.
 *
 * @example
 * ```ts ignore
 * await hashTokenCommand(detectPlatform()); // stdin "s3cret" prints "sha256:1ec1c26b..."
 * ```
 */
export async function hashTokenCommand(platform: Pick<Platform, "readStdin">): Promise<number> {
  let input: string;
  try {
    // Two bytes more for a trailing "\r\n".
    input = await platform.readStdin(MAX_TOKEN_BYTES + 2);
  } catch (error) {
    if (error instanceof PlatformError && error.code === "EFBIG") {
      console.error(`vitals hash-token: the token is longer than ${MAX_TOKEN_BYTES} bytes`);
      return 2;
    }
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`vitals hash-token: cannot read standard input: ${reason}`);
    return 1;
  }
  const read = tokenFromInput(input);
  if ("problem" in read) {
    console.error(`vitals hash-token: ${read.problem}`);
    return 2;
  }
  console.log(hashToken(read.token));
  return 0;
}
