/**
 * Body shapes for the health endpoints, picked by content negotiation. The
 * status code never depends on the shape: 200 when UP, 503 when DOWN.
 *
 * - `json` (default): Kitura's `status`/`timestamp`/`details` plus `checks`.
 * - `health+json` (`Accept: application/health+json`): the IETF health check
 *   draft (`pass`/`warn`/`fail`, checks keyed `"<name>:responseTime"`).
 * - `microprofile` (`?format=microprofile`): MicroProfile Health's
 *   `{"status","checks":[{"name","status","data"}]}`, where the top status is
 *   UP iff every check is (WARN shows as UP, with the reason in `data`).
 * - `text` (`Accept: text/plain` or `?format=text`): a table, like `kubectl get`,
 *   under a first line with this vitals' name, the one body that carries it.
 *
 * @module
 */

import { escapeControl } from "../text.ts";
import { textTable } from "./text_table.ts";
import { VERSION } from "../version.ts";
import type { CheckView, HealthStatus } from "../types.ts";

/** A body shape. */
export type BodyFormat = "json" | "health+json" | "microprofile" | "text";

/** Every value `?format=` accepts. */
export const FORMATS: readonly BodyFormat[] = ["json", "health+json", "microprofile", "text"];

const MEDIA: Record<string, BodyFormat> = {
  "application/json": "json",
  "application/health+json": "health+json",
  "text/plain": "text",
};

/** Content types per shape. */
export const CONTENT_TYPES: Record<BodyFormat, string> = {
  json: "application/json",
  "health+json": "application/health+json",
  microprofile: "application/json",
  text: "text/plain; charset=utf-8",
};

/**
 * Picks the shape: `?format=` first, then the most preferred supported type in
 * `Accept` (ties go to the earlier one), else JSON. Returns `undefined` for an
 * unknown `?format=` value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { negotiate } from "./bodies.ts";
 * assert.equal(negotiate("application/health+json", ""), "health+json");
 * assert.equal(negotiate("text/html,*\/*;q=0.8", ""), "json");
 * assert.equal(negotiate(null, "format=text"), "text");
 * ```
 */
export function negotiate(accept: string | null, query: string): BodyFormat | undefined {
  if (query.includes("format=")) {
    for (const part of query.split("&")) {
      if (!part.startsWith("format=")) continue;
      let value: string;
      try {
        value = decodeURIComponent(part.slice("format=".length).replaceAll("+", "%2B"));
      } catch {
        return undefined; // malformed percent-encoding: an unknown format, not an outage
      }
      return (FORMATS as readonly string[]).includes(value) ? value as BodyFormat : undefined;
    }
  }
  if (!accept) return "json";
  let best: BodyFormat = "json";
  let bestQ = 0;
  for (const range of accept.split(",")) {
    const [type = "", ...params] = range.split(";");
    const format = MEDIA[type.trim().toLowerCase()];
    if (!format) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (weight > bestQ) {
      best = format;
      bestQ = weight;
    }
  }
  return best;
}

/**
 * IETF status of one check: a counted DOWN fails (warns if non-critical); WARN
 * warns, and so does an UP check whose last run did not pass (a tolerated failure).
 */
function ietfCheckStatus(check: CheckView): "pass" | "warn" | "fail" {
  if (check.status === "DOWN") return check.critical ? "fail" : "warn";
  return check.status === "WARN" || check.lastOutcome !== "UP" ? "warn" : "pass";
}

function healthJson(status: HealthStatus): string {
  const checks: Record<string, unknown[]> = {};
  let warn = false;
  for (const check of status.checks) {
    const state = ietfCheckStatus(check);
    if (state !== "pass") warn = true;
    checks[`${check.name}:responseTime`] = [{
      componentType: check.type === "command" ? "system" : "component",
      observedValue: check.durationMs,
      observedUnit: "ms",
      status: state,
      time: check.checkedAt,
      ...(state === "pass" ? {} : { output: check.message }),
    }];
  }
  const notes = [...status.details];
  if (status.stale) notes.push(`stale: results are ${status.ageMs} ms old`);
  return JSON.stringify({
    status: status.status === "DOWN" ? "fail" : warn ? "warn" : "pass",
    version: "1",
    releaseId: VERSION,
    description: "vitals health checks",
    ...(notes.length > 0 ? { notes } : {}),
    checks,
  });
}

/**
 * MicroProfile Health's body. Its rule is a conjunction: the top status is UP
 * iff every check is UP. vitals' top status is the status code's, so each
 * check's MicroProfile status follows it: a check is DOWN only when it makes
 * the scope DOWN (a critical check counted DOWN). A WARN check, a non-critical
 * DOWN one, or one held by the startup latch is UP there, with vitals' own
 * status and the reason in `data`. A scope that is DOWN for no check's sake
 * (no result yet, shutting down) gets a `vitals` check that says why.
 */
function microprofile(status: HealthStatus): string {
  const checks: { name: string; status: "UP" | "DOWN"; data: Record<string, unknown> }[] = status
    .checks.map((check) => {
      const downHere = status.status === "DOWN" && check.status === "DOWN" && check.critical;
      return {
        name: check.name,
        status: downHere ? "DOWN" : "UP",
        data: {
          type: check.type,
          status: check.status,
          critical: check.critical,
          message: check.message,
          durationMs: check.durationMs,
          checkedAt: check.checkedAt,
          consecutiveFailures: check.consecutiveFailures,
          ...(downHere || check.status === "UP" ? {} : { reason: reasonOf(check, status) }),
        },
      };
    });
  if (status.status === "DOWN" && !checks.some((check) => check.status === "DOWN")) {
    // MicroProfile's data values are scalars: the details as one string.
    checks.push({ name: "vitals", status: "DOWN", data: { details: status.details.join("; ") } });
  }
  return JSON.stringify({ status: status.status, checks });
}

/** Why a check that is not UP is still UP in a MicroProfile body. */
function reasonOf(check: CheckView, status: HealthStatus): string {
  if (check.status === "WARN") return `WARN: ${check.message}`;
  if (!check.critical) return `not critical: ${check.message}`;
  return status.status === "UP" ? `startup latched: ${check.message}` : check.message;
}

/**
 * The `/health` body: Kitura's status, timestamp and details, plus per-check results, and the
 * maintenance switch (`reason`, `since`, `groups`) while it is on.
 */
export function fullBody(status: HealthStatus): string {
  return JSON.stringify({
    status: status.status,
    timestamp: status.timestamp,
    details: status.details,
    checks: status.checks,
    ...(status.stale ? { stale: true, ageMs: status.ageMs } : {}),
    ...(status.maintenance ? { maintenance: status.maintenance } : {}),
  });
}

/** The one-field body of `/health/simple` and `?simple`. */
export function simpleBody(status: HealthStatus): string {
  return status.status === "UP" ? '{"status":"UP"}' : '{"status":"DOWN"}';
}

function textBody(status: HealthStatus, name: string | undefined): string {
  const notes = status.details.map((detail) => `  ${escapeControl(detail)}`).join("\n");
  const stale = status.stale ? `\nstale: results are ${status.ageMs} ms old` : "";
  // Escaped as messages are: the name may come from the environment.
  const head = name === undefined ? "" : `name: ${escapeControl(name)}\n`;
  return `${head}${textTable(status)}${stale}${notes ? `\n${notes}` : ""}\n`;
}

/** Renders `status` in `format`; `name` (this vitals' name) heads the text body only. */
export function renderBody(status: HealthStatus, format: BodyFormat, name?: string): string {
  switch (format) {
    case "json":
      return fullBody(status);
    case "health+json":
      return healthJson(status);
    case "microprofile":
      return microprofile(status);
    case "text":
      return textBody(status, name);
  }
}
