/**
 * One `grpc.health.v1.Health/Check` call over HTTP/2 (the platform's
 * `http2()`, the same on Deno and Bun): cleartext h2c, or TLS when TLS
 * settings are given. Each call opens its own session and closes it when
 * done, as kubelet's gRPC probe does, so no connection state outlives a run.
 *
 * Whatever the peer sends, a call ends by its signal at the latest: an answer
 * that is not gRPC (another content-type) ends it at its headers, a body is
 * read only under gRPC headers and only up to one capped message, and the
 * session is torn down outside the HTTP/2 session's events (see `finish` below).
 *
 * @module
 */

import { describeFetchError } from "../../fetch_error.ts";
import type { Http2ClientStream, Platform, TlsOptions } from "../../platform/platform.ts";
import { hostPort } from "../../text.ts";
import { VERSION } from "../../version.ts";
import {
  callOutcome,
  type HealthCallResult,
  notGrpcAnswer,
  type ResponseHeaders,
} from "./_call_outcome.ts";
import { encodeFrame, FrameReader, GRPC_CODES } from "../wire/frame.ts";
import { encodeRequest } from "../wire/proto.ts";

export type { HealthCallResult } from "./_call_outcome.ts";

/** The method a health check calls. */
export const CHECK_PATH = "/grpc.health.v1.Health/Check";

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
  /** Where HTTP/2 comes from, loaded on the first call. */
  readonly platform: Pick<Platform, "http2">;
}

/** A call that got no gRPC answer: the connection or the HTTP/2 exchange failed. */
export class HealthCallError extends Error {
  override readonly name = "HealthCallError";
}

const CLOSED_EARLY = "connection closed before an HTTP/2 response";

/**
 * Why a call got no gRPC answer, in words: a peer that does not speak HTTP/2
 * (an HTTP/1.1 server answers the h2c preface with a 400 or a close) is
 * named as such; anything else as `fetch` failures are.
 */
function describeCallError(error: unknown): string {
  const { code } = (error ?? {}) as { code?: unknown };
  if (code === "ERR_HTTP2_ERROR") return "the peer does not speak HTTP/2 (HTTP/2 protocol error)";
  if (code === "EPIPE" || code === "ECONNRESET") return CLOSED_EARLY;
  return describeFetchError(error);
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
 * const result = await callHealthCheck({
 *   host: "127.0.0.1",
 *   port: 50051,
 *   service: "",
 *   signal,
 *   platform: detectPlatform(),
 * });
 * // { kind: "status", status: 1 } (SERVING)
 * ```
 */
export async function callHealthCheck(options: HealthCallOptions): Promise<HealthCallResult> {
  const { signal, tls } = options;
  const http2 = await options.platform.http2();
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
      settle();
      // Torn down on a later turn, never inside an http2 event: Deno 2.9.6
      // emits a stream's 'data' synchronously from inside the native
      // session's receive (nghttp2_session_mem_recv, reached from the socket's
      // 'data'), and a session destroyed there leaves the thread spinning in
      // native code for seconds or for good (event loop blocked: no timer,
      // signal or probe runs), or segfaults. tests/scenarios/external/grpc_peers.test.ts.
      setTimeout(() => session.destroy(), 0);
    };
    const onAbort = () => finish(() => reject(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    const fail = (error: unknown) =>
      finish(() => reject(new HealthCallError(describeCallError(error))));
    const answer = (result: HealthCallResult) => finish(() => resolve(result));
    session.on("error", fail);

    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.metadata ?? {})) {
      metadata[name.toLowerCase()] = value;
    }
    let request: Http2ClientStream;
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
    let headers: ResponseHeaders | undefined;
    let trailers: ResponseHeaders | undefined;
    const messages: Uint8Array[] = [];
    const reader = new FrameReader(MAX_RESPONSE_BYTES);
    // Deno 2.9.6 emits 'data' before 'response': bytes that come before the
    // headers wait for them (a body is read as gRPC only under gRPC headers).
    let early: Uint8Array[] | undefined = [];
    let earlyBytes = 0;
    const read = (chunk: Uint8Array) => {
      try {
        messages.push(...reader.push(chunk));
        if (messages.length > 1) {
          answer({
            kind: "error",
            code: GRPC_CODES.INTERNAL,
            message: "expected one response message, got more",
          });
        }
      } catch (error) {
        const { code } = error as { code: number };
        answer({ kind: "error", code, message: (error as Error).message });
      }
    };
    request.on("response", (received) => {
      headers = received;
      const refused = notGrpcAnswer(received);
      if (refused) return answer(refused);
      const waiting = early ?? [];
      early = undefined;
      for (const chunk of waiting) if (!settled) read(chunk);
    });
    request.on("trailers", (received) => trailers = received);
    request.on("data", (chunk: Uint8Array) => {
      if (settled) return;
      if (early === undefined) return read(chunk);
      // More than a whole message before the headers is an error either way; keep a bounded part.
      if (earlyBytes <= MAX_RESPONSE_BYTES + 5) early.push(chunk);
      earlyBytes += chunk.length;
    });
    request.on("error", (error: { code?: unknown }) => {
      // A stream the peer reset: 'close' follows and reads its code.
      if (error?.code !== "ERR_HTTP2_STREAM_ERROR") fail(error);
    });
    const ended = () => {
      if (settled) return;
      if (headers === undefined && (session.destroyed || session.closed)) {
        // The connection ended, not just this stream: no HTTP/2 answer came.
        return finish(() => reject(new HealthCallError(CLOSED_EARLY)));
      }
      try {
        reader.end();
        answer(callOutcome(headers, trailers, messages, request.rstCode ?? 0));
      } catch (error) {
        // The stream ended inside a frame.
        const { code } = error as { code: number };
        answer({ kind: "error", code, message: (error as Error).message });
      }
    };
    // Without headers, one turn more: the connection's own error or close,
    // which follows a closed stream on Bun and on Deno, says more than the
    // stream's reset (Bun reports no error at all for a peer that is not HTTP/2).
    request.on("close", () => headers === undefined ? void setTimeout(ended, 0) : ended());
    request.end(encodeFrame(encodeRequest(options.service)));
  });
}
