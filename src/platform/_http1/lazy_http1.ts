/**
 * `serveHttp1` (`http1_server.ts`) imported when a server starts: `deno.ts`
 * is loaded by every command that runs a check or reads a file, and only
 * `serve` needs the server, so `check` and `validate` load neither it nor
 * its codec (BENCHMARKS.md, "`vitals probe` start to exit": the one-shot
 * `vitals check`).
 *
 * @module
 */

import type { Http1Listener, Http1Options, Http1Server } from "./http1_server.ts";

/**
 * Starts serving on `listener` as soon as the server module is loaded (a
 * microtask or two later; connections wait in the listen backlog until then).
 * A failure to start surfaces from `shutdown`.
 *
 * @example
 * ```ts ignore
 * const server = serveHttp1(Deno.listen({ port: 0 }), { handler, hostname, maxConnections: 512 });
 * await server.shutdown(5_000);
 * ```
 */
export function serveHttp1(listener: Http1Listener, options: Http1Options): Http1Server {
  const server = import("./http1_server.ts").then((module) => module.serveHttp1(listener, options));
  server.catch(() => {}); // Reported by shutdown; never an unhandled rejection.
  return { shutdown: async (graceMs) => await (await server).shutdown(graceMs) };
}
