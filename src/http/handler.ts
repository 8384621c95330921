/**
 * The HTTP layer: a plain `(Request) => Promise<Response>` handler, so tests
 * call it without a socket and any runtime's server can host it.
 *
 * Routes, each `GET|HEAD`, 200 when UP and 503 when DOWN:
 * - `/health` (every check, full body) and `/health/simple` (`{"status":"UP"}`);
 * - `/health/live`, `/health/ready`, `/health/started`: one probe group each;
 *   any of them answers with the one-field body when `/simple` is appended or
 *   the query has `simple`;
 * - `/metrics`: Prometheus text (never runs a check);
 * - `/` and `/health` when the browser prefers `text/html`: the status page
 *   (http/page.ts; `/` answers 404 to everyone else), which polls
 *   `/health/history` (always 200: it is no probe);
 * - `/maintenance`, only with a control token: the maintenance switch (_maintenance_route.ts).
 *
 * With a details token set, full bodies go only to `Authorization: Bearer
 * <token>`; everyone else gets the status code and the one-field body.
 *
 * @module
 */

import { type BodyFormat, CONTENT_TYPES, negotiate, renderBody, simpleBody } from "./bodies.ts";
import { systemClock } from "../clock.ts";
import type { Health } from "../engine/health.ts";
import {
  type InternalErrorCounter,
  METRICS_CONTENT_TYPE,
  renderMetrics,
  RequestCounter,
} from "./metrics.ts";
import { route, ROUTE_LIST, splitUrl, type Target } from "./_route.ts";
import { tokenMatches } from "./token.ts";
import { prepare, type Prepared, preparedResponse } from "./_prepared.ts";
import { errorBody, hasBody, internalError, respond } from "./_respond.ts";
import { pageResponse, prefersHtml } from "./page.ts";
import { historyBody } from "./_page_history.ts";
import { maintenanceAnswer } from "./_maintenance_route.ts";
import type { TlsPortsSource } from "./metrics_tls.ts";
import type { HealthStatus } from "../types.ts";
import type { ConnectionInfo } from "../platform/platform.ts";

/**
 * The handler's signature: a `Response` at once when the answer is ready (a
 * warm cache), else a promise of one. Never throws and never rejects: any
 * failure is answered here as a 503 DOWN with "internal error: ..." (vitals'
 * own body, which the servers under src/platform know nothing of). `info`
 * (the peer) goes to `/maintenance` alone, for its log line.
 */
export type Handler = (request: Request, info?: ConnectionInfo) => Response | Promise<Response>;

/** Access settings; read on every request, so a reload applies at once. */
export interface AccessSettings {
  /** Serve `/metrics` (default true). */
  readonly metrics: boolean;
  /** When set, full bodies need `Authorization: Bearer <detailsToken>`. */
  readonly detailsToken?: string | undefined;
  /** When set, `/metrics` needs `Authorization: Bearer <metricsToken>`. */
  readonly metricsToken?: string | undefined;
  /** When set, `/maintenance` is served to `Authorization: Bearer <controlToken>`; else 404. */
  readonly controlToken?: string | undefined;
}

/** Options for {@link createHandler}. */
export interface HandlerOptions {
  /** Where internal errors are reported; they are answered with 503, never 500. */
  readonly onError?: (error: unknown) => void;
  /** The current access settings (default: metrics on, no tokens). */
  readonly access?: () => AccessSettings;
  /** The runtime name for `vitals_info`. */
  readonly runtime?: string;
  /** Where answered requests are counted for `/metrics`. */
  readonly requests?: RequestCounter;
  /** When vitals started (Unix ms), for `vitals_start_time_seconds`; default: now. */
  readonly startedAt?: number;
  /** The guard's count of uncaught errors, for `vitals_internal_errors_total`; default: 0. */
  readonly internalErrors?: InternalErrorCounter | undefined;
  /** The ports serving TLS, for `vitals_tls_*` (metrics_tls.ts); default: none. */
  readonly tls?: TlsPortsSource | undefined;
  /** The name on the page, `/health/history` and the text body (no other); default `vitals`. */
  readonly name?: () => string;
}

const ALLOW = "GET, HEAD";
const OPEN: AccessSettings = { metrics: true };

/**
 * Creates the request handler over a {@link Health}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createHandler } from "./handler.ts";
 * import { Health } from "../engine/health.ts";
 * const handler = createHandler(new Health({ checks: [], ttl: 30_000, poolSize: 4 }));
 * const response = await handler(new Request("http://localhost/health/ready/simple"));
 * assert(response.status === 200); // 503 when a critical ready check is DOWN
 * assert(await response.text() === '{"status":"UP"}');
 * ```
 */
export function createHandler(health: Health, options: HandlerOptions = {}): Handler {
  const access = options.access ?? (() => OPEN);
  const requests = options.requests ?? new RequestCounter();
  const startedAt = options.startedAt ?? systemClock.date().getTime();
  const nameOf = options.name ?? (() => "vitals");
  // Built once per published status and shape (BENCHMARKS.md, "Serving from cache"). The text
  // body holds the name: a reload that changes it publishes anew (Health.commit) as it switches.
  const prepared = new WeakMap<HealthStatus, Map<BodyFormat | "simple", Prepared>>();
  const preparedOf = (status: HealthStatus, shape: BodyFormat | "simple") => {
    let byShape = prepared.get(status);
    if (!byShape) prepared.set(status, byShape = new Map());
    let answer = byShape.get(shape);
    if (!answer) {
      const body = shape === "simple"
        ? simpleBody(status)
        : renderBody(status, shape, shape === "text" ? nameOf() : undefined);
      const type = shape === "simple" ? CONTENT_TYPES.json : CONTENT_TYPES[shape];
      answer = prepare(body, status.status === "UP" ? 200 : 503, type);
      byShape.set(shape, answer);
    }
    return answer;
  };

  // Synchronous while the cache is warm: only an evaluation makes a promise.
  const answer = (
    request: Request,
    target: Target | undefined,
    path: string,
    query: string,
    settings: AccessSettings,
    info: ConnectionInfo | undefined,
  ): Response | Promise<Response> => {
    if (!target) {
      return respond(
        errorBody(`no route for ${path}`, { routes: ROUTE_LIST }),
        404,
        request.method,
      );
    }
    if (target === "maintenance") {
      const token = settings.controlToken ?? "";
      return maintenanceAnswer(request, query, health.maintenance, token, info);
    }
    if (request.method !== "GET" && request.method !== "HEAD") {
      const body = errorBody(`method ${request.method} not allowed`, { allow: ALLOW });
      return respond(body, 405, request.method, undefined, { allow: ALLOW });
    }
    if (hasBody(request)) {
      return respond(errorBody("request bodies are not accepted"), 413, request.method);
    }
    // Read only when a token is set (BENCHMARKS.md, "Serving from cache": a header read costs).
    const authorization = settings.metricsToken || settings.detailsToken
      ? request.headers.get("authorization")
      : null;
    const isMetrics = target === "metrics";
    // Status codes stay open everywhere: /health and the groups tell them anyway.
    if (isMetrics && settings.metricsToken && !tokenMatches(authorization, settings.metricsToken)) {
      const body = errorBody("unauthorized: send Authorization: Bearer <metricsToken>");
      return respond(body, 401, request.method, undefined, {
        "www-authenticate": 'Bearer realm="vitals"',
      });
    }
    if (isMetrics) {
      const { runtime = "unknown", internalErrors, tls } = options;
      const text = renderMetrics(health, requests, runtime, startedAt, internalErrors, tls?.());
      return respond(text, 200, request.method, METRICS_CONTENT_TYPE);
    }
    if (target === "history") {
      const details = !settings.detailsToken ||
        tokenMatches(authorization, settings.detailsToken);
      return historyBody(health, details, () => systemClock.date(), nameOf())
        .then((body) => respond(body, 200, request.method));
    }
    if (target === "page") return pageResponse(200, request.method, nameOf());
    const { scope, simple } = target;
    const accept = simple ? null : request.headers.get("accept");
    if (scope === "all" && !simple && path === "/health" && prefersHtml(accept, query)) {
      // The status code is the one JSON would get; the page fills itself in.
      const page = (status: HealthStatus) =>
        pageResponse(status.status === "UP" ? 200 : 503, request.method, nameOf());
      const ready = health.peek(scope);
      return ready ? page(ready) : health.status(scope).then(page);
    }
    const format = simple ? "json" : negotiate(accept, query);
    if (format === undefined) {
      return respond(
        errorBody("unknown format: use json, health+json, microprofile or text"),
        400,
        request.method,
      );
    }
    const showDetails = !simple &&
      (!settings.detailsToken || tokenMatches(authorization, settings.detailsToken));
    const shape = showDetails ? format : "simple";
    const reply = (status: HealthStatus) =>
      preparedResponse(preparedOf(status, shape), request.method);
    const ready = health.peek(scope);
    return ready ? reply(ready) : health.status(scope).then(reply);
  };

  /** The 503 for an error inside the handler, reported first. */
  const failed = (error: unknown, method: string) => internalError(error, method, options.onError);

  // Not async: a cache hit is answered synchronously, which spares a server
  // that takes a plain Response (Bun.serve) the promise round trip
  // (BENCHMARKS.md, "Serving from cache").
  return (request, info) => {
    let path: string;
    let query: string;
    let settings: AccessSettings;
    let target: Target | undefined;
    let answered: Response | Promise<Response>;
    try {
      ({ path, query } = splitUrl(request.url));
      settings = access();
      target = path === "/metrics"
        ? (settings.metrics ? "metrics" : undefined)
        : route(path, query);
      // `/` is the status page, for browsers only: everyone else gets the 404 as before.
      if (target === "page" && !prefersHtml(request.headers.get("accept"), query)) {
        target = undefined;
      }
      if (target === "maintenance" && !settings.controlToken) target = undefined;
    } catch (error) {
      // Never a rejection: the server's own fallback knows nothing of vitals' bodies.
      return failed(error, request.method);
    }
    const counted = target !== undefined || path === "/metrics" ? path : "other";
    try {
      answered = answer(request, target, path, query, settings, info);
    } catch (error) {
      answered = failed(error, request.method);
    }
    if (answered instanceof Promise) {
      return answered.then(
        (response) => (requests.add(counted, response.status), response),
        (error) => {
          const response = failed(error, request.method);
          requests.add(counted, response.status);
          return response;
        },
      );
    }
    requests.add(counted, answered.status);
    return answered;
  };
}
