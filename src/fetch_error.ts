/**
 * Short, runtime-independent reasons for a failed `fetch` (`connection
 * refused`, `name does not resolve`, ...): Deno and Bun word the same failure
 * differently. Used by the `http` and `tabbyapi` checks and `vitals probe`.
 *
 * @module
 */

import { hideUrlCredentials } from "./mask.ts";
import { PlatformError } from "./platform/platform_error.ts";

const REASONS: readonly [RegExp, string][] = [
  [/connection refused|ECONNREFUSED/i, "connection refused"],
  [
    /dns error|lookup address|ENOTFOUND|getaddrinfo|Name or service not known/i,
    "name does not resolve",
  ],
  [
    /connection closed|ECONNRESET|closed unexpectedly|connection reset/i,
    "connection closed before a response",
  ],
  [/EHOSTUNREACH|host unreachable|No route to host/i, "host unreachable"],
  [/certificate|CERT_|tls|ssl/i, "TLS handshake failed"],
  [/invalid HTTP version|Malformed_HTTP|parse error|invalid HTTP|HPE_/i, "not an HTTP response"],
];

/**
 * A short reason for a failed `fetch`, the same on Deno and Bun.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeFetchError } from "./fetch_error.ts";
 * const error = new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
 * assert(describeFetchError(error) === "connection refused");
 * ```
 */
export function describeFetchError(error: unknown): string {
  // A failed handshake of `Platform.fetchTls` already says why, in words of its own.
  if (error instanceof PlatformError && error.code === "ETLS") return error.message;
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const { message, code } = current as { message?: unknown; code?: unknown };
    if (typeof code === "string") parts.push(code);
    if (typeof message === "string") parts.push(message);
    current = (current as { cause?: unknown }).cause;
  }
  const all = parts.join(" | ");
  for (const [pattern, reason] of REASONS) if (pattern.test(all)) return reason;
  const raw = parts.find((part) => part.length > 0 && part !== "fetch failed") ?? "request failed";
  // Runtime messages may quote the URL; keep credentials out of them.
  return hideUrlCredentials(raw);
}
