/**
 * Masking: replaces secret values, and credentials inside URLs, with `***` in
 * any text vitals shows (responses, logs, error messages). Which values are
 * secret is the config's knowledge (`config/secrets.ts`); this file only
 * rewrites text.
 *
 * @module
 */

/** What secrets are replaced with. */
export const MASK = "***";

/**
 * Hides credentials in every URL inside `text` (`http://user:pw@host` becomes
 * `http://***@host`): in a URL itself, and in text that quotes one, such as a
 * runtime's error message or a config value shown in an error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hideUrlCredentials } from "./mask.ts";
 * const shown = hideUrlCredentials("GET http://admin:s3cret@10.0.0.5/ready failed");
 * assert(shown === "GET http://***@10.0.0.5/ready failed");
 * ```
 */
export function hideUrlCredentials(text: string): string {
  // Up to the last "@" before the path, query or fragment: a password may hold an "@".
  return text.replace(/\/\/[^/?#\s]*@/g, `//${MASK}@`);
}

/**
 * Masks a secret cut in two at the start of `text`: output kept from its tail
 * may begin with the end of a secret, which {@link maskSecrets} cannot see.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maskCutStart } from "./mask.ts";
 * assert(maskCutStart("cr3t-token then more", ["s3cr3t-token"]) === "*** then more");
 * ```
 */
export function maskCutStart(text: string, secrets: readonly string[]): string {
  for (const secret of secrets) {
    // Down to one character: text cut at an arbitrary point loses little, a secret nothing.
    for (let length = secret.length - 1; length >= 1; length--) {
      if (text.startsWith(secret.slice(-length))) return MASK + text.slice(length);
    }
  }
  return text;
}

/**
 * Replaces every occurrence of each secret in `text` with `***`, also in its
 * JSON-escaped form (as it appears inside a quoted string).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maskSecrets } from "./mask.ts";
 * assert(maskSecrets("401 for key s3cr3t", ["s3cr3t"]) === "401 for key ***");
 * ```
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets) {
    const quoted = JSON.stringify(secret).slice(1, -1);
    for (const form of quoted === secret ? [secret] : [secret, quoted]) {
      if (masked.includes(form)) masked = masked.split(form).join(MASK);
    }
  }
  return masked;
}
