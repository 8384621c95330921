/**
 * Runs a task at most once per gap, never dropping the last request: how
 * background results are published. Publishing is O(checks), so one publish
 * per finished run would cost O(checks²) a second at scale; coalesced, 5,000
 * checks finishing together cost about 20 publishes a second
 * (BENCHMARKS.md: "Scale").
 *
 * @module
 */

import { reportCallbackError } from "../callback_error.ts";
import type { Clock } from "../clock.ts";

/**
 * The shortest time between two publishes of background runs: with it, 5,000
 * checks finishing together cost about 20 publishes a second, and a result
 * waits at most 50 ms to be seen (a lone result, after a quiet gap, is
 * published at once).
 */
export const PUBLISH_GAP_MS = 50;

/**
 * A request after a quiet gap runs the task at once; requests within the gap
 * run it once when the gap ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemClock } from "../clock.ts";
 * import { Coalescer } from "./coalescer.ts";
 * let runs = 0;
 * const publish = new Coalescer(() => void runs++, 50, systemClock);
 * publish.request(); // at once
 * publish.request(); // within 50 ms of the last run: once, 50 ms after it
 * publish.request(); // joins that one
 * assert(runs === 1 && publish.pending);
 * publish.cancel();
 * ```
 */
export class Coalescer {
  readonly #task: () => void;
  readonly #gapMs: number;
  readonly #clock: Clock;
  readonly #report: (error: unknown) => void;
  #last = Number.NEGATIVE_INFINITY;
  #cancel: (() => void) | undefined;

  /** `report` takes what the task throws when it runs from the timer (by default, to stderr). */
  constructor(
    task: () => void,
    gapMs: number,
    clock: Clock,
    report: (error: unknown) => void = (error) =>
      reportCallbackError("A scheduled task failed", error),
  ) {
    this.#task = task;
    this.#gapMs = gapMs;
    this.#clock = clock;
    this.#report = report;
  }

  /** Whether a run is scheduled for the end of the gap. */
  get pending(): boolean {
    return this.#cancel !== undefined;
  }

  /** Asks for a run: now, or at the end of the gap (joining one already scheduled). */
  request(): void {
    if (this.#cancel !== undefined) return;
    const wait = this.#last + this.#gapMs - this.#clock.now();
    if (wait <= 0) return this.#fire();
    this.#cancel = this.#clock.setTimer(wait, () => {
      this.#cancel = undefined;
      try {
        this.#fire();
      } catch (error) {
        // From a timer there is no caller to tell; the next request runs it again.
        try {
          this.#report(error);
        } catch {
          // Nowhere to report it.
        }
      }
    });
  }

  /** Drops a scheduled run. */
  cancel(): void {
    this.#cancel?.();
    this.#cancel = undefined;
  }

  #fire(): void {
    this.#last = this.#clock.now();
    this.#task();
  }
}
