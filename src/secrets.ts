/**
 * Keeps secrets out of everything vitals shows: responses, logs and error
 * messages. A check's `apiKey`, every `headers` value and every `env` value
 * count as secret; wherever one of them would appear, `***` appears instead.
 *
 * @module
 */

import type { CheckConfig } from "./config/schema.ts";

/** What secrets are replaced with. */
export const MASK = "***";

/** Config keys whose values are secret, wherever they sit in a check. */
const SECRET_KEYS = new Set(["apiKey", "headers", "env"]);

/** Whether a config key path (such as `["checks", 0, "headers", "Authorization"]`) holds a secret. */
export function isSecretPath(path: readonly PropertyKey[]): boolean {
  return path[0] === "checks" && path.length >= 3 && SECRET_KEYS.has(String(path[2]));
}

/**
 * The secret values of a check, longest first (so a secret that contains
 * another is masked whole). Values shorter than 3 characters are left out:
 * masking every "1" or "C" would garble messages without protecting anything.
 */
export function secretsOf(check: CheckConfig): string[] {
  const values: string[] = [];
  if ("apiKey" in check && check.apiKey) values.push(check.apiKey);
  if ("headers" in check && check.headers) values.push(...Object.values(check.headers));
  if ("env" in check && check.env) values.push(...Object.values(check.env));
  // A header such as "Bearer abc123" also leaks through its token alone.
  for (const value of [...values]) {
    const token = /^\S+\s+(\S+)$/.exec(value)?.[1];
    if (token) values.push(token);
  }
  return [...new Set(values.filter((value) => value.length >= 3))]
    .sort((a, b) => b.length - a.length);
}

/**
 * Hides credentials in every URL inside `text` (`http://user:pw@host` becomes
 * `http://***@host`), for text that is not a URL itself, such as runtime error
 * messages and config values quoted in errors.
 */
export function hideUrlCredentials(text: string): string {
  return text.replace(/\/\/[^/@\s]+@/g, `//${MASK}@`);
}

/**
 * Masks a secret cut in two at the start of `text`: output kept from its tail
 * may begin with the end of a secret, which {@link maskSecrets} cannot see.
 */
export function maskCutStart(text: string, secrets: readonly string[]): string {
  for (const secret of secrets) {
    for (let length = secret.length - 1; length >= 3; length--) {
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
 * maskSecrets("401 for key s3cr3t", ["s3cr3t"]); // "401 for key ***"
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
