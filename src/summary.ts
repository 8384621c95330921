/**
 * Turns the newest check results into the status of one scope: every check
 * (`/health`) or one probe group (`/health/live`, `/health/ready`,
 * `/health/started`).
 *
 * The rules, in order:
 * - readiness is DOWN while vitals shuts down (`"shutting down"`);
 * - startup stays UP once every critical `started` check has been UP (a
 *   startup probe is answered once);
 * - otherwise a scope is DOWN iff one of its critical checks is counted DOWN,
 *   or, except for liveness, has no result yet.
 *
 * @module
 */

import type { CheckView } from "./check_state.ts";
import type { Status } from "./checks/types.ts";
import type { Group } from "./config/schema.ts";

/** What a status covers: every check, or one probe group. */
export type Scope = "all" | Group;

/** A served status: one scope's aggregate over the newest results. */
export interface HealthStatus {
  readonly status: Status;
  /** When the results were published (ISO-8601, UTC); shows a cached answer's age. */
  readonly timestamp: string;
  /** Why things are DOWN: `"<name>: <message>"` per DOWN check, and vitals' own notes. */
  readonly details: readonly string[];
  readonly checks: readonly CheckView[];
  /** Monotonic time the results were published; for expiry, not for display. */
  readonly computedAt: number;
  /** Set when a request stopped waiting for a running evaluation (`server.maxWait`). */
  readonly stale?: true;
  /** With `stale`: how old the results are, in milliseconds. */
  readonly ageMs?: number;
}

/** One check as the summary sees it: its identity and its newest view, if any. */
export interface Member {
  readonly name: string;
  readonly critical: boolean;
  readonly groups: readonly Group[];
  readonly view: CheckView | undefined;
}

/** vitals' own state that changes a summary. */
export interface SummaryFlags {
  readonly draining: boolean;
  readonly startedLatched: boolean;
  /** Set while the newest config file could not be loaded (non-critical). */
  readonly configProblem: string | undefined;
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
  return { status: up ? "UP" : "DOWN", timestamp, details, checks: [], computedAt };
}

function detail(member: Member, view: CheckView): string {
  if (view.lastOutcome === "UP") {
    // Counted DOWN although the last run was UP: waiting for successThreshold.
    return `${member.name}: still counted DOWN after ${view.consecutiveSuccesses} UP ` +
      `result${view.consecutiveSuccesses === 1 ? "" : "s"}: ${view.message}`;
  }
  return `${member.name}: ${view.message}`;
}

/**
 * The status of `scope` over `members`.
 *
 * @example
 * ```ts
 * summarize(members, "ready", flags, performance.now(), new Date().toISOString()).status;
 * ```
 */
export function summarize(
  members: readonly Member[],
  scope: Scope,
  flags: SummaryFlags,
  computedAt: number,
  timestamp: string,
): HealthStatus {
  const inScope = scope === "all"
    ? members
    : members.filter((member) => member.groups.includes(scope));
  const details: string[] = [];
  const checks: CheckView[] = [];
  let down = false;
  for (const member of inScope) {
    const view = member.view;
    if (!view) {
      details.push(`${member.name}: no result yet`);
      if (member.critical && scope !== "live") down = true;
      continue;
    }
    checks.push(view);
    if (view.status === "DOWN") {
      details.push(detail(member, view));
      if (member.critical) down = true;
    }
  }
  if (flags.configProblem !== undefined) details.push(`config: ${flags.configProblem}`);
  if (scope === "ready" && flags.draining) {
    return {
      status: "DOWN",
      timestamp,
      details: ["shutting down", ...details],
      checks,
      computedAt,
    };
  }
  if (scope === "started" && flags.startedLatched) down = false;
  return { status: down ? "DOWN" : "UP", timestamp, details, checks, computedAt };
}
