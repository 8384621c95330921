/**
 * Serves `grpc.health.v1.Health` (`Check` and `Watch`) over cleartext
 * HTTP/2, or over TLS with the `tls` option (the platform's `http2()`, on
 * Deno and Bun alike), from the same cached, scoped status as the HTTP
 * endpoints: so kubelet's `grpc:` probes, meshes and gRPC tooling can ask
 * vitals directly.
 *
 * - Service names are scopes: `""` is every check, `live`, `ready` and
 *   `started` are the groups. `Check` on any other name ends with NOT_FOUND;
 *   `Watch` sends SERVICE_UNKNOWN and keeps the stream open, as the protocol
 *   says.
 * - `Check` answers as `GET /health/<group>` would: the cached status while it
 *   is fresh, else it joins the scope's evaluation for at most
 *   `server.maxWait` (both are the `Health`'s). UP is SERVING, DOWN is
 *   NOT_SERVING; draining makes `ready` NOT_SERVING.
 * - `Watch` sends the status at once, then each change. It polls: one timer
 *   for every open stream, every `pollInterval()` ms, reads each watched
 *   scope as `Check` does and writes to the streams whose status changed.
 *   `Health` offers no subscription (its one `onEvaluated` hook belongs to
 *   the app's logging), and draining or the startup latch change a status
 *   without a publish, which a poll sees too.
 * - Bad input gets the protocol's answer: an unknown method UNIMPLEMENTED, a
 *   compressed message or one that is not protobuf INTERNAL, a request over
 *   4 KiB RESOURCE_EXHAUSTED, an unsupported `grpc-encoding` UNIMPLEMENTED, a
 *   method other than POST HTTP 405, a content type other than gRPC's HTTP
 *   415. A connection that does not speak HTTP/2 (HTTP/1.1) is closed with a
 *   GOAWAY by the HTTP/2 server; nothing else is affected.
 * - Each connection is closed gracefully (a GOAWAY) as its first call is
 *   answered: calls already open finish, the next one takes a new
 *   connection, as kubelet's probes do anyway. Deno 2.9.6's server crashes
 *   otherwise (see `closeConnectionAfter` in _health_calls.ts).
 *
 * This file listens and shuts down; each call is handled in _health_calls.ts,
 * and open Watch streams are kept in _watch.ts.
 *
 * @module
 */

import { type Clock, systemClock, within } from "../../clock.ts";
import type {
  Http2ServerSession,
  Platform,
  RunningServer,
  ServerTls,
} from "../../platform/platform.ts";
import { toPlatformError } from "../../platform/platform_error.ts";
import type { Scope } from "../../types.ts";
import { handleCall, type StatusSource } from "./_health_calls.ts";
import { WatchStreams } from "./_watch.ts";

export { MAX_REQUEST_BYTES, SERVICE_SCOPES, type StatusSource } from "./_health_calls.ts";

/** Streams one connection may hold open at once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS). */
const MAX_STREAMS = 100;
/** Connections served at once; more are closed on accept. */
const MAX_CONNECTIONS = 512;

/** Options for {@link serveGrpcHealth}. */
export interface GrpcServeOptions {
  readonly hostname: string;
  /** `0` picks a free port. */
  readonly port: number;
  readonly health: StatusSource;
  /** How often open Watch streams look for a change, in ms; read before each look. */
  readonly pollInterval?: () => number;
  /** Where unexpected failures are reported; the call ends with INTERNAL. */
  readonly onError?: (error: unknown) => void;
  /** Where HTTP/2 comes from. */
  readonly platform: Pick<Platform, "http2">;
  /** Times Watch polls and request waits; the system clock when absent. */
  readonly clock?: Clock;
  /** Serve over TLS (ALPN h2) instead of cleartext; the server then has `setTls`. */
  readonly tls?: ServerTls | undefined;
}

/**
 * How often Watch looks for a change with a cache `ttl`: every ttl, at most
 * every second and at least every 50 ms. A look reads the cache, so with
 * `ttl` 0 (no cache) each look runs the scope's checks, once a second.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pollIntervalFor } from "./health_server.ts";
 * assert.equal(pollIntervalFor(30_000), 1000);
 * assert.equal(pollIntervalFor(200), 200);
 * assert.equal(pollIntervalFor(0), 1000);
 * ```
 */
export function pollIntervalFor(ttl: number): number {
  return ttl <= 0 ? 1000 : Math.min(1000, Math.max(50, ttl));
}

/**
 * Starts serving gRPC health on `hostname:port`. Rejects with a
 * `PlatformError` when it cannot listen (`EADDRINUSE`), a `TypeError` when
 * `tls` is broken (`Platform.checkServerTls`). `shutdown` ends open
 * Watch streams with UNAVAILABLE, sends every connection a GOAWAY, stops
 * accepting, and after `graceMs` closes whatever is still open.
 *
 * @example
 * ```ts ignore
 * const server = await serveGrpcHealth({
 *   hostname: "0.0.0.0",
 *   port: 9090,
 *   health: app.health,
 *   platform: detectPlatform(),
 * });
 * // kubelet: grpc: { port: 9090, service: ready } -> SERVING while /health/ready is 200
 * await server.shutdown(5000);
 * ```
 */
export async function serveGrpcHealth(options: GrpcServeOptions): Promise<RunningServer> {
  const { health } = options;
  const pollInterval = options.pollInterval ?? (() => 1000);
  const report = (error: unknown) => {
    try {
      options.onError?.(error);
    } catch {
      // A failing reporter must not take the server down.
    }
  };
  // Loaded now, by the platform: no other command pays for HTTP/2.
  const http2 = await options.platform.http2();
  // Bounded like the HTTP server: streams per connection (each Watch is one) and connections.
  const settings = { maxConcurrentStreams: MAX_STREAMS };
  const secure = options.tls ? http2.createSecureServer({ settings, tls: options.tls }) : undefined;
  const server = secure ?? http2.createServer({ settings });
  server.maxConnections = MAX_CONNECTIONS;
  const sessions = new Set<Http2ServerSession>();
  let closing = false;

  const current = (scope: Scope) => {
    const ready = health.peek(scope);
    return ready ? Promise.resolve(ready) : health.status(scope);
  };
  const clock = options.clock ?? systemClock;
  const watchers = new WatchStreams({ current, report }, pollInterval, clock);
  const context = { current, report, watch: watchers.watch.bind(watchers), clock };

  server.on("session", (session) => {
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
    // A peer that resets or speaks something else only loses its own connection.
    session.on("error", () => {});
    if (closing) session.close();
  });
  server.on("sessionError", () => {});
  server.on("stream", (stream, headers) => handleCall(stream, headers, context));

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.hostname, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    throw toPlatformError(error);
  }
  server.on("error", report);
  const address = server.address();
  const bound = typeof address === "object" && address !== null
    ? address
    : { address: options.hostname, port: options.port };

  return {
    hostname: bound.address,
    port: bound.port,
    async shutdown(graceMs: number) {
      if (closing) return;
      closing = true;
      watchers.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.close();
      await within(clock, closed, graceMs);
      for (const session of sessions) session.destroy();
    },
    ...(secure ? { setTls: (tls: ServerTls) => secure.setTls(tls) } : {}),
  };
}
