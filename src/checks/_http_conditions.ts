/**
 * The conditions an `http` check judges a response by, in this order: the
 * status (`expectStatus`), the body (`bodyContains`, then `bodyMatches`), its
 * JSON (`json`, in list order), then the response time (`downAfter`,
 * `warnAfter`). The first that fails decides, and its message says what was
 * seen: `HTTP 200, but $.status is "degraded", expected "ok"`. When all hold,
 * the UP message says what was matched: `HTTP 200, body contains "ok"`. A
 * body that cannot be read to its end (a reset, a close before its length) is
 * DOWN with the status and the same words on every runtime.
 *
 * @module
 */

import { formatDuration } from "../config/duration.ts";
import type { CheckConfigOf } from "../config/resolve.ts";
import { hideUrlCredentials } from "../mask.ts";
import { escapeControl, plural } from "../text.ts";
import { BODY_LIMIT, type BodyText, discardBody, readBody } from "./http_read.ts";
import { MatchAbandonedError, type RegexPool, regexPool } from "./_regex_pool.ts";
import { down, type Outcome, up, warn } from "./check.ts";
import { cut, jsonFailure, jsonHeld, SHOWN, SHOWN_UP } from "./_json_conditions.ts";

type HttpConfig = CheckConfigOf<"http">;

/** One item of `expectStatus`: a code, or an inclusive range (`"200-299"`, `"2xx"`). */
export type StatusItem = number | { readonly from: number; readonly to: number };

/**
 * Whether `status` is accepted, given the configured codes and ranges (or
 * kubelet's 200-399).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statusAccepted } from "./_http_conditions.ts";
 * assert(statusAccepted(204, [{ from: 200, to: 299 }]));
 * assert(!statusAccepted(301, [200, 204]));
 * assert(statusAccepted(302)); // 200-399 by default
 * ```
 */
export function statusAccepted(status: number, expected?: readonly StatusItem[]): boolean {
  if (expected === undefined) return status >= 200 && status < 400;
  return expected.some((item) =>
    typeof item === "number" ? item === status : status >= item.from && status <= item.to
  );
}

/** The accepted statuses as a message shows them: `200, 300-399`. */
export function expectedStatusText(expected?: readonly StatusItem[]): string {
  if (expected === undefined) return "200-399";
  return expected.map((item) => typeof item === "number" ? item : `${item.from}-${item.to}`)
    .join(", ");
}

/** A pattern as a message shows it: `/ok/`, cut and escaped. */
function shownPattern(pattern: string, max = SHOWN): string {
  return `/${escapeControl(cut(pattern, max))}/`;
}

/** How many held `json` conditions an UP message names; the rest it counts. */
const JSON_NAMED = 3;

/** What the held `json` conditions found: `$.status is "ok", and 2 more JSON conditions hold`. */
function jsonPassed(data: unknown, json: HttpConfig["json"] & object): string[] {
  const named = json.slice(0, JSON_NAMED).map((condition) => jsonHeld(data, condition));
  const more = json.length - named.length;
  return more === 0 ? named : [
    ...named,
    `and ${plural(more, "more JSON condition")} ${more === 1 ? "holds" : "hold"}`,
  ];
}

/** How much of the body was read, for a message: `14 bytes` or `the first 65536 bytes`. */
function readText(body: BodyText): string {
  return body.truncated ? `the first ${body.bytes} bytes` : plural(body.bytes, "byte");
}

/** Why a body is not JSON (`the body is not JSON (read 14 bytes: "<html>...")`), or its value. */
function parseBody(body: BodyText): { ok: true; data: unknown } | { ok: false; why: string } {
  if (body.truncated) {
    return {
      ok: false,
      why: `the body is over ${BODY_LIMIT} bytes, too long to read as JSON`,
    };
  }
  if (body.text.trim() === "") return { ok: false, why: "the body is empty, not JSON" };
  try {
    return { ok: true, data: JSON.parse(body.text) };
  } catch {
    const start = escapeControl(JSON.stringify(cut(body.text.trim(), 40)));
    return { ok: false, why: `the body is not JSON (read ${readText(body)}: ${start})` };
  }
}

/** Judges one response; `elapsedMs` is the time to its status and headers. */
export type ResponseJudge = (
  response: Response,
  elapsedMs: number,
  signal: AbortSignal,
) => Promise<Outcome>;

/**
 * Judges an http check's responses by its conditions: `judge(response,
 * elapsedMs, signal)`, where `elapsedMs` is the time from sending the request
 * to the response's status and headers. Reads the body (at most
 * {@link BODY_LIMIT} bytes) only when a body condition needs it.
 *
 * @example
 * ```ts ignore
 * const judge = responseJudge(config);
 * await judge(response, 12, signal); // { status: "UP", message: "HTTP 200" }
 * ```
 */
export function responseJudge(
  config: HttpConfig,
  pool: () => RegexPool = regexPool,
): ResponseJudge {
  const json = config.json ?? [];
  const needsBody = config.bodyContains !== undefined || config.bodyMatches !== undefined ||
    json.length > 0;
  /** Set while a worker is still busy with an earlier run's match, abandoned at its timeout. */
  let stuck = false;
  if (config.bodyMatches !== undefined) pool().warm();

  /** Why the body fails its conditions, or `undefined`; `passed` collects what held. */
  async function bodyFailure(
    body: BodyText,
    signal: AbortSignal,
    passed: string[],
  ): Promise<string | undefined> {
    if (config.bodyContains !== undefined) {
      if (!body.text.includes(config.bodyContains)) {
        return `the body does not contain ${
          escapeControl(JSON.stringify(cut(config.bodyContains, SHOWN)))
        } (read ${readText(body)})`;
      }
      passed.push(
        `body contains ${escapeControl(JSON.stringify(cut(config.bodyContains, SHOWN_UP)))}`,
      );
    }
    if (config.bodyMatches !== undefined) {
      const pattern = shownPattern(config.bodyMatches);
      if (stuck) {
        return `the body was not matched against ${pattern}: ` +
          "an earlier run's match is still running";
      }
      const running = pool().match(config.bodyMatches, body.text, signal);
      let matched: boolean;
      try {
        matched = await running.result;
      } catch (error) {
        if (error instanceof MatchAbandonedError) {
          if (!error.queued) {
            stuck = true;
            running.finished.then(() => stuck = false);
          }
          return error.queued
            ? `the body waited to be matched against ${pattern} behind earlier, slow matches`
            : `matching the body against ${pattern} did not finish (read ${readText(body)})`;
        }
        return `the body could not be matched against ${pattern}: ${
          error instanceof Error ? error.message : String(error)
        }`;
      }
      if (!matched) return `the body does not match ${pattern} (read ${readText(body)})`;
      passed.push(`body matches ${shownPattern(config.bodyMatches, SHOWN_UP)}`);
    }
    if (json.length > 0) {
      const parsed = parseBody(body);
      if (!parsed.ok) return parsed.why;
      for (const condition of json) {
        const failure = jsonFailure(parsed.data, condition);
        if (failure !== undefined) return failure;
      }
      passed.push(...jsonPassed(parsed.data, json));
    }
    return undefined;
  }

  return async (response, elapsedMs, signal) => {
    const status = `HTTP ${response.status}`;
    if (!statusAccepted(response.status, config.expectStatus)) {
      discardBody(response);
      const location = response.headers.get("location");
      const redirect = location ? `, redirect to ${hideUrlCredentials(location)} not followed` : "";
      return down(`${status}${redirect} (expected ${expectedStatusText(config.expectStatus)})`);
    }
    const passed: string[] = [];
    if (needsBody) {
      let body: BodyText;
      try {
        body = await readBody(response, BODY_LIMIT);
      } catch (error) {
        // A timeout's abort is the runner's to report. Anything else cut the body
        // short, and the runtimes word it apart (Deno's fetch: "error reading a
        // body from connection" for a reset and a bad chunk alike; Bun's:
        // ECONNRESET; Node's http: "aborted"), so the message names none of them.
        if (signal.aborted) throw error;
        return down(
          `${status}, but the body could not be read: the connection failed before its end`,
        );
      }
      const failure = await bodyFailure(body, signal, passed);
      if (failure !== undefined) return down(`${status}, but ${failure}`);
    } else {
      discardBody(response);
    }
    const took = `${status}, responded in ${Math.round(elapsedMs)} ms`;
    if (config.downAfter !== undefined && Math.round(elapsedMs) > config.downAfter) {
      return down(`${took}, over downAfter ${formatDuration(config.downAfter)}`);
    }
    if (config.warnAfter !== undefined && Math.round(elapsedMs) > config.warnAfter) {
      return warn(`${took}, over warnAfter ${formatDuration(config.warnAfter)}`);
    }
    // The accepted statuses, when they are not kubelet's, say why this one is.
    const accepted = config.expectStatus === undefined
      ? ""
      : ` (expected ${expectedStatusText(config.expectStatus)})`;
    return up([`${status}${accepted}`, ...passed].join(", "));
  };
}
