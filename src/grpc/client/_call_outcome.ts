/**
 * How a `grpc.health.v1.Health/Check` call ended, read from what the peer
 * sent: whether its response headers are a gRPC response at all, and the
 * call's result once the stream has closed (a serving status, or a gRPC
 * error status with its message).
 *
 * A response whose content-type is not `application/grpc` is not a gRPC
 * response, whatever its body; its HTTP status is mapped to a gRPC status as
 * gRPC's HTTP-to-gRPC status mapping says (404 UNIMPLEMENTED, 503
 * UNAVAILABLE, 200 and anything unlisted UNKNOWN), as grpc-go does.
 *
 * @module
 */

import { GRPC_CODES } from "../wire/frame.ts";
import { decodeResponse } from "../wire/proto.ts";

/** How a call ended when the peer answered: a serving status, or a gRPC error status. */
export type HealthCallResult =
  | { readonly kind: "status"; readonly status: number }
  | { readonly kind: "error"; readonly code: number; readonly message: string };

/** Response headers or trailers as the platform's HTTP/2 client gives them (`:status` a number). */
export type ResponseHeaders = Readonly<Record<string, unknown>>;

/** gRPC's mapping of an HTTP status that is not 200 to a status code. */
function codeOfHttpStatus(status: number): number {
  switch (status) {
    case 400:
      return GRPC_CODES.INTERNAL;
    case 401:
      return GRPC_CODES.UNAUTHENTICATED;
    case 403:
      return GRPC_CODES.PERMISSION_DENIED;
    case 404:
      return GRPC_CODES.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GRPC_CODES.UNAVAILABLE;
    default:
      return GRPC_CODES.UNKNOWN;
  }
}

/** `grpc-message` is percent-encoded UTF-8; a malformed one is shown as sent. */
function decodeGrpcMessage(value: unknown): string {
  const text = typeof value === "string" ? value : "";
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function header(headers: ResponseHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "string" ? first : undefined;
}

const GRPC_CONTENT_TYPE = /^application\/grpc(?:[+;]|$)/;

/**
 * The result of a call whose response headers say it is not gRPC (a
 * content-type other than `application/grpc`), decided from the headers
 * alone; `undefined` for a gRPC response.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { notGrpcAnswer } from "./_call_outcome.ts";
 * assert.deepEqual(notGrpcAnswer({ ":status": 200, "content-type": "text/html" }), {
 *   kind: "error",
 *   code: 2,
 *   message: 'the peer answered HTTP 200 with content-type "text/html", not gRPC',
 * });
 * assert.equal(notGrpcAnswer({ ":status": 200, "content-type": "application/grpc" }), undefined);
 * ```
 */
export function notGrpcAnswer(headers: ResponseHeaders): HealthCallResult | undefined {
  const contentType = header(headers, "content-type");
  if (contentType !== undefined && GRPC_CONTENT_TYPE.test(contentType)) return undefined;
  const status = Number(headers[":status"]);
  const type = contentType === undefined
    ? "no content-type"
    : `content-type ${JSON.stringify(contentType)}`;
  return {
    kind: "error",
    code: codeOfHttpStatus(status),
    message: `the peer answered HTTP ${status} with ${type}, not gRPC`,
  };
}

/**
 * The result of a call once its stream has closed: `headers` and `trailers`
 * as received (undefined when none came), the response messages read, and
 * the stream's RST_STREAM code.
 */
export function callOutcome(
  headers: ResponseHeaders | undefined,
  trailers: ResponseHeaders | undefined,
  messages: readonly Uint8Array[],
  rstCode: number,
): HealthCallResult {
  if (!headers) {
    // As grpc-go reports a stream reset before any answer.
    const message = `stream closed before a response, HTTP/2 error code ${rstCode}`;
    return { kind: "error", code: GRPC_CODES.INTERNAL, message };
  }
  const refused = notGrpcAnswer(headers);
  if (refused) return refused;
  const httpStatus = Number(headers[":status"]);
  // Trailers-only answers carry grpc-status in the headers.
  const statusText = header(trailers, "grpc-status") ?? header(headers, "grpc-status");
  if (httpStatus !== 200 && statusText === undefined) {
    return {
      kind: "error",
      code: codeOfHttpStatus(httpStatus),
      message: `the peer answered HTTP ${httpStatus} without a grpc-status`,
    };
  }
  if (statusText === undefined || !/^\d+$/.test(statusText)) {
    const reset = rstCode !== 0 ? ` (stream reset, HTTP/2 error code ${rstCode})` : "";
    return { kind: "error", code: GRPC_CODES.INTERNAL, message: `no grpc-status${reset}` };
  }
  const code = Number(statusText);
  if (code !== GRPC_CODES.OK) {
    const message = decodeGrpcMessage(
      header(trailers, "grpc-message") ??
        header(headers, "grpc-message"),
    );
    return { kind: "error", code, message };
  }
  if (messages.length !== 1) {
    return {
      kind: "error",
      code: GRPC_CODES.INTERNAL,
      message: `expected one response message, got ${messages.length}`,
    };
  }
  try {
    return { kind: "status", status: decodeResponse(messages[0]!) };
  } catch (error) {
    return { kind: "error", code: GRPC_CODES.INTERNAL, message: (error as Error).message };
  }
}
