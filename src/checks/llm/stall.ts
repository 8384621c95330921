/**
 * The stall watchdog of the `llm` kind as a pure state machine: each run feeds
 * it one metrics reading (requests waiting W, running R, progress counter P) or
 * a failed scrape, with the clock's reading; it returns the next state and, once
 * requests have sat for `stallAfter` with no progress, a failing `stall` verdict.
 * No I/O and no clock of its own: the caller scrapes (`stall_metrics.ts`) and
 * passes `clock.now()`.
 *
 * Rules: progress (P moved, including a counter reset, P below the last
 * value) stops the clock; requests present with no progress start it (at the
 * first such scrape, not at the last token: the server may have been idle for
 * hours before they came); nothing present stops it. A failed or timed-out
 * scrape keeps the clock running (or starts it) only when the previous good
 * scrape saw requests: llama.cpp's `/metrics` hangs while its task loop is
 * blocked. A failed scrape alone never starts a clock.
 *
 * @module
 */

import { formatDuration } from "../../config/duration.ts";

/** One scrape: the summed figures, or why it failed (refused, timed out, no such metric). */
export type StallScrape =
  | {
    readonly ok: true;
    readonly waiting: number;
    readonly running: number;
    readonly progress: number;
  }
  | { readonly ok: false; readonly reason: string };

/** What the watchdog carries from one run to the next. */
export interface StallState {
  /** P at the last good scrape; `undefined` before the first. */
  readonly lastP: number | undefined;
  /** Clock reading when the stall clock started; `undefined` when it is not running. */
  readonly stallSince: number | undefined;
  /** Whether the last good scrape saw requests waiting or running. */
  readonly lastPresent: boolean;
  /** W and R of the last good scrape, for the message. */
  readonly lastWaiting: number;
  readonly lastRunning: number;
}

/** The state before the first scrape. */
export const INITIAL_STALL_STATE: StallState = {
  lastP: undefined,
  stallSince: undefined,
  lastPresent: false,
  lastWaiting: 0,
  lastRunning: 0,
};

/** The watchdog's settings. */
export interface StallOptions {
  /** How long requests may sit with no progress before the verdict is `stall` (ms). */
  readonly stallAfter: number;
  /** Added to the message, e.g. that the counter moves only when a request ends. */
  readonly note?: string;
}

/** What one step decided. */
export interface StallStep {
  readonly state: StallState;
  /** Age of the running stall clock in ms; `undefined` when it is not running. */
  readonly clockMs: number | undefined;
  /** Set once the clock has run for `stallAfter`: the check fails with cause `stall`. */
  readonly failing?: { readonly cause: "stall"; readonly message: string };
}

/**
 * One watchdog step: the state after `scrape` seen at clock reading `now` (ms,
 * monotonic), and the verdict.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { INITIAL_STALL_STATE, stallStep } from "./stall.ts";
 * const options = { stallAfter: 120_000 };
 * const wedged = { ok: true, waiting: 3, running: 0, progress: 42 } as const;
 * let step = stallStep(INITIAL_STALL_STATE, wedged, 0, options);
 * assert.equal(step.failing, undefined);
 * step = stallStep(step.state, wedged, 120_000, options);
 * assert.equal(step.failing?.message, "stalled: 3 requests waiting, 0 running, no token generated for 2m");
 * ```
 */
export function stallStep(
  state: StallState,
  scrape: StallScrape,
  now: number,
  options: StallOptions,
): StallStep {
  let next: StallState;
  if (scrape.ok) {
    const { waiting, running, progress } = scrape;
    const present = waiting + running > 0;
    const moved = state.lastP !== undefined && progress !== state.lastP;
    const stallSince = moved || !present ? undefined : state.stallSince ?? now;
    next = {
      lastP: progress,
      stallSince,
      lastPresent: present,
      lastWaiting: waiting,
      lastRunning: running,
    };
  } else if (state.lastPresent) {
    next = { ...state, stallSince: state.stallSince ?? now };
  } else {
    return { state, clockMs: undefined };
  }
  if (next.stallSince === undefined) return { state: next, clockMs: undefined };
  const clockMs = Math.max(0, now - next.stallSince);
  if (clockMs < options.stallAfter) return { state: next, clockMs };
  return {
    state: next,
    clockMs,
    failing: { cause: "stall", message: message(next, clockMs, scrape, options) },
  };
}

function message(
  state: StallState,
  clockMs: number,
  scrape: StallScrape,
  options: StallOptions,
): string {
  const requests = state.lastWaiting === 1 ? "request" : "requests";
  const since = scrape.ok
    ? ""
    : ` (metrics not read: ${scrape.reason}; figures from the last good scrape)`;
  const note = options.note ? `; ${options.note}` : "";
  return `stalled: ${state.lastWaiting} ${requests} waiting, ${state.lastRunning} running, ` +
    `no token generated for ${formatDuration(clockMs)}${since}${note}`;
}

/**
 * The watchdog with its state kept: one per check, fed once per run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StallWatchdog } from "./stall.ts";
 * const watchdog = new StallWatchdog({ stallAfter: 60_000 });
 * watchdog.observe({ ok: true, waiting: 1, running: 0, progress: 5 }, 0);
 * assert.equal(watchdog.observe({ ok: false, reason: "timed out" }, 30_000).clockMs, 30_000);
 * ```
 */
export class StallWatchdog {
  #state: StallState = INITIAL_STALL_STATE;
  readonly #options: StallOptions;

  constructor(options: StallOptions) {
    this.#options = options;
  }

  /** The state as of the last observation. */
  get state(): StallState {
    return this.#state;
  }

  /** Feeds one scrape seen at clock reading `now` and returns the step's verdict. */
  observe(scrape: StallScrape, now: number): StallStep {
    const step = stallStep(this.#state, scrape, now, this.#options);
    this.#state = step.state;
    return step;
  }
}
