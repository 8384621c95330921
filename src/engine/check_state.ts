/**
 * What vitals remembers about one check between runs, and the pure rule that
 * turns one more result into the next state: the last raw result, the
 * kubelet-style consecutive counters, and the damped status they produce.
 *
 * A check's first result counts at once. After that, the counted status turns
 * DOWN only after `failureThreshold` consecutive DOWN results and back UP only
 * after `successThreshold` consecutive UP results, so one lost packet does not
 * flip a probe.
 *
 * @module
 */

import type { CheckResult, CheckView, Status } from "../types.ts";

/** How many results in a row change a check's counted status. */
export interface Thresholds {
  readonly failureThreshold: number;
  readonly successThreshold: number;
}

/** One check's state; replaced, never mutated. */
export interface CheckState {
  /** The newest result with its counters; `undefined` before the first run ends. */
  readonly view: CheckView | undefined;
  /** Whether the counted status has been UP at least once (for the startup latch). */
  readonly everUp: boolean;
  /** Runs that ended UP and DOWN, for metrics. */
  readonly runs: { readonly UP: number; readonly DOWN: number };
  /** Wall-clock time (epoch ms) of the last UP run; 0 before the first. */
  readonly lastSuccessAt: number;
  /** Monotonic time the last run ended; decides when the check is due again. */
  readonly finishedAt: number;
}

/** The state of a check that has never run. */
export const INITIAL_STATE: CheckState = Object.freeze({
  view: undefined,
  everUp: false,
  runs: Object.freeze({ UP: 0, DOWN: 0 }),
  lastSuccessAt: 0,
  finishedAt: Number.NEGATIVE_INFINITY,
});

/**
 * The state after one more result, which ended at monotonic time `finishedAt`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { INITIAL_STATE, recordResult } from "./check_state.ts";
 * const result = { name: "db", type: "tcp", critical: true, durationMs: 1, checkedAt: new Date().toISOString() };
 * const thresholds = { failureThreshold: 3, successThreshold: 1 };
 * const up = recordResult(INITIAL_STATE, { ...result, status: "UP", message: "ok" }, thresholds, 1);
 * const once = recordResult(up, { ...result, status: "DOWN", message: "refused" }, thresholds, 2);
 * assert(once.view?.status === "UP" && once.view.lastOutcome === "DOWN"); // 1 of 3 failures
 * ```
 */
export function recordResult(
  state: CheckState,
  result: CheckResult,
  thresholds: Thresholds,
  finishedAt: number,
): CheckState {
  const raw = result.status;
  const failures = raw === "UP" ? 0 : (state.view?.consecutiveFailures ?? 0) + 1;
  const successes = raw === "UP" ? (state.view?.consecutiveSuccesses ?? 0) + 1 : 0;
  const previous = state.view?.status;
  let status: Status = raw;
  if (previous !== undefined && previous !== raw) {
    const needed = raw === "UP" ? thresholds.successThreshold : thresholds.failureThreshold;
    if ((raw === "UP" ? successes : failures) < needed) status = previous;
  }
  return {
    view: {
      ...result,
      status,
      lastOutcome: raw,
      consecutiveFailures: failures,
      consecutiveSuccesses: successes,
    },
    everUp: state.everUp || status === "UP",
    runs: raw === "UP"
      ? { UP: state.runs.UP + 1, DOWN: state.runs.DOWN }
      : { UP: state.runs.UP, DOWN: state.runs.DOWN + 1 },
    lastSuccessAt: raw === "UP" ? Date.parse(result.checkedAt) : state.lastSuccessAt,
    finishedAt,
  };
}
