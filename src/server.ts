/**
 * The HTTP layer: a plain `(Request) => Promise<Response>` handler, so tests
 * call it without a socket and any runtime's server can host it.
 *
 * Routes: `GET|HEAD /health` (full body) and `GET|HEAD /health/simple`
 * (`{"status":"UP"}`), each 200 when UP and 503 when DOWN.
 *
 * @module
 */

import type { Health, HealthStatus } from "./health.ts";

/** The handler's signature. */
export type Handler = (request: Request) => Promise<Response>;

/** Options for {@link createHandler}. */
export interface HandlerOptions {
  /** Where internal errors are reported; they are answered with 503, never 500. */
  readonly onError?: (error: unknown) => void;
}

const JSON_HEADERS = {
  "content-type": "application/json",
  "cache-control": "no-store",
} as const;

const ALLOW = "GET, HEAD";

/** The `/health` body: Kitura's status, timestamp and details, plus per-check results. */
export function fullBody(status: HealthStatus): string {
  return JSON.stringify({
    status: status.status,
    timestamp: status.timestamp,
    details: status.details,
    checks: status.checks,
  });
}

/** The `/health/simple` body. */
export function simpleBody(status: HealthStatus): string {
  return status.status === "UP" ? '{"status":"UP"}' : '{"status":"DOWN"}';
}

/** Drops trailing slashes, so `/health/` and `/health` are the same route. */
function routePath(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  let end = url.length;
  for (const stop of ["?", "#"]) {
    const at = url.indexOf(stop, start);
    if (at !== -1 && at < end) end = at;
  }
  let path = url.slice(start, end);
  while (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  return path;
}

const encoder = new TextEncoder();

function respond(body: string, status: number, method: string, extra?: HeadersInit): Response {
  const headers = new Headers(JSON_HEADERS);
  if (extra) new Headers(extra).forEach((value, key) => headers.set(key, value));
  if (method !== "HEAD") return new Response(body, { status, headers });
  // HEAD: the same status and headers as GET, including the length, and no body.
  headers.set("content-length", String(encoder.encode(body).length));
  return new Response(null, { status, headers });
}

/**
 * Creates the request handler over a {@link Health}.
 *
 * @example
 * ```ts
 * const handler = createHandler(health);
 * const response = await handler(new Request("http://localhost/health/simple"));
 * response.status; // 200 or 503
 * ```
 */
export function createHandler(health: Health, options: HandlerOptions = {}): Handler {
  // Serialised bodies are built once per evaluation, not once per request.
  const bodies = new WeakMap<HealthStatus, { full: string; simple: string }>();
  const bodiesOf = (status: HealthStatus) => {
    let cached = bodies.get(status);
    if (!cached) {
      cached = { full: fullBody(status), simple: simpleBody(status) };
      bodies.set(status, cached);
    }
    return cached;
  };

  return async (request) => {
    const path = routePath(request.url);
    const simple = path === "/health/simple";
    if (path !== "/health" && !simple) {
      return respond(
        JSON.stringify({ error: `no route for ${path}`, routes: ["/health", "/health/simple"] }),
        404,
        request.method,
      );
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      return respond(
        JSON.stringify({ error: `method ${request.method} not allowed`, allow: ALLOW }),
        405,
        request.method,
        { allow: ALLOW },
      );
    }
    try {
      const status = await health.status();
      const body = bodiesOf(status);
      return respond(
        simple ? body.simple : body.full,
        status.status === "UP" ? 200 : 503,
        request.method,
      );
    } catch (error) {
      try {
        options.onError?.(error);
      } catch {
        // A failing error reporter must not turn a 503 into a 500.
      }
      const message = error instanceof Error ? error.message : String(error);
      return respond(
        JSON.stringify({ status: "DOWN", details: [`internal error: ${message}`] }),
        503,
        request.method,
      );
    }
  };
}
