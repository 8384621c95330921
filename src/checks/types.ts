/**
 * What every check produces, and the shape of a check kind's probe.
 *
 * @module
 */

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
  /** Runs once; never rejects. Aborting `signal` cancels the run (DOWN, "cancelled"). */
  run(signal?: AbortSignal): Promise<CheckResult>;
}

/** Shorthand for an UP outcome. */
export const up = (message: string): Outcome => ({ status: "UP", message });
/** Shorthand for a DOWN outcome. */
export const down = (message: string): Outcome => ({ status: "DOWN", message });
