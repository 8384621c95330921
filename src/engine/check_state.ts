/**
 * What vitals remembers about one check between runs, and the pure rule that
 * turns one more result into the next state: the last raw result, the
 * kubelet-style consecutive counters, and the damped status they produce.
 *
 * A check's first result counts at once. After that, the counted status turns
 * DOWN only after `failureThreshold` consecutive DOWN results and back up only
 * after `successThreshold` consecutive results that are not DOWN, so one lost
 * packet does not flip a probe. WARN is a working result: it counts as a
 * success against the thresholds, and a check that counts as working shows
 * its newest working status, UP or WARN, at once.
 *
 * A result with a verdict per group (`byGroup`, only `llm`) has the worst of
 * them as its status, and the thresholds count that status. While they hold
 * the counted status apart from the newest result's, the state keeps the
 * group verdicts of the last result that counted, so every group stays where
 * the counted status says; once a result counts, its group verdicts count with it.
 *
 * @module
 */

import type { CheckView, RunResult, Status } from "../types.ts";

/** How many results in a row change a check's counted status. */
export interface Thresholds {
  readonly failureThreshold: number;
  readonly successThreshold: number;
}

/** One check's state; replaced, never mutated. */
export interface CheckState {
  /** The newest result with its counters; `undefined` before the first run ends. */
  readonly view: CheckView | undefined;
  /** Whether the counted status has been UP or WARN at least once (for the startup latch). */
  readonly everUp: boolean;
  /** Runs that ended UP, WARN and DOWN, for metrics. */
  readonly runs: Readonly<Record<Status, number>>;
  /** Wall-clock time (epoch ms) of the last run that was not DOWN; 0 before the first. */
  readonly lastSuccessAt: number;
  /** Monotonic time the last run ended; decides when the check is due again. */
  readonly finishedAt: number;
}

/** The state of a check that has never run. */
export const INITIAL_STATE: CheckState = Object.freeze({
  view: undefined,
  everUp: false,
  runs: Object.freeze({ UP: 0, WARN: 0, DOWN: 0 }),
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
  result: RunResult,
  thresholds: Thresholds,
  finishedAt: number,
): CheckState {
  const raw = result.status;
  const failed = raw === "DOWN";
  const failures = failed ? (state.view?.consecutiveFailures ?? 0) + 1 : 0;
  const successes = failed ? 0 : (state.view?.consecutiveSuccesses ?? 0) + 1;
  const previous = state.view?.status;
  let status: Status = raw;
  if (previous !== undefined && (previous === "DOWN") !== failed) {
    // Crossing between working (UP, WARN) and DOWN is damped by the thresholds.
    const needed = failed ? thresholds.failureThreshold : thresholds.successThreshold;
    if ((failed ? failures : successes) < needed) status = previous;
  }
  // Held by a threshold: the groups keep the verdicts of the result that counted last.
  const held = status !== raw && result.byGroup !== undefined;
  const { byGroup: _newest, ...rest } = result;
  const byGroup = held ? state.view?.byGroup : result.byGroup;
  return {
    view: {
      ...(held ? rest : result),
      ...(held && byGroup !== undefined ? { byGroup } : {}),
      status,
      lastOutcome: raw,
      consecutiveFailures: failures,
      consecutiveSuccesses: successes,
    },
    everUp: state.everUp || status !== "DOWN",
    runs: { ...state.runs, [raw]: state.runs[raw] + 1 },
    lastSuccessAt: failed ? state.lastSuccessAt : Date.parse(result.checkedAt),
    finishedAt,
  };
}
