/**
 * A small HTTP/1.1 server over a TCP listener, for Deno. `Deno.serve` (2.9)
 * has no limit on connections, never closes an idle or slow one, and stops
 * for good when `accept` fails with "too many open files": about 1,000 idle
 * connections ended vitals (docs/reliability.md, "Connection floods"). A
 * health endpoint serves GET and HEAD with small bodies, so this server does
 * only that, with bounds on everything:
 *
 * - a request head must arrive within `HEAD_TIMEOUT_MS` (checked once a
 *   second, `open_connections.ts`) of the connection opening (or of the
 *   previous response) and fit in `HEAD_LIMIT` bytes (431 past it);
 * - at most `maxConnections` are open; a new one past that closes the oldest
 *   connection that has no request in progress, so a probe always gets in;
 * - a failed `accept` (descriptors exhausted) is retried after a pause, never
 *   fatal;
 * - a request with a body is answered (the handler gives 413) and its
 *   connection closed, without reading the body.
 *
 * It is a bound, not a speed-up, and costs CPU: BENCHMARKS.md, "Serving from
 * cache", holds its speed (one parse of the head straight into a `Request`,
 * one read buffer per connection reused), and BENCHMARKS.md, "Peak memory
 * under load", its memory (4 KiB of buffer per idle connection).
 *
 * Nothing a client does rejects the accept loop or a connection's task (each
 * runs unawaited, so a rejection would end the process): every close is
 * guarded, and a connection's whole exchange is in one try.
 *
 * @module
 */

import { handlerFailed, nextRequest } from "./codec.ts";
import { serializeCached } from "./wire_cache.ts";
import { OpenConnections } from "./open_connections.ts";
import type { ConnectionInfo } from "../platform.ts";

/** How long to wait before accepting again after `accept` failed. */
const ACCEPT_RETRY_MS = 50;

/** The parts of a TCP connection the server uses (`Deno.Conn` has them). */
export interface Http1Conn {
  read(buffer: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
  /** The peer (`Deno.Conn`'s `Deno.Addr`; a TLS connection's is made alike). */
  readonly remoteAddr?: { readonly transport: string; readonly hostname?: string };
}

/** The parts of a TCP listener the server uses (`Deno.Listener` has them). */
export interface Http1Listener {
  accept(): Promise<Http1Conn>;
  close(): void;
}

/** Options for {@link serveHttp1}. */
export interface Http1Options {
  readonly handler: (request: Request, info: ConnectionInfo) => Response | Promise<Response>;
  /** The host for request URLs when a request has no Host header. */
  readonly hostname: string;
  /** Connections open at most; past it the oldest idle one is closed. */
  readonly maxConnections: number;
  /** The scheme of request URLs: `https` when the listener's connections are TLS (default `http`). */
  readonly scheme?: "http" | "https";
}

/** A running server. */
export interface Http1Server {
  /** Stops accepting, lets requests in progress finish for `graceMs`, then closes everything. */
  shutdown(graceMs: number): Promise<void>;
}

/** Closes `conn`, which the peer may have closed already (Deno then throws). */
function closeQuietly(conn: Http1Conn): void {
  try {
    conn.close();
  } catch {
    // Already closed by the peer.
  }
}

async function writeAll(conn: Http1Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

/** One open connection and its state. */
interface Connection {
  readonly conn: Http1Conn;
  /** A request is being answered: not to be evicted or timed out. */
  busy: boolean;
  closed: boolean;
  /** Sweeps since the head timeout was last restarted (see `open_connections.ts`). */
  sweeps: number;
  /** What the handler is told of the peer: one object per connection, read only when asked. */
  readonly info: ConnectionInfo;
}

/** The handler's `info` for `conn`: the peer's address is looked up on first use only. */
function connectionInfo(conn: Http1Conn): ConnectionInfo {
  let address: string | undefined;
  return {
    get remoteAddress() {
      return address ??= conn.remoteAddr?.hostname ?? "";
    },
  };
}

/** The read buffer a connection starts with; it grows for a longer head, up to past the limit. */
const BUFFER_SIZE = 4096;

/**
 * Serves `options.handler` on `listener` until {@link Http1Server.shutdown}.
 *
 * @example
 * ```ts ignore
 * const server = serveHttp1(Deno.listen({ port: 8080 }), { handler, hostname: "0.0.0.0", maxConnections: 512 });
 * await server.shutdown(5_000);
 * ```
 */
export function serveHttp1(listener: Http1Listener, options: Http1Options): Http1Server {
  let stopping = false;

  const close = (connection: Connection) => {
    if (connection.closed) return;
    connection.closed = true;
    open.delete(connection);
    closeQuietly(connection.conn);
  };
  const open = new OpenConnections<Connection>(close);

  const serveConnection = async (connection: Connection) => {
    const { conn } = connection;
    // Unparsed bytes are buffer[start, end); the head end was searched for up to `scanned`.
    let buffer = new Uint8Array(BUFFER_SIZE);
    let start = 0;
    let end = 0;
    let scanned = 0;
    try {
      while (!connection.closed) {
        const parsed = nextRequest(buffer, start, end, scanned, options.hostname, options.scheme);
        if (parsed instanceof Uint8Array) return void await writeAll(conn, parsed);
        if (parsed === undefined) {
          if (end === buffer.length) {
            // Full: move the head to the front, or make room for a longer one.
            const room = start > 0 ? buffer : new Uint8Array(buffer.length * 2);
            room.set(buffer.subarray(start, end));
            buffer = room;
            end -= start;
            start = 0;
          }
          scanned = Math.max(start, end - 3);
          const read = await conn.read(end === 0 ? buffer : buffer.subarray(end));
          if (read === null) return;
          end += read;
          continue;
        }
        start = scanned = parsed.end;
        if (start === end) {
          start = end = scanned = 0;
          if (buffer.length > BUFFER_SIZE) buffer = new Uint8Array(BUFFER_SIZE);
        }
        connection.busy = true;
        const { request } = parsed;
        let response: Response;
        try {
          const answered = options.handler(request, connection.info);
          response = answered instanceof Promise ? await answered : answered;
        } catch {
          response = handlerFailed();
        }
        const last = parsed.close || stopping;
        const serialized = serializeCached(response, last, request.method);
        const bytes = serialized instanceof Promise ? await serialized : serialized;
        const written = await conn.write(bytes);
        if (written < bytes.length) await writeAll(conn, bytes.subarray(written));
        connection.busy = false;
        connection.sweeps = 0;
        if (last) return;
      }
    } catch {
      // Reset by the peer, or closed by a timeout or eviction: nothing to answer.
    } finally {
      close(connection);
    }
  };

  const accepting = (async () => {
    while (!stopping) {
      let conn: Http1Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (stopping) return;
        // Out of descriptors (EMFILE) or a connection reset before accept:
        // free one if we can, wait a moment and go on.
        if (!(error instanceof Error && /bad resource|closed/i.test(error.message))) {
          open.evictIdle();
        }
        await new Promise((resolve) => setTimeout(resolve, ACCEPT_RETRY_MS));
        continue;
      }
      if (stopping) {
        closeQuietly(conn);
        return;
      }
      if (open.size >= options.maxConnections && !open.evictIdle()) {
        closeQuietly(conn); // every connection is busy: refuse this one
        continue;
      }
      const connection: Connection = {
        conn,
        busy: false,
        closed: false,
        sweeps: 0,
        info: connectionInfo(conn),
      };
      open.add(connection);
      void serveConnection(connection);
    }
  })();

  return {
    async shutdown(graceMs) {
      stopping = true;
      open.stopSweeping();
      try {
        listener.close();
      } catch {
        // Already closed.
      }
      await accepting;
      await open.drain(graceMs);
    },
  };
}
