/**
 * Real HTTP servers for tests, on 127.0.0.1 at a free port, started through
 * the platform layer (so tests exercise it too); a port known to be closed;
 * and a JSON response.
 *
 * @module
 */

import type { RunningServer } from "../../src/platform/mod.ts";
import { platform } from "./platform.ts";

/** A server under test, closed by `close()`. */
export interface TestServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1 at a free port. */
export async function startServer(
  handler: (request: Request) => Response | Promise<Response>,
): Promise<TestServer> {
  const server: RunningServer = await platform.serve({
    hostname: "127.0.0.1",
    port: 0,
    handler: async (request) => await handler(request),
  });
  return {
    port: server.port,
    url: `http://127.0.0.1:${server.port}`,
    close: () => server.shutdown(0),
  };
}

/** A port on 127.0.0.1 that was just free: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = await startServer(() => new Response());
  await server.close();
  return server.port;
}

/** A JSON response. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}
