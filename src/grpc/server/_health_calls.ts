/**
 * One call to the gRPC health server, from its headers to its answer: the
 * request checked (method, content type, encoding, path) and read, `Check`
 * answered, `Watch` handed on, and each failure ended with the protocol's
 * status or HTTP status.
 *
 * @module
 */

import type { Clock } from "../../clock.ts";
import type { Http2Headers, Http2ServerStream } from "../../platform/platform.ts";
import type { HealthStatus, Scope } from "../../types.ts";
import { encodeFrame, FrameError, FrameReader, GRPC_CODES } from "../wire/frame.ts";
import { decodeRequest, encodeResponse, ProtoError, SERVING_STATUS } from "../wire/proto.ts";

/** The scope each service name stands for. */
export const SERVICE_SCOPES: ReadonlyMap<string, Scope> = new Map<string, Scope>([
  ["", "all"],
  ["live", "live"],
  ["ready", "ready"],
  ["started", "started"],
]);

const CHECK_PATH = "/grpc.health.v1.Health/Check";
const WATCH_PATH = "/grpc.health.v1.Health/Watch";
/** The longest request message accepted: a service name is a few bytes. */
export const MAX_REQUEST_BYTES = 4096;
/** How long a request may take to arrive whole. */
const REQUEST_TIMEOUT_MS = 10_000;

/** What the server reads statuses from: the Health facade the HTTP handler uses. */
export interface StatusSource {
  peek(scope: Scope): HealthStatus | undefined;
  status(scope: Scope): Promise<HealthStatus>;
}

/** What a call needs of the server that took it. */
export interface CallContext {
  /** A scope's status: the cached one while fresh, else the scope's evaluation's. */
  current(scope: Scope): Promise<HealthStatus>;
  /** Reports an unexpected failure (the call then ends with INTERNAL). */
  report(error: unknown): void;
  /** Serves a Watch call once its request is read. */
  watch(stream: Http2ServerStream, service: string): Promise<void>;
  /** Times the wait for a call's request. */
  readonly clock: Clock;
}

const utf8 = new TextEncoder();

/** `grpc-message` is percent-encoded: every byte outside printable ASCII, and `%`. */
function encodeGrpcMessage(text: string): string {
  let out = "";
  for (const byte of utf8.encode(text)) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The serving status a health status is sent as: UP is SERVING, anything else NOT_SERVING. */
export const servingOf = (status: HealthStatus): number =>
  status.status === "UP" ? SERVING_STATUS.SERVING : SERVING_STATUS.NOT_SERVING;

/**
 * Starts a graceful close of the call's connection (a GOAWAY: calls already
 * open finish, a new call needs a new connection), done as each call is first
 * answered. Deno 2.9.6's HTTP/2 server aborts the whole process
 * (an nghttp2 assertion, or a segfault) when clients that tear their
 * connections down first come fast, as node, Deno and Bun clients do; a
 * GOAWAY sent before the answer avoids that (tests/grpc/server/health_server.test.ts hammers it).
 * kubelet opens a connection per probe anyway.
 */
export function closeConnectionAfter(stream: Http2ServerStream): void {
  const session = stream.session;
  if (session && !session.closed && !session.destroyed) session.close();
}

/** Ends a call at once with a status and no message (a "trailers-only" answer). */
export function endWith(
  stream: Http2ServerStream,
  code: number,
  message: string,
  extra: Http2Headers = {},
): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  // Read (and drop) what the client still sends, so its half of the stream ends too.
  stream.resume();
  closeConnectionAfter(stream);
  stream.respond({
    ":status": 200,
    "content-type": "application/grpc",
    ...extra,
    "grpc-status": String(code),
    "grpc-message": encodeGrpcMessage(message),
  }, { endStream: true });
}

/** Ends a call with an HTTP status: the request is not gRPC at all. */
function endWithHttp(stream: Http2ServerStream, status: number, extra = {}): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  stream.resume();
  closeConnectionAfter(stream);
  stream.respond({ ":status": status, ...extra }, { endStream: true });
}

/** Reads the one request message of a call; rejects with a FrameError or ProtoError. */
function readRequest(stream: Http2ServerStream, clock: Clock): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FrameReader(MAX_REQUEST_BYTES);
    const messages: Uint8Array[] = [];
    const cancel = clock.setTimer(REQUEST_TIMEOUT_MS, () => {
      fail(new FrameError(GRPC_CODES.DEADLINE_EXCEEDED, "Request not received in time"));
    });
    const fail = (error: unknown) => {
      cancel();
      stream.removeAllListeners("data");
      // Keep reading (and dropping) what the client still sends, so its stream can end.
      stream.on("data", () => {});
      reject(error);
    };
    stream.on("data", (chunk: Uint8Array) => {
      try {
        messages.push(...reader.push(chunk));
        if (messages.length > 1) {
          throw new FrameError(GRPC_CODES.INTERNAL, "Expected one request message, got more");
        }
      } catch (error) {
        fail(error);
      }
    });
    stream.on("end", () => {
      cancel();
      try {
        reader.end();
        if (messages.length !== 1) {
          throw new FrameError(GRPC_CODES.INTERNAL, "Expected one request message, got none");
        }
        resolve(decodeRequest(messages[0]!));
      } catch (error) {
        reject(error);
      }
    });
    stream.on("close", () => cancel());
  });
}

/** Answers a `Check` call: the scope's serving status, or NOT_FOUND for an unknown service. */
async function check(
  stream: Http2ServerStream,
  service: string,
  context: CallContext,
): Promise<void> {
  const scope = SERVICE_SCOPES.get(service);
  if (scope === undefined) {
    return endWith(
      stream,
      GRPC_CODES.NOT_FOUND,
      `Unknown service ${JSON.stringify(service)}: expected "", "live", "ready" or "started"`,
    );
  }
  const status = await context.current(scope);
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  closeConnectionAfter(stream);
  stream.respond({ ":status": 200, "content-type": "application/grpc" }, {
    waitForTrailers: true,
  });
  stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
  stream.end(encodeFrame(encodeResponse(servingOf(status))));
}

/**
 * Serves one call (the server's `stream` event): refuses what is not a gRPC
 * health call, reads the request, then answers `Check` or hands `Watch` on.
 */
export function handleCall(
  stream: Http2ServerStream,
  headers: Http2Headers,
  context: CallContext,
): void {
  stream.on("error", () => {});
  const path = headers[":path"];
  if (headers[":method"] !== "POST") return endWithHttp(stream, 405, { allow: "POST" });
  const contentType = String(headers["content-type"] ?? "");
  if (!/^application\/grpc(?:[+;]|$)/.test(contentType)) return endWithHttp(stream, 415);
  const encoding = headers["grpc-encoding"];
  if (encoding !== undefined && encoding !== "identity") {
    return endWith(
      stream,
      GRPC_CODES.UNIMPLEMENTED,
      `Unsupported grpc-encoding ${JSON.stringify(encoding)}: only identity is accepted`,
      { "grpc-accept-encoding": "identity" },
    );
  }
  if (path !== CHECK_PATH && path !== WATCH_PATH) {
    stream.on("data", () => {});
    return endWith(stream, GRPC_CODES.UNIMPLEMENTED, `Unknown method ${JSON.stringify(path)}`);
  }
  readRequest(stream, context.clock)
    .then((service) =>
      path === CHECK_PATH ? check(stream, service, context) : context.watch(stream, service)
    )
    .catch((error) => {
      if (error instanceof FrameError) return endWith(stream, error.code, error.message);
      if (error instanceof ProtoError) {
        return endWith(stream, GRPC_CODES.INTERNAL, error.message);
      }
      context.report(error);
      endWith(stream, GRPC_CODES.INTERNAL, "Internal error");
    });
}
