/**
 * Many timeouts on one runtime timer. Every check run needs a timeout, and
 * most runs end long before it. Arming and clearing a runtime timer per run
 * costs about 20 µs of event-loop work on Deno next to a 50 µs TCP connect
 * (measured in `bench/`), so runs share one timer armed for the earliest
 * deadline. A cancelled deadline costs only a set deletion: the timer may
 * still fire once, find nothing due and re-arm for the next deadline, if any.
 *
 * Deadlines use `performance.now()`, the monotonic clock, directly: they pace
 * real timers, so an injected test clock must not move them.
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

/** The longest delay `setTimeout` takes before it overflows to 1 ms. */
const MAX_DELAY = 2 ** 31 - 1;

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
 * const deadlines = new Deadlines();
 * const cancel = deadlines.after(60_000, () => console.log("never: cancelled first"));
 * cancel(); // the work ended first: the callback never runs
 * const controller = new AbortController();
 * deadlines.after(10, () => controller.abort());
 * await new Promise((resolve) => controller.signal.addEventListener("abort", resolve));
 * ```
 */
export class Deadlines {
  readonly #pending = new Set<Deadline>();
  readonly #report: (error: unknown) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedFor = Number.POSITIVE_INFINITY;

  /** `report` takes what a callback throws (by default, a line on standard error). */
  constructor(
    report: (error: unknown) => void = (error) =>
      reportCallbackError("A check's deadline failed", error),
  ) {
    this.#report = report;
  }

  /** How many deadlines are pending. */
  get size(): number {
    return this.#pending.size;
  }

  /** Calls `fire` once, `ms` from now, unless the returned function is called first. */
  after(ms: number, fire: () => void): () => void {
    const deadline: Deadline = { at: performance.now() + Math.max(0, ms), fire };
    this.#pending.add(deadline);
    if (deadline.at < this.#armedFor) this.#arm(deadline.at);
    return () => {
      this.#pending.delete(deadline);
    };
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedFor = at;
    const delay = Math.min(MAX_DELAY, Math.max(0, at - performance.now()));
    this.#timer = setTimeout(() => this.#expire(), delay);
  }

  #expire(): void {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = performance.now();
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
