/**
 * Which config values are secret: the server's tokens, and a check's `apiKey`,
 * every `headers` value, every `env` value, every gRPC `metadata` value, and
 * the contents of its TLS key file (`tls.key`; the file's path is not
 * secret), and an http check's request `body` (a login or a query may carry
 * credentials). Error messages, check messages and logs mask them (see `mask.ts`).
 *
 * @module
 */

import type { CheckConfig } from "./resolve.ts";

/** Config keys whose values are secret, wherever they sit in a check. */
const SECRET_KEYS = new Set(["apiKey", "headers", "env", "metadata", "body"]);

/** Keys of `server` whose values are secret. */
const SECRET_SERVER_KEYS = new Set(["detailsToken", "metricsToken", "controlToken"]);

/**
 * Whether a config key path holds a secret.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isSecretPath } from "./secrets.ts";
 * assert(isSecretPath(["checks", 0, "headers", "Authorization"]));
 * assert(!isSecretPath(["checks", 0, "url"]));
 * ```
 */
export function isSecretPath(path: readonly PropertyKey[]): boolean {
  if (path[0] === "server") return SECRET_SERVER_KEYS.has(String(path[1]));
  return path[0] === "checks" && path.length >= 3 && SECRET_KEYS.has(String(path[2]));
}

/** A PEM key's secret text: all of it, and each line of its base64 body on its own. */
export function keySecrets(pem: string): string[] {
  const lines = pem.split(/\r?\n/).map((line) => line.trim());
  return [
    pem,
    pem.trim(),
    ...lines.filter((line) => line.length >= 16 && !line.startsWith("-----")),
  ];
}

/**
 * The secret values of a check, longest first (so a secret that contains
 * another is masked whole). Values shorter than 3 characters are left out:
 * masking every "1" or "C" would garble messages without protecting anything.
 *
 * @example
 * ```ts ignore
 * secretsOf(check); // ["Bearer abc123", "abc123"]
 * ```
 */
export function secretsOf(check: CheckConfig): string[] {
  const values: string[] = [];
  if ("apiKey" in check && check.apiKey) values.push(check.apiKey);
  if ("headers" in check && check.headers) values.push(...Object.values(check.headers));
  if ("env" in check && check.env) values.push(...Object.values(check.env));
  if ("metadata" in check && check.metadata) values.push(...Object.values(check.metadata));
  if ("tls" in check && check.tls?.pem?.key) values.push(...keySecrets(check.tls.pem.key));
  // A header such as "Bearer abc123" also leaks through its token alone.
  for (const value of [...values]) {
    const token = /^\S+\s+(\S+)$/.exec(value)?.[1];
    if (token) values.push(token);
  }
  // A request body is masked whole: its words are not secrets one by one.
  if ("body" in check && check.body) values.push(check.body);
  return [...new Set(values.filter((value) => value.length >= 3))]
    .sort((a, b) => b.length - a.length);
}
