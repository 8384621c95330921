/**
 * Turns the newest check results into the status of one scope: every check
 * (`/health`) or one probe group (`/health/live`, `/health/ready`,
 * `/health/started`).
 *
 * A pure function of its inputs. The rules, in order:
 * - readiness is DOWN while vitals shuts down (`"shutting down"`);
 * - a scope the maintenance switch names is DOWN (`"maintenance: <reason>"`
 *   first), whatever its checks say; every scope carries the switch's state;
 * - startup stays UP once every critical `started` check has been UP (a
 *   startup probe is answered once);
 * - otherwise a scope is DOWN iff one of its critical checks is counted DOWN,
 *   or, except for liveness, has no result yet. A WARN check never makes a
 *   scope DOWN; it is listed in `details` as `"<name> (WARN): <message>"`;
 * - a check that judges each group apart (`byGroup`, only `llm`) counts in a
 *   group scope with that group's counted verdict (`check_state.ts` keeps
 *   them in step with the thresholds); the `all` scope takes the check's
 *   counted status, the worst of its groups'.
 *
 * @module
 */

import type { Check } from "../checks/check.ts";
import type { CheckView, Group, HealthStatus, MaintenanceInfo, Scope } from "../types.ts";
import type { CheckState } from "./check_state.ts";

/** What a summary reads of a check and its state (a `CheckEntry` has it). */
type Summarized = {
  readonly check: Pick<Check, "name" | "critical" | "groups">;
  readonly state: Pick<CheckState, "view">;
};

/** vitals' own state that changes a summary. */
export interface SummaryFlags {
  readonly draining: boolean;
  readonly startedLatched: boolean;
  /** Set while the newest config file could not be loaded (non-critical). */
  readonly configProblem: string | undefined;
  /** Set while the maintenance switch is on. */
  readonly maintenance?: MaintenanceInfo | undefined;
}

/** `status` as the maintenance switch leaves it: DOWN with the reason first in a scope it names. */
function withMaintenance(status: HealthStatus, scope: Scope, flags: SummaryFlags): HealthStatus {
  const maintenance = flags.maintenance;
  if (maintenance === undefined) return status;
  if (!maintenance.groups.includes(scope)) return { ...status, maintenance };
  const details = [`maintenance: ${maintenance.reason}`, ...status.details];
  return { ...status, status: "DOWN", details, maintenance };
}

/**
 * A scope's status before any result exists: liveness is UP (not known to be
 * broken), and so is a startup group that has nothing to wait for; the rest are DOWN.
 */
export function noResult(
  scope: Scope,
  flags: SummaryFlags,
  computedAt: number,
  timestamp: string,
): HealthStatus {
  const details = scope === "ready" && flags.draining
    ? ["shutting down", "no result yet"]
    : ["no result yet"];
  if (flags.configProblem !== undefined) details.push(`config: ${flags.configProblem}`);
  const up = scope === "live" || (scope === "started" && flags.startedLatched);
  const status = up ? "UP" : "DOWN";
  return withMaintenance({ status, timestamp, details, checks: [], computedAt }, scope, flags);
}

function detail(name: string, view: CheckView): string {
  if (view.lastOutcome !== "DOWN") {
    // Counted DOWN although the last run worked: waiting for successThreshold.
    return `${name}: still counted DOWN after ${view.consecutiveSuccesses} ` +
      `${view.lastOutcome} result${view.consecutiveSuccesses === 1 ? "" : "s"}: ${view.message}`;
  }
  return `${name}: ${view.message}`;
}

/**
 * A check's view as one group sees it: with `byGroup`, that group's counted
 * verdict, with its message and as its last outcome, unless a threshold holds
 * the counted status (then the newest run's message and outcome, as for any
 * check); otherwise the view itself.
 */
export function inGroup(view: CheckView, group: Group): CheckView {
  const verdict = view.byGroup?.[group];
  if (verdict === undefined) return view;
  if (view.status !== view.lastOutcome) return { ...view, status: verdict.status };
  if (verdict.status === view.status && verdict.message === view.message) return view;
  // Not held: the group's verdict is also its last outcome.
  return { ...view, status: verdict.status, lastOutcome: verdict.status, message: verdict.message };
}

/**
 * The status of `scope` over `entries`: checks with their states.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarize } from "./summary.ts";
 * const flags = { draining: false, startedLatched: false, configProblem: undefined };
 * const db = { name: "db", critical: true, groups: ["ready" as const] };
 * const entries = [{ check: db, state: { view: undefined } }];
 * const status = summarize(entries, "ready", flags, 0, new Date().toISOString());
 * assert(status.status === "DOWN" && status.details[0] === "db: no result yet");
 * ```
 */
export function summarize(
  entries: readonly Summarized[],
  scope: Scope,
  flags: SummaryFlags,
  computedAt: number,
  timestamp: string,
): HealthStatus {
  const details: string[] = [];
  const checks: CheckView[] = [];
  let down = false;
  for (const { check, state: { view } } of entries) {
    if (scope !== "all" && !check.groups.includes(scope)) continue;
    if (!view) {
      details.push(`${check.name}: no result yet`);
      if (check.critical && scope !== "live") down = true;
      continue;
    }
    const seen = scope === "all" ? view : inGroup(view, scope);
    checks.push(seen);
    if (seen.status === "DOWN") {
      details.push(detail(check.name, seen));
      if (check.critical) down = true;
    } else if (seen.status === "WARN") {
      details.push(`${check.name} (WARN): ${seen.message}`);
    }
  }
  if (flags.configProblem !== undefined) details.push(`config: ${flags.configProblem}`);
  if (scope === "ready" && flags.draining) {
    const status = "DOWN";
    return withMaintenance(
      { status, timestamp, details: ["shutting down", ...details], checks, computedAt },
      scope,
      flags,
    );
  }
  if (scope === "started" && flags.startedLatched) down = false;
  const status = down ? "DOWN" : "UP";
  return withMaintenance({ status, timestamp, details, checks, computedAt }, scope, flags);
}
