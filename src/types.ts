/**
 * The vocabulary every part of vitals shares: statuses, probe groups and
 * scopes, one run's result, a check's served view, and a scope's status.
 * Types only (and the list of groups), so any module may import it.
 *
 * @module
 */

/**
 * A check's status: UP, WARN (works, but needs attention: never makes a
 * status DOWN) or DOWN.
 */
export type Status = "UP" | "WARN" | "DOWN";

/** A scope's status, what the status code says: 200 when UP, 503 when DOWN. */
export type ScopeStatus = "UP" | "DOWN";

/** The probe groups a check can belong to, one per Kubernetes probe. */
export const GROUPS = ["live", "ready", "started"] as const;

/** A probe group: `/health/live`, `/health/ready` or `/health/started`. */
export type Group = typeof GROUPS[number];

/** What a status covers: every check, or one probe group. */
export type Scope = "all" | Group;

/** The result of one run of a check. */
export interface RunResult {
  readonly name: string;
  readonly type: string;
  readonly status: Status;
  /** Whether a DOWN result makes the whole status DOWN. */
  readonly critical: boolean;
  /** How long the run took, in milliseconds (monotonic clock, one decimal). */
  readonly durationMs: number;
  /** What was seen: `HTTP 200`, `exit code 1: ...`, `timed out after 2000 ms`. */
  readonly message: string;
  /** When the result became known (ISO-8601, UTC). */
  readonly checkedAt: string;
  /** Performance data a Nagios plugin printed (`command` with `nagios: true`), at most 32. */
  readonly perfdata?: readonly Perfdata[];
  /**
   * A verdict per probe group, for a check that judges each group apart (only `llm`);
   * `status` is then the worst of them. Unset: `status` counts in every group.
   */
  readonly byGroup?: Readonly<Partial<Record<Group, GroupVerdict>>>;
  /** What an `llm` check's run found of its server (only `llm`), for `/metrics`. */
  readonly llm?: LlmFigures;
}

/** An `llm` check run's figures (see {@link RunResult.llm}). */
export interface LlmFigures {
  /** The configured `server` kind. */
  readonly server: string;
  /** The model the server was last seen serving; unset until then. */
  readonly model?: string;
  /** The phase this run found. */
  readonly phase: "loading" | "serving" | "idle" | "failing";
  /** Time to the first token of the last deep probe that measured one, in seconds. */
  readonly firstTokenSeconds?: number;
  /** How long the stall clock has run, in seconds (0 when not); unset without a watchdog. */
  readonly stallSeconds?: number;
}

/** One probe group's verdict of a run (see {@link RunResult.byGroup}). */
export interface GroupVerdict {
  readonly status: Status;
  readonly message: string;
}

/** The unit of a {@link Perfdata} value, after converting to base units; `""`: none. */
export type PerfdataUnit = "" | "seconds" | "bytes" | "percent" | "counter";

/** One value of a Nagios plugin's performance data, in base units (seconds, bytes). */
export interface Perfdata {
  /** The plugin's label, unquoted, without control characters, at most 64 characters. */
  readonly label: string;
  /** A finite number. */
  readonly value: number;
  readonly unit: PerfdataUnit;
}

/** A check's result as served: the counted status plus the raw outcome behind it. */
export interface CheckView extends RunResult {
  /** The raw status of the last run; differs from `status` while a change is damped. */
  readonly lastOutcome: Status;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
}

/** A served status: one scope's aggregate over the newest results. */
export interface HealthStatus {
  readonly status: ScopeStatus;
  /** When the results were published (ISO-8601, UTC); shows a cached answer's age. */
  readonly timestamp: string;
  /**
   * Why things are DOWN or need attention: `"<name>: <message>"` per DOWN
   * check, `"<name> (WARN): <message>"` per WARN check, and vitals' own notes.
   */
  readonly details: readonly string[];
  readonly checks: readonly CheckView[];
  /** Monotonic time the results were published; for expiry, not for display. */
  readonly computedAt: number;
  /** Set when a request stopped waiting for a running evaluation (`server.maxWait`). */
  readonly stale?: true;
  /** With `stale`: how old the results are, in milliseconds. */
  readonly ageMs?: number;
  /** Set while the maintenance switch is on (engine/maintenance.ts), in every scope. */
  readonly maintenance?: MaintenanceInfo;
}

/** The maintenance switch while on: why, since when (ISO-8601) and the scopes it takes down. */
export interface MaintenanceInfo {
  readonly reason: string;
  readonly since: string;
  readonly groups: readonly Scope[];
}
