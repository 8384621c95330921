/**
 * `Http2Api.createSecureServer`: `node:http2`'s HTTP/2 server over TLS, on
 * Deno and Bun alike, with the same certificate checks, client
 * authentication and certificate replacement as the HTTP/1.1 listener
 * (`tls_listener.ts`). HTTP/2 only (ALPN `h2`, as grpc-go insists on; no
 * HTTP/1.1 fallback), so a gRPC port never answers in another protocol.
 *
 * @module
 */

import type { Http2SecureServer as NodeSecureServer, SecureServerOptions } from "node:http2";
import type { TLSSocket } from "node:tls";
import type { Http2SecureServer, ServerTls } from "../platform.ts";
import { checkServerTls } from "./check_server_tls.ts";
import { clientAuthOf, refusesPeer, serverTlsOptions } from "./server_tls_options.ts";
import { HANDSHAKE_TIMEOUT_MS, replaceTls } from "./tls_listener.ts";

/** The part of `node:http2` this needs. */
export interface SecureServerMaker {
  createSecureServer(options: SecureServerOptions): NodeSecureServer;
}

/** Options of {@link secureHttp2Server}. */
export interface SecureHttp2Options {
  readonly settings: { readonly maxConcurrentStreams: number };
  readonly tls: ServerTls;
}

/** Destroys `socket`, which may be gone already. */
function destroyQuietly(socket: { destroy(): unknown } | undefined): void {
  try {
    socket?.destroy();
  } catch {
    // Already gone.
  }
}

/**
 * An HTTP/2 server over TLS from `http2` (`node:http2`), serving
 * `options.tls`. Throws a `TypeError` naming the problem when `options.tls`
 * is broken. Its `setTls` replaces the certificate for new connections.
 *
 * @example
 * ```ts ignore
 * const server = secureHttp2Server(await import("node:http2"), {
 *   settings: { maxConcurrentStreams: 100 },
 *   tls: { cert, key, minVersion: "TLSv1.2" },
 * });
 * server.listen(50051, "0.0.0.0", () => {});
 * ```
 */
export function secureHttp2Server(
  http2: SecureServerMaker,
  options: SecureHttp2Options,
): Http2SecureServer {
  checkServerTls(options.tls);
  const auth = clientAuthOf(options.tls);
  let current = options.tls;
  const server = http2.createSecureServer({
    ...serverTlsOptions(options.tls),
    allowHTTP1: false,
    ALPNProtocols: ["h2"],
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    settings: { maxConcurrentStreams: options.settings.maxConcurrentStreams },
  });
  // Before HTTP/2 takes the connection: under "request", a client whose
  // certificate did not verify gets no session.
  server.prependListener("secureConnection", (socket: TLSSocket) => {
    try {
      if (refusesPeer(socket, auth)) destroyQuietly(socket);
    } catch {
      destroyQuietly(socket);
    }
  });
  // A failed or timed-out handshake closes that connection and nothing else.
  server.on("tlsClientError", (_error: Error, socket?: TLSSocket) => destroyQuietly(socket));
  const setTls = (next: ServerTls) => {
    const certificate = replaceTls(server, current, next);
    current = next;
    return certificate;
  };
  return Object.assign(server, { setTls }) as unknown as Http2SecureServer;
}
