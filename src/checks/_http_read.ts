/**
 * Shared by the `http` and `tabbyapi` checks: a bounded body read, and short,
 * runtime-independent reasons for failed requests.
 *
 * @module
 */

import { hideUrlCredentials } from "../mask.ts";

/** The most body bytes a check reads, as the issue and kubelet's cap suggest. */
export const BODY_LIMIT = 64 * 1024;

/** What {@link readBody} got. */
export interface BodyText {
  readonly text: string;
  /** Bytes kept (at most the limit). */
  readonly bytes: number;
  /** Whether the body went on past the limit (the rest was not read). */
  readonly truncated: boolean;
}

/**
 * Reads at most `limit` bytes of a response body, then cancels the rest, so a
 * huge or endless body costs at most `limit` bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBody } from "./_http_read.ts";
 * const { text, truncated } = await readBody(new Response("hello world"), 5);
 * assert(text === "hello" && truncated);
 * ```
 */
export async function readBody(response: Response, limit = BODY_LIMIT): Promise<BodyText> {
  if (!response.body) return { text: "", bytes: 0, truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let truncated = false;
  try {
    while (bytes < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = limit - bytes;
      const kept = value.length > room ? value.subarray(0, room) : value;
      chunks.push(kept);
      bytes += kept.length;
      if (value.length > room) truncated = true;
    }
    if (bytes >= limit && !truncated) {
      truncated = !(await reader.read()).done;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const all = new Uint8Array(bytes);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return { text: new TextDecoder().decode(all), bytes, truncated };
}

/** Drops a body we do not need, so the connection is released. */
export function discardBody(response: Response): void {
  response.body?.cancel().catch(() => {});
}

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
 * import { describeFetchError } from "./_http_read.ts";
 * const error = new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
 * assert(describeFetchError(error) === "connection refused");
 * ```
 */
export function describeFetchError(error: unknown): string {
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
