/**
 * One `grpc.health.v1.Health/Check` call over HTTP/2 (`node:http2`, which
 * Deno and Bun both provide): cleartext h2c, or TLS when TLS settings are
 * given. Each call opens its own session and closes it when done, as kubelet's
 * gRPC probe does, so no connection state outlives a run.
 *
 * @module
 */

import type * as Http2 from "node:http2";
import { describeFetchError } from "../fetch_error.ts";
import type { TlsOptions } from "../platform/platform.ts";
import { hostPort } from "../text.ts";
import { VERSION } from "../version.ts";
import { encodeFrame, FrameReader, GRPC_CODES } from "./_frame.ts";
import { decodeResponse, encodeRequest } from "./_proto.ts";

/** The method a health check calls. */
export const CHECK_PATH = "/grpc.health.v1.Health/Check";

let http2Module: Promise<typeof Http2> | undefined;
/** `node:http2`, loaded on the first call: it costs 30-40 ms at start-up (see _proto.ts). */
const loadHttp2 = () => http2Module ??= import("node:http2");

/** The longest response message accepted; a HealthCheckResponse takes 2 bytes. */
const MAX_RESPONSE_BYTES = 4096;

/** What {@link callHealthCheck} needs. */
export interface HealthCallOptions {
  /** Host name or IP address (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
  /** The service name asked about; `""` is the server as a whole. */
  readonly service: string;
  /** TLS settings; absent: cleartext HTTP/2 (h2c), as kubelet's probe speaks. */
  readonly tls?: TlsOptions | undefined;
  /** Extra request headers (gRPC metadata); names are sent in lower case. */
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  /** Aborting ends the call at once: the session is destroyed and the call rejects with the reason. */
  readonly signal: AbortSignal;
}

/** How a call ended when the peer answered: a serving status, or a gRPC error status. */
export type HealthCallResult =
  | { readonly kind: "status"; readonly status: number }
  | { readonly kind: "error"; readonly code: number; readonly message: string };

/** A call that got no gRPC answer: the connection or the HTTP/2 exchange failed. */
export class HealthCallError extends Error {
  override readonly name = "HealthCallError";
}

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

function header(headers: Http2.IncomingHttpHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads the call's outcome once the stream has closed. */
function outcome(
  headers: Http2.IncomingHttpHeaders | undefined,
  trailers: Http2.IncomingHttpHeaders | undefined,
  messages: readonly Uint8Array[],
  rstCode: number,
): HealthCallResult {
  if (!headers) {
    // As grpc-go reports a stream reset before any answer.
    const message = `stream closed before a response, HTTP/2 error code ${rstCode}`;
    return { kind: "error", code: GRPC_CODES.INTERNAL, message };
  }
  const httpStatus = Number(headers[":status"]);
  // Trailers-only answers carry grpc-status in the headers.
  const statusText = header(trailers, "grpc-status") ?? header(headers, "grpc-status");
  if (httpStatus !== 200 && statusText === undefined) {
    return { kind: "error", code: codeOfHttpStatus(httpStatus), message: `HTTP ${httpStatus}` };
  }
  const contentType = header(headers, "content-type") ?? "";
  if (!/^application\/grpc(?:[+;]|$)/.test(contentType)) {
    return {
      kind: "error",
      code: GRPC_CODES.UNKNOWN,
      message: `content-type ${JSON.stringify(contentType)}, not application/grpc`,
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

/**
 * Calls `grpc.health.v1.Health/Check` once. Resolves with the serving status
 * or the gRPC error status the peer answered; rejects with a
 * {@link HealthCallError} saying why when there was no gRPC answer
 * (`connection refused`, `TLS handshake failed`, a reset stream), and with
 * the signal's reason when `signal` aborts.
 *
 * @example
 * ```ts ignore
 * const result = await callHealthCheck({ host: "127.0.0.1", port: 50051, service: "", signal });
 * // { kind: "status", status: 1 } (SERVING)
 * ```
 */
export async function callHealthCheck(options: HealthCallOptions): Promise<HealthCallResult> {
  const { signal, tls } = options;
  const http2 = await loadHttp2();
  if (signal.aborted) throw signal.reason;
  return await new Promise((resolve, reject) => {
    const authority = hostPort(options.host, options.port);
    const session = http2.connect(
      `${tls ? "https" : "http"}://${authority}`,
      tls
        ? {
          ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
          ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
          ...(tls.key !== undefined ? { key: tls.key } : {}),
          ...(tls.serverName !== undefined ? { servername: tls.serverName } : {}),
          rejectUnauthorized: tls.insecureSkipVerify !== true,
        }
        : {},
    );
    let settled = false;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      session.destroy();
      settle();
    };
    const onAbort = () => finish(() => reject(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    const fail = (error: unknown) =>
      finish(() => reject(new HealthCallError(describeFetchError(error))));
    session.on("error", fail);

    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.metadata ?? {})) {
      metadata[name.toLowerCase()] = value;
    }
    let request: Http2.ClientHttp2Stream;
    try {
      request = session.request({
        "user-agent": `vitals/${VERSION}`,
        ...metadata,
        ":method": "POST",
        ":path": CHECK_PATH,
        "content-type": "application/grpc",
        te: "trailers",
      });
    } catch (error) {
      return fail(error);
    }
    let headers: Http2.IncomingHttpHeaders | undefined;
    let trailers: Http2.IncomingHttpHeaders | undefined;
    const messages: Uint8Array[] = [];
    const reader = new FrameReader(MAX_RESPONSE_BYTES);
    request.on("response", (received) => headers = received);
    request.on("trailers", (received) => trailers = received);
    request.on("data", (chunk: Uint8Array) => {
      try {
        messages.push(...reader.push(chunk));
      } catch (error) {
        const { code } = error as { code: number };
        finish(() => resolve({ kind: "error", code, message: (error as Error).message }));
      }
    });
    request.on("error", fail);
    request.on("close", () => {
      try {
        reader.end();
        const result = outcome(headers, trailers, messages, request.rstCode ?? 0);
        finish(() => resolve(result));
      } catch (error) {
        // The stream ended inside a frame.
        const { code } = error as { code: number };
        finish(() => resolve({ kind: "error", code, message: (error as Error).message }));
      }
    });
    request.end(encodeFrame(encodeRequest(options.service)));
  });
}
