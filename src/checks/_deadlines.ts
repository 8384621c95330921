/**
 * Many timeouts on one timer. Every check run needs a timeout, and most runs
 * end long before it. Arming and clearing a runtime timer per run costs about
 * 20 µs of event-loop work on Deno next to a 50 µs TCP connect, so runs share
 * one timer armed for the earliest deadline (BENCHMARKS.md: "Cost of a
 * check"). A cancelled deadline costs only a set deletion: the timer may
 * still fire once, find nothing due and re-arm for the next deadline, if any.
 *
 * Deadlines read and wait on a {@link Clock}: the system clock in vitals, a
 * manual one in tests, which moves them without sleeping. One set is shared
 * per clock ({@link deadlinesOn}).
 *
 * The timer is not cleared when the last deadline is cancelled (that is the
 * saving), so it may stay armed up to the longest timeout after the last run.
 * The server does not notice; a script that runs checks should exit explicitly.
 *
 * The timer's callback never throws: a callback that fails is reported (to
 * standard error by default) and the others still fire.
 *
 * @module
 */

import { reportCallbackError } from "../callback_error.ts";
import { type Clock, systemClock } from "../clock.ts";

/** A timer that fires early by under this much is on time (delays are rounded). */
const SLACK_MS = 1;

interface Deadline {
  readonly at: number;
  readonly fire: () => void;
}

/**
 * A set of pending deadlines served by one timer.
 *
 * @example
 * ```ts
 * import { Deadlines } from "./_deadlines.ts";
 * const deadlines = new Deadlines(); // on the system clock
 * const cancel = deadlines.after(60_000, () => console.log("never: cancelled first"));
 * cancel(); // the work ended first: the callback never runs
 * const controller = new AbortController();
 * deadlines.after(10, () => controller.abort());
 * await new Promise((resolve) => controller.signal.addEventListener("abort", resolve));
 * ```
 */
export class Deadlines {
  readonly #pending = new Set<Deadline>();
  readonly #clock: Clock;
  readonly #report: (error: unknown) => void;
  #cancelTimer: (() => void) | undefined;
  #armedFor = Number.POSITIVE_INFINITY;

  /** `report` takes what a callback throws (by default, a line on standard error). */
  constructor(
    clock: Clock = systemClock,
    report: (error: unknown) => void = (error) =>
      reportCallbackError("A check's deadline failed", error),
  ) {
    this.#clock = clock;
    this.#report = report;
  }

  /** How many deadlines are pending. */
  get size(): number {
    return this.#pending.size;
  }

  /** Calls `fire` once, `ms` from now, unless the returned function is called first. */
  after(ms: number, fire: () => void): () => void {
    const deadline: Deadline = { at: this.#clock.now() + Math.max(0, ms), fire };
    this.#pending.add(deadline);
    if (deadline.at < this.#armedFor) this.#arm(deadline.at);
    return () => {
      this.#pending.delete(deadline);
    };
  }

  #arm(at: number): void {
    this.#cancelTimer?.();
    this.#armedFor = at;
    this.#cancelTimer = this.#clock.setTimer(at - this.#clock.now(), () => this.#expire());
  }

  #expire(): void {
    this.#cancelTimer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    const due: Deadline[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const deadline of this.#pending) {
      if (deadline.at <= now + SLACK_MS) due.push(deadline);
      else if (deadline.at < next) next = deadline.at;
    }
    for (const deadline of due) this.#pending.delete(deadline);
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
    for (const deadline of due) {
      try {
        deadline.fire();
      } catch (error) {
        // One failing callback must not keep the others from firing, nor
        // end the process: a throw out of a timer would.
        try {
          this.#report(error);
        } catch {
          // Nowhere to report it.
        }
      }
    }
  }
}

const SHARED = new WeakMap<Clock, Deadlines>();

/**
 * The one set of deadlines on `clock`, made on first use: every check run on
 * the same clock shares its timer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemClock } from "../clock.ts";
 * import { deadlinesOn } from "./_deadlines.ts";
 * assert(deadlinesOn(systemClock) === deadlinesOn(systemClock));
 * ```
 */
export function deadlinesOn(clock: Clock): Deadlines {
  let deadlines = SHARED.get(clock);
  if (!deadlines) SHARED.set(clock, deadlines = new Deadlines(clock));
  return deadlines;
}
