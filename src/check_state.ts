/**
 * What vitals remembers about one check between runs: the last raw result, the
 * kubelet-style consecutive counters, and the damped status they produce.
 *
 * A check's first result counts at once. After that, the counted status turns
 * DOWN only after `failureThreshold` consecutive DOWN results and back UP only
 * after `successThreshold` consecutive UP results, so one lost packet does not
 * flip a probe.
 *
 * @module
 */

import type { CheckResult, Status } from "./checks/types.ts";

/** A check's result as served: the counted status plus the raw outcome behind it. */
export interface CheckView extends CheckResult {
  /** The raw status of the last run; differs from `status` while a change is damped. */
  readonly lastOutcome: Status;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
}

/** Thresholds for {@link CheckState}. */
export interface Thresholds {
  readonly failureThreshold: number;
  readonly successThreshold: number;
}

/**
 * The running state of one check.
 *
 * @example
 * ```ts
 * const state = new CheckState({ failureThreshold: 3, successThreshold: 1 });
 * state.record(upResult);   // counted UP
 * state.record(downResult); // still counted UP: 1 of 3 failures
 * state.view?.lastOutcome;  // "DOWN"
 * ```
 */
export class CheckState {
  #view: CheckView | undefined;
  #thresholds: Thresholds;
  #failures = 0;
  #successes = 0;
  #everUp = false;
  /** Runs that ended UP and DOWN, for metrics. */
  readonly runs = { UP: 0, DOWN: 0 };
  /** Wall-clock time (epoch ms) of the last UP run; 0 before the first. */
  lastSuccessAt = 0;
  /** Monotonic time the last run ended; decides when the check is due again. */
  finishedAt = Number.NEGATIVE_INFINITY;
  /** The run in progress, so a check never runs twice at once. */
  running: Promise<CheckView> | undefined;

  constructor(thresholds: Thresholds) {
    this.#thresholds = thresholds;
  }

  /** The newest result with its counters; `undefined` before the first run ends. */
  get view(): CheckView | undefined {
    return this.#view;
  }

  /** Whether the counted status has been UP at least once (for the startup latch). */
  get everUp(): boolean {
    return this.#everUp;
  }

  /** Applies new thresholds (after a reload); the counters are kept. */
  set thresholds(thresholds: Thresholds) {
    this.#thresholds = thresholds;
  }

  /** Counts one run's result and returns the view it produces. */
  record(result: CheckResult): CheckView {
    const raw = result.status;
    this.runs[raw]++;
    if (raw === "UP") {
      this.#successes++;
      this.#failures = 0;
      this.lastSuccessAt = Date.parse(result.checkedAt);
    } else {
      this.#failures++;
      this.#successes = 0;
    }
    const previous = this.#view?.status;
    let status: Status = raw;
    if (previous !== undefined && previous !== raw) {
      const needed = raw === "UP"
        ? this.#thresholds.successThreshold
        : this.#thresholds.failureThreshold;
      const streak = raw === "UP" ? this.#successes : this.#failures;
      if (streak < needed) status = previous;
    }
    if (status === "UP") this.#everUp = true;
    this.#view = {
      ...result,
      status,
      lastOutcome: raw,
      consecutiveFailures: this.#failures,
      consecutiveSuccesses: this.#successes,
    };
    return this.#view;
  }
}
