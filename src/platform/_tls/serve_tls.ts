/**
 * `Platform.serve` with `tls`, the same on Deno and Bun: vitals' bounded
 * HTTP/1.1 server (`_http1/http1_server.ts`: connection cap, head timeout,
 * cached response bytes) over the `node:tls` listener of `tls_listener.ts`.
 * One TLS code path for both runtimes; `deno.ts` and `bun.ts` import this
 * module only when `tls` is given, so plain HTTP loads no `node:tls`.
 *
 * @module
 */

import { serveHttp1 } from "../_http1/http1_server.ts";
import type { RunningServer, ServeOptions, ServerTls } from "../platform.ts";
import { toPlatformError } from "../platform_error.ts";
import { listenTls } from "./tls_listener.ts";

/**
 * Serves `options.handler` over TLS on `options.hostname:options.port`, at
 * most `maxConnections` connections at once. Rejects with a `TypeError` when
 * `options.tls` is broken, a `PlatformError` when it cannot listen. The
 * server's `setTls` replaces the certificate for new connections.
 *
 * @example
 * ```ts ignore
 * const server = await serveTls({ hostname: "0.0.0.0", port: 8443, handler, tls }, 512);
 * server.setTls?.(renewed); // new connections get the renewed certificate
 * ```
 */
export async function serveTls(
  options: ServeOptions & { readonly tls: ServerTls },
  maxConnections: number,
): Promise<RunningServer> {
  let listener;
  try {
    listener = await listenTls(options.hostname, options.port, options.tls);
  } catch (error) {
    throw error instanceof TypeError ? error : toPlatformError(error);
  }
  const server = serveHttp1(listener, {
    handler: options.handler,
    hostname: options.hostname,
    maxConnections,
    scheme: "https",
  });
  return {
    hostname: listener.hostname,
    port: listener.port,
    shutdown: (graceMs) => server.shutdown(graceMs),
    setTls: (tls) => listener.setTls(tls),
  };
}
