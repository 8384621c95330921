/**
 * Test helpers: real servers on 127.0.0.1 port 0, a port known to be closed, a
 * TabbyAPI stand-in that answers as the real server does, and a manual clock.
 * Servers are started through the platform layer, so tests exercise it too.
 *
 * @module
 */

import process from "node:process";
import type { Clock } from "../src/clock.ts";
import { detectPlatform, type RunningServer } from "../src/platform/mod.ts";

export const platform = detectPlatform();

/** Every field a resolved check config needs besides its name and kind. */
export const CHECK_BASE = {
  timeout: 2000,
  critical: true,
  groups: ["ready" as const],
  interval: 30_000,
  failureThreshold: 1,
  successThreshold: 1,
};

/**
 * What a check built in a test (with `wrapProbe`) needs besides its name,
 * kind, criticality and timeout: the values the config layer would resolve.
 */
export const CHECK_META = {
  groups: ["ready" as const],
  failureThreshold: 1,
  successThreshold: 1,
};

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

/** State of the TabbyAPI stand-in; tests change it between requests. */
export interface TabbyState {
  issues: { time: string; description: string }[];
  model: string | undefined;
  apiKey: string;
  /** Every request seen: method, path and the key headers. */
  requests: {
    method: string;
    path: string;
    xApiKey: string | null;
    authorization: string | null;
  }[];
}

/**
 * A stand-in for TabbyAPI that answers exactly as ../shared/reference/tabbyapi.md
 * says the real server does.
 */
export async function startTabby(
  initial: Partial<TabbyState> = {},
): Promise<TestServer & { state: TabbyState }> {
  const state: TabbyState = {
    issues: [],
    model: undefined,
    apiKey: "secret-key",
    requests: [],
    ...initial,
  };
  const server = await startServer((request) => {
    const path = new URL(request.url).pathname;
    const xApiKey = request.headers.get("x-api-key");
    const authorization = request.headers.get("authorization");
    state.requests.push({ method: request.method, path, xApiKey, authorization });
    if (path === "/health") {
      if (request.method !== "GET") {
        return new Response(JSON.stringify({ detail: "Method Not Allowed" }), {
          status: 405,
          headers: { allow: "GET", "content-type": "application/json" },
        });
      }
      return state.issues.length === 0
        ? json({ status: "healthy", issues: [] })
        : json({ status: "unhealthy", issues: state.issues }, 503);
    }
    if (path === "/health/") {
      return new Response(null, { status: 307, headers: { location: "/health" } });
    }
    if (path === "/v1/model") {
      // x-api-key wins over Authorization when both are present.
      const key = xApiKey ?? authorization?.replace(/^Bearer /, "") ?? null;
      if (key === null) return json({ detail: "Please provide an API key" }, 401);
      if (key !== state.apiKey) return json({ detail: "Invalid API key" }, 401);
      if (state.model === undefined) {
        return json({ detail: "No models are currently loaded." }, 503);
      }
      return json({ id: state.model, object: "model", owned_by: "tabbyAPI" });
    }
    return json({ detail: "Not Found" }, 404);
  });
  return { ...server, state };
}

/** A clock that moves only when told; its wall time can be set to anything. */
export class ManualClock implements Clock {
  monotonic = 1_000;
  wall = Date.parse("2026-11-21T11:24:41.342Z");

  now(): number {
    return this.monotonic;
  }

  date(): Date {
    return new Date(this.wall);
  }

  /** Moves monotonic time forward (and wall time with it). */
  advance(ms: number): void {
    this.monotonic += ms;
    this.wall += ms;
  }
}

/** Whether a process with this PID exists. */
export function processExists(pid: number): boolean {
  try {
    // Signal 0 checks existence without delivering anything.
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `condition` every 20 ms for at most `ms`; returns whether it became true. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  ms = 2000,
): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return await condition();
}
