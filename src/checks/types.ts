/**
 * What every check produces, and the shape of a check kind's probe.
 *
 * @module
 */

import type { Group } from "../config/schema.ts";

/** UP or DOWN, as Kitura's Health reports it. */
export type Status = "UP" | "DOWN";

/** The outcome of one run of one check. */
export interface CheckResult {
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
}

/** What a probe saw, before the runner adds name, timing and criticality. */
export interface Outcome {
  readonly status: Status;
  readonly message: string;
}

/**
 * One kind's work: look at the target once. Must stop promptly when `signal`
 * aborts. Throwing is allowed; the runner turns it into a DOWN result.
 */
export type Probe = (signal: AbortSignal) => Promise<Outcome>;

/** A configured check, ready to run. */
export interface Check {
  readonly name: string;
  readonly type: string;
  readonly critical: boolean;
  /** Enforced limit for one run, in milliseconds. */
  readonly timeout: number;
  /** Probe groups the check belongs to (default `["ready"]`). */
  readonly groups?: readonly Group[];
  /** Background mode: how often to re-run, in ms (default: the cache ttl). */
  readonly interval?: number;
  /** Consecutive DOWN runs before the check counts as DOWN (default 1). */
  readonly failureThreshold?: number;
  /** Consecutive UP runs before a DOWN check counts as UP again (default 1). */
  readonly successThreshold?: number;
  /** Identity of the check's definition: a reload keeps the state of checks whose key is unchanged. */
  readonly key?: string;
  /** Runs once; never rejects. Aborting `signal` cancels the run (DOWN, "cancelled"). */
  run(signal?: AbortSignal): Promise<CheckResult>;
}

/** Shorthand for an UP outcome. */
export const up = (message: string): Outcome => ({ status: "UP", message });
/** Shorthand for a DOWN outcome. */
export const down = (message: string): Outcome => ({ status: "DOWN", message });
