/**
 * Answers built ahead for the handler's hot path: the shared headers per
 * content type, and per published status and shape the body and response
 * inits, so a cache hit only constructs the `Response` (BENCHMARKS.md,
 * "Serving from cache").
 *
 * @module
 */

import { ReusableResponse } from "../platform/mod.ts";

/** Encodes bodies to measure their length. */
export const encoder: TextEncoder = new TextEncoder();

const HEADERS = new Map<string, Readonly<Record<string, string>>>();

/**
 * The usual headers per content type, built once. A plain object, which the
 * Response copies; never handed out for mutation.
 */
export function sharedHeaders(contentType: string): Readonly<Record<string, string>> {
  let headers = HEADERS.get(contentType);
  if (!headers) {
    headers = Object.freeze({ "content-type": contentType, "cache-control": "no-store" });
    HEADERS.set(contentType, headers);
  }
  return headers;
}

/**
 * One answer built ahead: its body and the `ResponseInit` for GET and for
 * HEAD (which carries the length). Each init is also its answer's key as a
 * `ReusableResponse`: the server writes the bytes of the first response made
 * from it for the rest, without reading them.
 */
export interface Prepared {
  readonly body: string;
  /** GET's init: the content type only; `cache-control` is set on the response. */
  readonly get: ResponseInit;
  readonly head: ResponseInit;
}

/** Builds the answer with `body`, `status` and `contentType` for GET and HEAD. */
export function prepare(body: string, status: number, contentType: string): Prepared {
  const headers = sharedHeaders(contentType);
  const length = String(encoder.encode(body).length);
  return {
    body,
    get: Object.freeze({ status, headers: Object.freeze({ "content-type": contentType }) }),
    head: Object.freeze({
      status,
      headers: Object.freeze({ ...headers, "content-length": length }),
    }),
  };
}

/**
 * A new response for a prepared answer. GET's `cache-control` is set after
 * construction: Deno 2.9 makes a native copy of every response with a body
 * and a header besides `content-type` (for `Deno.serve`), which cost more
 * than the rest of a cached answer; a 200 with only a JSON or plain-text
 * content type skips it. (Other types and 503 still pay it.)
 */
export function preparedResponse(prepared: Prepared, method: string): Response {
  if (method === "HEAD") return new ReusableResponse(prepared.head, null, prepared.head);
  const response = new ReusableResponse(prepared.get, prepared.body, prepared.get);
  response.headers.set("cache-control", "no-store");
  return response;
}
