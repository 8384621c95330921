/**
 * A small `fetch` over `node:http`, for the one case Deno's own `fetch` will
 * not serve: the ports the Fetch standard blocks (6000, 10080, ...), where a
 * health check must still reach the service. Only what checks use: method,
 * headers, an abort signal, no redirects followed, the body as a stream.
 * Over `node:https` it also takes TLS settings and shows the server's
 * certificate ({@link nodeFetchTls}), which neither runtime's `fetch` can.
 *
 * `node:http` and `node:https` are imported on first use (BENCHMARKS.md,
 * "`vitals probe` start to exit"): loading them at start-up cost about 27 ms
 * of every `vitals probe` on Bun, which never uses this file. The response body reaches `fetch`'s callers through
 * `body.ts`, whose event callbacks never throw; the 'response' and
 * 'error' callbacks here settle the request's promise and never throw either.
 *
 * @module
 */

import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { bodyStream } from "./body.ts";
import { connectionOptions, peerOf, tlsFailure } from "./tls.ts";
import { explainUnverified } from "./tls_dates.ts";
import type { TlsOptions, TlsPeer, TlsResponse } from "../platform.ts";

/** Statuses whose responses have no body. */
function bodiless(method: string, status: number): boolean {
  return method === "HEAD" || status === 204 || status === 304;
}

function toResponse(method: string, message: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      headers.append(name, item);
    }
  }
  const status = message.statusCode ?? 0;
  if (bodiless(method, status)) {
    // Drained, and never without an 'error' listener: one emitted without throws.
    message.on("error", () => {});
    message.resume();
    return new Response(null, { status, headers });
  }
  return new Response(bodyStream(message), { status, headers });
}

/**
 * Requests `url` and resolves with its response (redirects are not followed).
 *
 * @example
 * ```ts ignore
 * const response = await nodeFetch("http://127.0.0.1:10080/ready", { method: "GET", signal });
 * ```
 */
export async function nodeFetch(url: string, init: FetchInit): Promise<Response> {
  const target = new URL(url);
  const send = target.protocol === "https:"
    ? (await import("node:https")).request
    : (await import("node:http")).request;
  return (await request(send, target, init, undefined)).response;
}

/** What {@link nodeFetch} and {@link nodeFetchTls} take of `RequestInit`. */
type FetchInit = {
  method?: string;
  headers?: HeadersInit;
  /** Sent as it is; only text bodies (an http check's POST `body`) are taken. */
  body?: BodyInit | null;
  signal?: AbortSignal | null;
};

/**
 * Requests an `https:` URL with TLS settings over `node:https`, on a
 * connection of its own (no pool: each run sees the server's certificate as
 * it is now). Resolves with the response and what the handshake showed; a
 * failed handshake rejects with a `PlatformError` `ETLS`.
 *
 * @example
 * ```ts ignore
 * const { response, peer } = await nodeFetchTls(url, { signal }, { ca: pem });
 * peer.expiresAt; // the certificate's notAfter, in ms
 * ```
 */
export async function nodeFetchTls(
  url: string,
  init: FetchInit,
  tls: TlsOptions,
): Promise<TlsResponse> {
  const target = new URL(url);
  if (target.protocol !== "https:") {
    throw new TypeError(`Cannot use TLS settings for a "${target.protocol}" URL: expected https:`);
  }
  const send = (await import("node:https")).request;
  const sent = await request(send, target, init, { agent: false, ...connectionOptions(tls) })
    .catch(async (error) => {
      const port = Number(target.port || 443);
      const host = target.hostname.replace(/^\[(.*)\]$/, "$1");
      const explained = await explainUnverified(error, host, port, tls, init.signal ?? undefined);
      return Promise.reject(tlsFailure(explained, tls));
    });
  return { response: sent.response, peer: sent.peer ?? { protocol: "TLS", expiresAt: undefined } };
}

/** `node:http`'s and `node:https`' `request`, as far as this file calls it. */
type Send = (
  url: URL,
  options: Record<string, unknown>,
  callback: (message: IncomingMessage) => void,
) => { on(event: "error", listener: (error: Error) => void): unknown; end(body?: string): void };

/**
 * The request's headers, with what `fetch` adds for a text body: its
 * `Content-Type` (unless one is set) and `Content-Length`.
 */
function withBodyHeaders(init: FetchInit): Headers {
  const headers = new Headers(init.headers);
  if (typeof init.body !== "string") return headers;
  if (!headers.has("content-type")) headers.set("content-type", "text/plain;charset=UTF-8");
  headers.set("content-length", String(new TextEncoder().encode(init.body).length));
  return headers;
}

/** Sends the request; with `tls` (options for `node:https`), also reads what the handshake showed. */
function request(
  send: Send,
  target: URL,
  init: FetchInit,
  tls: Record<string, unknown> | undefined,
): Promise<{ response: Response; peer: TlsPeer | undefined }> {
  const method = init.method ?? "GET";
  return new Promise((resolve, reject) => {
    let sent;
    try {
      sent = send(target, {
        method,
        headers: Object.fromEntries(withBodyHeaders(init)),
        ...(init.signal ? { signal: init.signal } : {}),
        ...tls,
      }, (message) => {
        try {
          // Read now: the socket is gone once the body has been read.
          const socket = message.socket as TLSSocket | null;
          const peer = tls && socket && "getPeerCertificate" in socket ? peerOf(socket) : undefined;
          resolve({ response: toResponse(method, message), peer });
        } catch (error) {
          reject(error); // a status a Response cannot carry
          try {
            message.destroy();
          } catch {
            // Destroyed already; this is the 'response' callback, which must not throw.
          }
        }
      });
    } catch (error) {
      // Bun checks TLS settings (a certificate and its key) as the request is made.
      return reject(error);
    }
    sent.on("error", reject);
    sent.end(typeof init.body === "string" ? init.body : undefined);
  });
}
