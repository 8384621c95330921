/**
 * Prometheus metrics in the text exposition format (version 0.0.4).
 *
 * A scrape reads the published snapshot of every check and never runs one: gauges for the
 * aggregate and each check (`vitals_check_up` is 1 while a check works, UP or
 * WARN; `vitals_check_state` says which of UP, WARN and DOWN it counts as), counters for evaluations, check runs and HTTP
 * requests, vitals' start time, so an alert can tell a check that has not
 * been UP *yet* from one that never comes UP, and the perfdata values of
 * Nagios plugins (`vitals_check_perfdata`), and the uncaught errors vitals
 * survived (`vitals_internal_errors_total`), the maintenance switch per
 * group (`vitals_maintenance`), and vitals' own TLS ports (metrics_tls.ts).
 * Label values are escaped per the format (`\\`, `"`, newline).
 *
 * @module
 */

import type { Health } from "../engine/health.ts";
import { MAINTENANCE_SCOPES } from "../engine/maintenance.ts";
import type { Status } from "../types.ts";
import { VERSION } from "../version.ts";
import { llmFamilies } from "./_metrics_llm.ts";
import { tlsFamilies, type TlsPortMetrics } from "./metrics_tls.ts";

/** Each status with its `state` label value. */
const STATES: readonly (readonly [Status, string])[] = [["UP", "up"], ["WARN", "warn"], [
  "DOWN",
  "down",
]];

/** The metrics content type, as Prometheus expects it. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * Counts answered requests by route and status code. Routes are the known
 * paths plus `other`, so random paths cannot grow the label set.
 */
export class RequestCounter {
  // Path, then status code: no key string is built per request
  // (BENCHMARKS.md, "Serving from cache").
  readonly #counts = new Map<string, Map<number, number>>();

  /** Counts one request. */
  add(path: string, code: number): void {
    let byCode = this.#counts.get(path);
    if (!byCode) this.#counts.set(path, byCode = new Map());
    byCode.set(code, (byCode.get(code) ?? 0) + 1);
  }

  /** Every `[path, code, count]`, in a stable order. */
  entries(): [string, string, number][] {
    return [...this.#counts.entries()]
      .flatMap(([path, byCode]) =>
        [...byCode.entries()].map(([code, count]): [string, string, number] => [
          path,
          String(code),
          count,
        ])
      )
      .sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
  }
}

/**
 * Counts the uncaught errors vitals survived: each is an error nothing caught,
 * which would have ended the process had `serve`'s guard not taken it.
 */
export class InternalErrorCounter {
  #count = 0;

  /** Counts one error. */
  add(): void {
    this.#count++;
  }

  /** How many were counted. */
  get count(): number {
    return this.#count;
  }
}

/** Escapes a label value: backslash, double quote and newline. */
export function escapeLabel(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function labels(pairs: Record<string, string>): string {
  const parts = Object.entries(pairs).map(([key, value]) => `${key}="${escapeLabel(value)}"`);
  return parts.length > 0 ? `{${parts.join(",")}}` : "";
}

/** Writes one metric family: HELP, TYPE and its samples. */
function family(
  out: string[],
  name: string,
  type: "gauge" | "counter",
  help: string,
  samples: [Record<string, string>, number][],
): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [pairs, value] of samples) out.push(`${name}${labels(pairs)} ${value}`);
}

/**
 * Renders every vitals metric.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderMetrics, RequestCounter } from "./metrics.ts";
 * import { Health } from "../engine/health.ts";
 * const health = new Health({ checks: [], ttl: 30_000, poolSize: 4 });
 * await health.evaluate();
 * const text = renderMetrics(health, new RequestCounter(), "deno", 1_795_000_000_000);
 * assert(text.includes("# TYPE vitals_up gauge\nvitals_up 1\n"));
 * assert(text.includes("\nvitals_start_time_seconds 1795000000\n"));
 * ```
 *
 * @param startedAt when vitals started, in Unix milliseconds (wall clock)
 * @param internalErrors the guard's count; without one, 0 (the family is always there, so an
 * alert on its increase sees the first error)
 * @param tlsPorts the ports serving TLS; their families only when there is one
 */
export function renderMetrics(
  health: Pick<Health, "checks" | "last" | "evaluations"> & Partial<Pick<Health, "maintenance">>,
  requests: RequestCounter,
  runtime: string,
  startedAt: number,
  internalErrors?: InternalErrorCounter,
  tlsPorts: readonly TlsPortMetrics[] = [],
): string {
  const out: string[] = [];
  const entries = health.checks;
  // Each check that has a result: its newest view, and its state.
  const checks = entries.flatMap(({ state }) =>
    state.view === undefined ? [] : [{ view: state.view, state }]
  );
  const last = health.last;
  family(out, "vitals_up", "gauge", "1 if every critical check is UP, else 0.", [
    [{}, last?.status === "UP" ? 1 : 0],
  ]);
  family(
    out,
    "vitals_maintenance",
    "gauge",
    "1 while the maintenance switch holds the group DOWN (all: /health), else 0.",
    MAINTENANCE_SCOPES.map((group) => [{ group }, health.maintenance?.covers(group) ? 1 : 0]),
  );
  family(
    out,
    "vitals_check_up",
    "gauge",
    "1 if the check counts as working (UP or WARN), else 0.",
    checks.map(({ view }) => [
      { check: view.name, type: view.type, critical: String(view.critical) },
      view.status === "DOWN" ? 0 : 1,
    ]),
  );
  family(
    out,
    "vitals_check_state",
    "gauge",
    "1 for the state the check counts as (up, warn or down), 0 for the others.",
    checks.flatMap(({ view }) =>
      STATES.map(([status, state]): [Record<string, string>, number] => [
        { check: view.name, state },
        view.status === status ? 1 : 0,
      ])
    ),
  );
  family(
    out,
    "vitals_check_duration_seconds",
    "gauge",
    "How long the check's last run took.",
    checks.map(({ view }) => [{ check: view.name }, view.durationMs / 1000]),
  );
  family(
    out,
    "vitals_check_last_success_timestamp_seconds",
    "gauge",
    "When the check last ran UP or WARN (Unix time), 0 if never.",
    checks.map(({ view, state }) => [{ check: view.name }, state.lastSuccessAt / 1000]),
  );
  family(
    out,
    "vitals_check_consecutive_failures",
    "gauge",
    "DOWN runs in a row (counted against failureThreshold).",
    checks.map(({ view }) => [{ check: view.name }, view.consecutiveFailures]),
  );
  // Only the value of each entry: a plugin's thresholds already show as WARN or DOWN.
  const perfdata = checks.flatMap(({ view }) =>
    (view.perfdata ?? []).map((
      { label, value, unit },
    ): [Record<string, string>, number] => [{ check: view.name, label, unit }, value])
  );
  if (perfdata.length > 0) {
    family(
      out,
      "vitals_check_perfdata",
      "gauge",
      "A Nagios plugin's performance data value from the check's last run, in base units.",
      perfdata,
    );
  }
  for (const llm of llmFamilies(checks.map(({ view }) => view))) {
    family(out, llm.name, "gauge", llm.help, llm.samples);
  }
  family(out, "vitals_evaluations_total", "counter", "Times new results were published.", [
    [{}, health.evaluations],
  ]);
  family(
    out,
    "vitals_check_runs_total",
    "counter",
    "Check runs by result.",
    entries.flatMap(({ check, state: { runs } }) => [
      [{ check: check.name, result: "up" }, runs.UP],
      [{ check: check.name, result: "warn" }, runs.WARN],
      [{ check: check.name, result: "down" }, runs.DOWN],
    ]),
  );
  family(
    out,
    "vitals_http_requests_total",
    "counter",
    "Answered HTTP requests by route and status code.",
    requests.entries().map(([path, code, count]) => [{ path, code }, count]),
  );
  family(
    out,
    "vitals_internal_errors_total",
    "counter",
    "Uncaught errors (a throw in a callback, an unhandled rejection) that vitals survived.",
    [[{}, internalErrors?.count ?? 0]],
  );
  for (const tls of tlsFamilies(tlsPorts)) family(out, tls.name, tls.type, tls.help, tls.samples);
  family(out, "vitals_info", "gauge", "The vitals version and runtime.", [
    [{ version: VERSION, runtime }, 1],
  ]);
  family(out, "vitals_start_time_seconds", "gauge", "When vitals started (Unix time).", [
    [{}, startedAt / 1000],
  ]);
  return `${out.join("\n")}\n`;
}
