/**
 * The `/health/history` body, which the status page polls: this vitals'
 * name, the overall and per-group statuses, and, when details are shown,
 * every check with its thresholds, counters and recent history (see
 * engine/history.ts).
 *
 * Without details (a details token is set and was not presented) the body
 * holds only the name, the statuses and `"restricted": true`: no check names,
 * messages or history, just as the other routes show only `{"status":...}`.
 * `maintenance` is there while the maintenance switch is on, for the page's
 * banner: its scopes and start, and its reason only with details.
 *
 * @module
 */

import type { CheckEntry } from "../engine/check_registry.ts";
import type { Health } from "../engine/health.ts";
import type { CheckHistory } from "../engine/history.ts";
import { GROUPS, type HealthStatus, type ScopeStatus } from "../types.ts";

/** How often the page polls, in ms: the shortest check interval, within these bounds. */
export const REFRESH_BOUNDS = { min: 1_000, max: 10_000 } as const;

const iso = (ms: number) => new Date(ms).toISOString();

/** One check's entry: what `/health` shows of it, plus its settings and history. */
function checkEntry({ check, state }: CheckEntry, history: CheckHistory | undefined, ttl: number) {
  const view = state.view;
  const lastChange = history?.lastChangeAt;
  return {
    name: check.name,
    type: check.type,
    critical: check.critical,
    groups: check.groups,
    status: view?.status ?? null,
    lastOutcome: view?.lastOutcome ?? null,
    message: view?.message ?? "not run yet",
    durationMs: view?.durationMs ?? null,
    checkedAt: view?.checkedAt ?? null,
    consecutiveFailures: view?.consecutiveFailures ?? 0,
    consecutiveSuccesses: view?.consecutiveSuccesses ?? 0,
    failureThreshold: check.failureThreshold,
    successThreshold: check.successThreshold,
    intervalMs: check.interval ?? ttl,
    timeoutMs: check.timeout,
    runs: state.runs,
    lastChange: lastChange === undefined ? null : iso(lastChange),
    results: (history?.results() ?? []).map((result) => ({ ...result, at: iso(result.at) })),
    changes: (history?.changes() ?? []).map((change) => ({ ...change, at: iso(change.at) })),
  };
}

/**
 * Renders the body: the status of every check (evaluating as `/health` would
 * when the cache is cold) and of each group over the same results, and the
 * checks when `details`.
 * `now` is the wall clock, read once the statuses are known; `name` heads the body.
 */
export async function historyBody(
  health: Health,
  details: boolean,
  now: () => Date,
  name: string,
): Promise<string> {
  const all: HealthStatus = health.peek("all") ?? await health.status("all");
  const groups: Record<string, ScopeStatus> = {};
  // From the same results as `all`: asking each group anew could run the checks again.
  for (const group of GROUPS) groups[group] = health.published(group).status;
  const ttl = health.settings.ttl;
  const entries = health.checks;
  const intervals = entries.map(({ check }) => check.interval ?? ttl);
  const shortest = Math.min(REFRESH_BOUNDS.max, ...intervals);
  const refreshMs = Math.max(REFRESH_BOUNDS.min, Math.round(shortest));
  const on = health.maintenance.info;
  const maintenance = on && !details ? { since: on.since, groups: on.groups } : on;
  const head = {
    name,
    status: all.status,
    timestamp: all.timestamp,
    now: now().toISOString(),
    refreshMs,
    ...(maintenance ? { maintenance } : {}),
  };
  if (!details) return JSON.stringify({ ...head, groups, restricted: true });
  return JSON.stringify({
    ...head,
    groups,
    details: all.details,
    checks: entries.map((entry) => checkEntry(entry, health.historyOf(entry.check), ttl)),
  });
}
