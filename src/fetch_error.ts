/**
 * Short, runtime-independent reasons for a failed `fetch` (`connection
 * refused`, `name does not resolve`, ...): Deno and Bun word the same failure
 * differently. Used by the `http` and `tabbyapi` checks and `vitals probe`.
 *
 * @module
 */

import { hideUrlCredentials } from "./mask.ts";
import { PlatformError } from "./platform/platform_error.ts";

/**
 * Each runtime's words for a failure, in the order they are tried. Deno's
 * `fetch` speaks hyper and rustls, Bun's its own codes, and Node's `http` (the
 * fallback for blocked ports and TLS settings, on both) Node's codes: each
 * reason lists all three. The first that matches decides, so the specific
 * ones come first: a handshake that fails because the peer closed is
 * "connection closed", not "TLS".
 */
const REASONS: readonly [RegExp, string][] = [
  [/connection refused|ECONNREFUSED/i, "connection refused"],
  [
    /dns error|lookup address|ENOTFOUND|getaddrinfo|Name or service not known/i,
    "name does not resolve",
  ],
  [
    /connection closed|ECONNRESET|closed unexpectedly|connection reset|socket hang up/i,
    "connection closed before a response",
  ],
  [/EHOSTUNREACH|host unreachable|No route to host/i, "host unreachable"],
  [
    // rustls (Deno) says "received corrupt message of type InvalidContentType"
    // when the peer answers a ClientHello in plaintext, and names alerts.
    /certificate|CERT_|tls|ssl|received (?:corrupt message|fatal alert)|peer (?:is incompatible|misbehaved)|handshake/i,
    "TLS handshake failed",
  ],
  [
    /message head is too large|ResponseHeadersTooLarge|HPE_HEADER_OVERFLOW/i,
    "response head too large",
  ],
  [
    // hyper: "invalid HTTP version parsed", "invalid content-length parsed", ...;
    // Bun: Malformed_HTTP_Response, InvalidHTTPResponse, InvalidContentLength; Node: HPE_*.
    /invalid (?:HTTP|content-length|transfer-encoding|URI)|unexpected transfer-encoding|received unexpected message|Malformed_HTTP|InvalidHTTPResponse|InvalidContentLength|UnsupportedTransferEncoding|parse error|HPE_/i,
    "not an HTTP response",
  ],
];

/** URLs in a runtime's message: their host or path must not look like a reason ("ssl.example"). */
const URLS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s)"']*/gi;

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
  const all = parts.join(" | ").replace(URLS, "<url>");
  for (const [pattern, reason] of REASONS) if (pattern.test(all)) return reason;
  const raw = parts.find((part) => part.length > 0 && part !== "fetch failed") ?? "request failed";
  // Runtime messages may quote the URL; keep credentials out of them.
  return hideUrlCredentials(raw);
}
