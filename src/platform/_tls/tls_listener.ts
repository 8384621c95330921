/**
 * A `node:tls` server as the `Http1Listener` that `serveHttp1` accepts from
 * (`_http1/http1_server.ts`), so the same bounded HTTP/1.1 server serves
 * HTTPS on Deno and on Bun, with mutual TLS and a certificate that can be
 * replaced while serving (`setTls`).
 *
 * Why `node:tls` on both: `Deno.listenTls` neither verifies client
 * certificates nor changes its certificate while listening, and `Bun.listen`
 * cannot change it either; `node:tls`'s `setSecureContext` does, on both.
 *
 * Only connections whose handshake succeeded reach `accept`. A client that
 * fails it (no certificate where one is required, an old protocol, plain
 * HTTP, a port scanner) is closed where it failed: `tlsClientError` destroys
 * it, {@link HANDSHAKE_TIMEOUT_MS} bounds one that says nothing, and under
 * `clientAuth: "request"` a client whose certificate did not verify is
 * closed as its handshake completes. No event callback can throw.
 *
 * @module
 */

import type { Server, TLSSocket } from "node:tls";
import type { Http1Listener } from "../_http1/http1_server.ts";
import type { ServerCertificate, ServerTls } from "../platform.ts";
import { checkServerTls } from "./check_server_tls.ts";
import { clientAuthOf, refusesPeer, serverTlsOptions } from "./server_tls_options.ts";
import { TlsConn } from "./tls_conn.ts";

/** How long a client may take from connecting to completing its handshake. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Handshaken connections waiting for `accept` at most; more are closed. */
const QUEUE_LIMIT = 128;

/** A listening TLS server whose connections `serveHttp1` accepts. */
export interface TlsListener extends Http1Listener {
  /** The address actually bound. */
  readonly hostname: string;
  readonly port: number;
  /** New connections use `tls` from now on; throws a `TypeError` (changing nothing) when it is broken. */
  setTls(tls: ServerTls): ServerCertificate;
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
 * Checks `tls` and replaces `server`'s certificate, key and client CA with it
 * for new connections. The client authentication cannot change while
 * serving (`requestCert` is fixed when the server is made), so a change of it
 * is refused.
 */
export function replaceTls(
  server: Pick<Server, "setSecureContext">,
  current: ServerTls,
  next: ServerTls,
): ServerCertificate {
  const certificate = checkServerTls(next);
  const [was, wanted] = [clientAuthOf(current), clientAuthOf(next)];
  if (was !== wanted) {
    throw new TypeError(
      `Cannot change TLS client authentication from "${was}" to "${wanted}" while serving: it takes a restart`,
    );
  }
  try {
    server.setSecureContext(serverTlsOptions(next));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new TypeError(`Cannot use the TLS settings: the runtime refused them (${why})`);
  }
  return certificate;
}

/**
 * Listens for TLS on `hostname:port` with `tls`; a client that has not
 * completed its handshake `handshakeTimeoutMs` after connecting is closed.
 * Throws a `TypeError` when `tls` is broken ({@link checkServerTls}), and the
 * listening error (such as `EADDRINUSE`) when it cannot listen.
 *
 * @example
 * ```ts ignore
 * const listener = await listenTls("127.0.0.1", 8443, { cert, key, minVersion: "TLSv1.2" });
 * const server = serveHttp1(listener, { handler, hostname: "127.0.0.1", maxConnections: 512 });
 * ```
 */
export async function listenTls(
  hostname: string,
  port: number,
  tls: ServerTls,
  handshakeTimeoutMs = HANDSHAKE_TIMEOUT_MS,
): Promise<TlsListener> {
  checkServerTls(tls);
  const { createServer } = await import("node:tls");
  const auth = clientAuthOf(tls);
  let current = tls;
  const server = createServer({
    ...serverTlsOptions(tls),
    ALPNProtocols: ["http/1.1"],
    handshakeTimeout: handshakeTimeoutMs,
  });
  const queue: TlsConn[] = [];
  let waiting: { resolve(conn: TlsConn): void; reject(error: Error): void } | undefined;
  let closed = false;

  server.on("secureConnection", (socket: TLSSocket) => {
    try {
      if (closed || refusesPeer(socket, auth)) return destroyQuietly(socket);
      const conn = new TlsConn(socket);
      if (waiting) {
        const { resolve } = waiting;
        waiting = undefined;
        resolve(conn);
      } else if (queue.length < QUEUE_LIMIT) queue.push(conn);
      else conn.close();
    } catch {
      destroyQuietly(socket);
    }
  });
  // A failed or timed-out handshake closes that connection and nothing else
  // (neither runtime closes it by itself once this event has a listener).
  server.on("tlsClientError", (_error: Error, socket?: TLSSocket) => destroyQuietly(socket));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // An error after listening (a failed accept) must not end the process; accepting goes on.
  server.on("error", () => {});
  const address = server.address();
  const bound = typeof address === "object" && address !== null
    ? { hostname: address.address, port: address.port }
    : { hostname, port };

  return {
    ...bound,
    accept() {
      const next = queue.shift();
      if (next) return Promise.resolve(next);
      if (closed) return Promise.reject(new Error("Cannot accept: the TLS listener is closed"));
      return new Promise((resolve, reject) => waiting = { resolve, reject });
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        server.close();
      } catch {
        // Not listening any more.
      }
      for (const conn of queue.splice(0)) conn.close();
      waiting?.reject(new Error("Cannot accept: the TLS listener is closed"));
      waiting = undefined;
    },
    setTls(next) {
      const certificate = replaceTls(server, current, next);
      current = next;
      return certificate;
    },
  };
}
