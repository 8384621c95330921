/**
 * Small answers the handler builds per request: a body with shared headers
 * (HEAD alike), a JSON error body, the 503 for an internal error, and whether
 * a request carries a body.
 *
 * @module
 */

import { CONTENT_TYPES } from "./bodies.ts";
import { encoder, sharedHeaders } from "./_prepared.ts";

/** A response with `body`; to HEAD, the same status and headers (the length too) and no body. */
export function respond(
  body: string,
  status: number,
  method: string,
  contentType = CONTENT_TYPES.json,
  extra?: Record<string, string>,
): Response {
  const base = sharedHeaders(contentType);
  if (method !== "HEAD") {
    return new Response(body, { status, headers: extra ? { ...base, ...extra } : base });
  }
  // HEAD: the same status and headers as GET, including the length, and no body.
  const length = String(encoder.encode(body).length);
  return new Response(null, { status, headers: { ...base, ...extra, "content-length": length } });
}

/** A JSON error body: `{"error": ...}` and any extra fields. */
export const errorBody = (error: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ error, ...extra });

/** Whether the request carries a body, which no route accepts. */
export function hasBody(request: Request): boolean {
  const length = request.headers.get("content-length");
  return (length !== null && length !== "0") || request.headers.has("transfer-encoding");
}

/**
 * The 503 for an error inside the handler, reported to `onError` first: vitals'
 * own body, `"internal error: ..."`, never the servers' plain 500.
 */
export function internalError(
  error: unknown,
  method: string,
  onError?: (error: unknown) => void,
): Response {
  try {
    onError?.(error);
  } catch {
    // A failing error reporter must not turn a 503 into a 500.
  }
  const message = error instanceof Error ? error.message : String(error);
  const body = JSON.stringify({ status: "DOWN", details: [`internal error: ${message}`] });
  return respond(body, 503, method);
}
