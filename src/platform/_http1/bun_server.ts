/**
 * The HTTP/1.1 server for Bun: the Deno server's rules (`http1_server.ts`:
 * head timeout and size limit, 400 and 431, bodies refused, shutdown with
 * grace) and wire format (`codec.ts`) over `Bun.listen`.
 *
 * Why not `Bun.serve`: it has no connection limit and never shows a
 * connection that has sent nothing, so 1,100 idle connections under
 * `ulimit -n 1024` took every descriptor and a probe waited 11 s for the idle
 * timeout (docs/reliability.md, "Connection floods"). Here, as on Deno, at
 * most `maxConnections` are open and a new one past that closes the oldest
 * with no request in progress.
 *
 * What it costs (BENCHMARKS.md, "Serving from cache"), measured with wrk
 * against cached `/health/simple` (server and wrk on a core each, runs
 * interleaved, medians of 6 rounds, a busy machine): CPU per request 16.1 µs
 * against Bun.serve's 14.2 µs (1.14×), req/s 0.81× of Bun.serve's; the parse
 * into a `Request` is most of the difference. Driving the Deno server's
 * awaited reads over `Bun.listen` instead cost 18.7 µs (1.32×), so this one
 * answers a warm request inside Bun's `data` callback, without a promise.
 *
 * @module
 */

import { handlerFailed, nextRequest } from "./codec.ts";
import { serializeCached } from "./wire_cache.ts";
import {
  type BunListen,
  type BunSocket,
  type Connection,
  consume,
  forget,
  newConnection,
  receive,
  resumeReading,
} from "./bun_connection.ts";
import { OpenConnections } from "./open_connections.ts";
import type { RunningServer, ServeOptions } from "../platform.ts";

/** Options for {@link serveBun}: connections open at most, past which the oldest idle one closes. */
export type BunServeOptions = ServeOptions & { readonly maxConnections: number };

/**
 * Listens on `options.hostname`:`options.port` with `Bun.listen` and serves
 * `options.handler`; throws as `Bun.listen` does (for example `EADDRINUSE`).
 *
 * @example
 * ```ts ignore
 * const server = serveBun(Bun, { hostname: "127.0.0.1", port: 0, handler, maxConnections: 512 });
 * await server.shutdown(5_000);
 * ```
 */
export function serveBun(bun: unknown, options: BunServeOptions): RunningServer {
  const { handler, hostname } = options;
  let stopping = false;

  const close = (connection: Connection) => {
    if (connection.closed) return;
    forget(connection);
    connections.delete(connection);
    try {
      // Sends what Bun still holds, then FIN; the descriptor is freed at once.
      connection.socket.end();
    } catch {
      // Already closed.
    }
  };

  /** Writes `bytes`; false when Bun kept some for `drain` (or the socket is gone). */
  const write = (connection: Connection, bytes: Uint8Array): boolean => {
    const written = connection.socket.write(bytes);
    if (written === bytes.length) return true;
    if (written < 0) {
      close(connection);
      return false;
    }
    connection.unsent = bytes.subarray(written);
    return false;
  };

  /** Writes a canned refusal and closes. */
  const refuse = (connection: Connection, bytes: Uint8Array) => {
    connection.last = true;
    connection.busy = true;
    if (write(connection, bytes)) close(connection);
  };

  /** The answer is written: go on with what is pending, or close. */
  const answered = (connection: Connection) => {
    connection.busy = false;
    connection.sweeps = 0;
    if (connection.last || connection.closed) return close(connection);
    resumeReading(connection);
    serveNext(connection);
  };

  /** Writes an answer; never throws (it runs in Bun's callbacks and in promise callbacks). */
  const sendBytes = (connection: Connection, bytes: Uint8Array) => {
    try {
      if (!connection.closed && write(connection, bytes)) answered(connection);
    } catch {
      close(connection);
    }
  };

  const send = (connection: Connection, response: Response, method: string) => {
    try {
      if (connection.closed) return;
      connection.last ||= stopping;
      const serialized = serializeCached(response, connection.last, method);
      if (!(serialized instanceof Promise)) return sendBytes(connection, serialized);
      serialized.then((bytes) => sendBytes(connection, bytes), () => close(connection));
    } catch {
      close(connection);
    }
  };

  /** Parses and answers the requests held, one at a time, while answers come at once. */
  const serveNext = (connection: Connection) => {
    while (!connection.busy && !connection.closed) {
      const { store, start, end } = connection;
      const parsed = nextRequest(store, start, end, connection.scanned, hostname);
      if (parsed instanceof Uint8Array) return refuse(connection, parsed);
      if (parsed === undefined) {
        if (connection.ended) return close(connection);
        connection.scanned = Math.max(start, end - 3);
        return;
      }
      consume(connection, parsed.end);
      connection.busy = true;
      connection.last = parsed.close;
      const { method } = parsed.request;
      let answer: Response | Promise<Response>;
      try {
        answer = handler(parsed.request, connection.info);
      } catch {
        answer = handlerFailed();
      }
      if (answer instanceof Promise) {
        answer.then(
          (response) => send(connection, response, method),
          () => send(connection, handlerFailed(), method),
        );
        return;
      }
      send(connection, answer, method);
    }
  };

  // Every callback is guarded: a throw in one would end the process.
  const guard = (socket: BunSocket, step: (connection: Connection) => void) => {
    const connection = socket.data;
    if (!connection || connection.closed) return;
    try {
      step(connection);
    } catch {
      close(connection);
    }
  };

  const listener = (bun as BunListen).listen({
    hostname: options.hostname,
    port: options.port,
    // A peer that half-closes after its request still gets the answer, as on Deno.
    allowHalfOpen: true,
    socket: {
      // Plain views: a Buffer's subarray goes through its species constructor, slower.
      binaryType: "uint8array",
      open(socket) {
        try {
          if (
            stopping || (connections.size >= options.maxConnections && !connections.evictIdle())
          ) {
            socket.end(); // shutting down, or every connection is busy: refuse this one
            return;
          }
          const connection = newConnection(socket);
          socket.data = connection;
          connections.add(connection);
        } catch {
          socket.end();
        }
      },
      data(socket, bytes) {
        guard(socket, (connection) => {
          if (receive(connection, bytes, serveNext) === "held") serveNext(connection);
        });
      },
      end(socket) {
        guard(socket, (connection) => {
          connection.ended = true;
          if (!connection.busy) serveNext(connection);
        });
      },
      drain(socket) {
        guard(socket, (connection) => {
          const unsent = connection.unsent;
          if (!unsent) return;
          connection.unsent = undefined;
          if (write(connection, unsent)) answered(connection);
        });
      },
      close: (socket) => guard(socket, close),
      error: (socket) => guard(socket, close),
    },
  });

  // Sweeps from here on: a listen that threw leaves no timer behind.
  const connections = new OpenConnections<Connection>(close);

  return {
    hostname: listener.hostname,
    port: listener.port,
    async shutdown(graceMs) {
      stopping = true;
      connections.stopSweeping();
      try {
        listener.stop(false);
      } catch {
        // Already stopped.
      }
      await connections.drain(graceMs);
    },
  };
}
