/**
 * The requests an `llm` check sends: GET or POST on the server's base URL with
 * the check's headers, redirects not followed, bodies read up to 64 KiB, an
 * optional timeout of its own, and every way it can end as one {@link Reply}
 * (an answer, a refused connection, another failure, its own timeout). The
 * run's signal aborting throws, so the runner reports the timeout or cancel.
 *
 * @module
 */

import type { Clock } from "../../clock.ts";
import { describeFetchError } from "../../fetch_error.ts";
import { hideUrlCredentials } from "../../mask.ts";
import type { Platform } from "../../platform/platform.ts";

/** The most body bytes one answer is read to (as `http` reads, `../http_read.ts`). */
const BODY_LIMIT = 64 * 1024;

/** How one request ended. `route` is `GET /path`, for messages. */
export type Reply =
  | {
    readonly kind: "answer";
    readonly route: string;
    readonly status: number;
    readonly text: string;
    /** The body parsed as JSON; `undefined` when it is not JSON. */
    readonly json: unknown;
  }
  | { readonly kind: "refused"; readonly route: string; readonly reason: string }
  | { readonly kind: "failed"; readonly route: string; readonly reason: string }
  | { readonly kind: "timeout"; readonly route: string; readonly reason: string };

/** Sends a preset's requests to one server. */
export interface Requester {
  get(path: string, signal: AbortSignal, timeoutMs?: number): Promise<Reply>;
  post(path: string, body: unknown, signal: AbortSignal, timeoutMs?: number): Promise<Reply>;
}

/**
 * Reads at most {@link BODY_LIMIT} bytes and cancels the rest. Its own copy
 * of `../http_read.ts`'s loop: a `_` file is imported only from its own folder.
 */
async function readCapped(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    while (bytes < BODY_LIMIT) {
      const { done, value } = await reader.read();
      if (done) break;
      const kept = value.subarray(0, BODY_LIMIT - bytes);
      chunks.push(kept);
      bytes += kept.length;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const all = new Uint8Array(bytes);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(all);
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
    method: "GET" | "POST",
    path: string,
    body: unknown,
    signal: AbortSignal,
    timeoutMs: number | undefined,
  ): Promise<Reply> => {
    const route = `${method} ${path}`;
    const url = root + path;
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
          headers: body === undefined
            ? headers
            : { ...headers, "content-type": "application/json" },
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
      let text: string;
      try {
        text = await readCapped(response);
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
      return { kind: "answer", route, status: response.status, text, json: parsed(text) };
    } finally {
      cancelTimer();
      signal.removeEventListener("abort", onAbort);
    }
  };
  return {
    get: (path, signal, timeoutMs) => request("GET", path, undefined, signal, timeoutMs),
    post: (path, body, signal, timeoutMs) => request("POST", path, body, signal, timeoutMs),
  };
}
