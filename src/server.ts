/**
 * The HTTP layer: a plain `(Request) => Promise<Response>` handler, so tests
 * call it without a socket and any runtime's server can host it.
 *
 * Routes, each `GET|HEAD`, 200 when UP and 503 when DOWN:
 * - `/health` (every check, full body) and `/health/simple` (`{"status":"UP"}`);
 * - `/health/live`, `/health/ready`, `/health/started`: one probe group each.
 *
 * Any of them answers with the one-field body when `/simple` is appended or
 * the query has `simple`.
 *
 * @module
 */

import type { Health, HealthStatus, Scope } from "./health.ts";

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
    ...(status.stale ? { stale: true, ageMs: status.ageMs } : {}),
  });
}

/** Path to scope, for the full-body routes. */
const ROUTES = new Map<string, Scope>([
  ["/health", "all"],
  ["/health/live", "live"],
  ["/health/ready", "ready"],
  ["/health/started", "started"],
]);

/** The route list shown in 404 bodies. */
const ROUTE_LIST = [...ROUTES.keys()].flatMap((path) => [path, `${path}/simple`]);

/** Finds the scope and body kind for a path, or `undefined` for no route. */
function route(path: string, query: string): { scope: Scope; simple: boolean } | undefined {
  const scope = ROUTES.get(path);
  if (scope) return { scope, simple: hasParam(query, "simple") };
  if (!path.endsWith("/simple")) return undefined;
  const base = ROUTES.get(path.slice(0, -"/simple".length));
  return base ? { scope: base, simple: true } : undefined;
}

/** Whether the query string (without `?`) has the parameter `name`, with or without a value. */
function hasParam(query: string, name: string): boolean {
  if (query === "") return false;
  return query.split("&").some((part) => part === name || part.startsWith(`${name}=`));
}

/** The `/health/simple` body. */
export function simpleBody(status: HealthStatus): string {
  return status.status === "UP" ? '{"status":"UP"}' : '{"status":"DOWN"}';
}

/** Splits a URL into its path, without trailing slashes, and its query. */
function splitUrl(url: string): { path: string; query: string } {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return { path: "/", query: "" };
  const hash = url.indexOf("#", start);
  const end = hash === -1 ? url.length : hash;
  const mark = url.indexOf("?", start);
  const pathEnd = mark !== -1 && mark < end ? mark : end;
  let path = url.slice(start, pathEnd);
  while (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  return { path, query: pathEnd < end ? url.slice(pathEnd + 1, end) : "" };
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
    const { path, query } = splitUrl(request.url);
    const target = route(path, query);
    if (!target) {
      return respond(
        JSON.stringify({ error: `no route for ${path}`, routes: ROUTE_LIST }),
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
      const status = await health.status(target.scope);
      const body = bodiesOf(status);
      return respond(
        target.simple ? body.simple : body.full,
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
