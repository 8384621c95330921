/**
 * The requests an `llm` check sends: GET or POST on the server's base URL with
 * the check's headers, redirects not followed, bodies read up to 64 KiB (a
 * metrics page, which may be on another port, up to its own cap), an optional
 * timeout of its own, and every way it can end as one {@link Reply} (an
 * answer, a refused connection, another failure, its own timeout). The run's
 * signal aborting throws, so the runner reports the timeout or cancel.
 *
 * @module
 */

import type { Clock } from "../../clock.ts";
import { describeFetchError } from "../../fetch_error.ts";
import { hideUrlCredentials } from "../../mask.ts";
import type { Platform } from "../../platform/platform.ts";
import { BODY_LIMIT, readBody } from "../http_read.ts";

/** How one request ended. `route` is `GET /path`, for messages. */
export type Reply =
  | {
    readonly kind: "answer";
    readonly route: string;
    readonly status: number;
    readonly text: string;
    /** The body parsed as JSON; `undefined` when it is not JSON. */
    readonly json: unknown;
    /** Whether the body went on past the cap (the text is what came before it). */
    readonly truncated?: boolean;
  }
  | { readonly kind: "refused"; readonly route: string; readonly reason: string }
  | { readonly kind: "failed"; readonly route: string; readonly reason: string }
  | { readonly kind: "timeout"; readonly route: string; readonly reason: string };

/** Sends a preset's requests to one server. */
export interface Requester {
  get(path: string, signal: AbortSignal, timeoutMs?: number): Promise<Reply>;
  post(path: string, body: unknown, signal: AbortSignal, timeoutMs?: number): Promise<Reply>;
  /**
   * A GET of the absolute `url` (a metrics page: `accept: text/plain`), the
   * body read up to `limit` bytes and not parsed as JSON.
   */
  page(url: string, signal: AbortSignal, timeoutMs: number, limit: number): Promise<Reply>;
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A requester for the server at `base`.
 *
 * @example
 * ```ts ignore
 * const requests = requester(platform.fetch, "http://127.0.0.1:8000", headers, systemClock);
 * const reply = await requests.get("/health", signal); // { kind: "answer", status: 200, ... }
 * ```
 */
export function requester(
  send: Platform["fetch"],
  base: string,
  headers: Readonly<Record<string, string>>,
  clock: Clock,
): Requester {
  const root = base.replace(/\/+$/, "");
  const request = async (
    route: string,
    url: string,
    body: unknown,
    signal: AbortSignal,
    timeoutMs: number | undefined,
    page?: { readonly limit: number },
  ): Promise<Reply> => {
    const method = body === undefined ? "GET" : "POST";
    const limit = page?.limit ?? BODY_LIMIT;
    const sent = page === undefined ? headers : { ...headers, accept: "text/plain" };
    const own = new AbortController();
    const onAbort = () => own.abort(signal.reason);
    if (signal.aborted) throw signal.reason;
    signal.addEventListener("abort", onAbort, { once: true });
    let late = false;
    const cancelTimer = timeoutMs === undefined ? () => {} : clock.setTimer(timeoutMs, () => {
      late = true;
      own.abort(new DOMException(`timed out after ${timeoutMs} ms`, "TimeoutError"));
    });
    const timedOut = (): Reply => ({
      kind: "timeout",
      route,
      reason: `${route} did not answer in ${timeoutMs} ms`,
    });
    try {
      let response: Response;
      try {
        response = await send(url, {
          method,
          headers: body === undefined ? sent : { ...sent, "content-type": "application/json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          redirect: "manual",
          signal: own.signal,
        });
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (late) return timedOut();
        const reason = describeFetchError(error);
        const kind = reason === "connection refused" ? "refused" : "failed";
        return { kind, route, reason: `${route} ${hideUrlCredentials(url)} failed: ${reason}` };
      }
      if (response.status >= 300 && response.status < 400) {
        response.body?.cancel().catch(() => {});
        const location = hideUrlCredentials(response.headers.get("location") ?? "?");
        return {
          kind: "failed",
          route,
          reason: `HTTP ${response.status} from ${route}, redirect to ${location} not followed`,
        };
      }
      let read: { text: string; truncated: boolean };
      try {
        read = await readBody(response, limit);
      } catch {
        if (signal.aborted) throw signal.reason;
        if (late) return timedOut();
        return {
          kind: "failed",
          route,
          reason:
            `HTTP ${response.status} from ${route}, but the connection failed before the body's end`,
        };
      }
      const { text, truncated } = read;
      const json = page === undefined ? parsed(text) : undefined;
      return { kind: "answer", route, status: response.status, text, json, truncated };
    } finally {
      cancelTimer();
      signal.removeEventListener("abort", onAbort);
    }
  };
  return {
    get: (path, signal, timeoutMs) =>
      request(`GET ${path}`, root + path, undefined, signal, timeoutMs),
    post: (path, body, signal, timeoutMs) =>
      request(`POST ${path}`, root + path, body, signal, timeoutMs),
    page: (url, signal, timeoutMs, limit) => {
      const { pathname, search } = new URL(url);
      return request(`GET ${pathname}${search}`, url, undefined, signal, timeoutMs, { limit });
    },
  };
}
