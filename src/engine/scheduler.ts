/**
 * Background refresh: one timer loop per check, so each check re-runs on its
 * own interval and a probe request never waits for one.
 *
 * A loop runs its task, then sleeps what is left of its interval (measured
 * from the start of the run, on the monotonic clock). A run that takes longer
 * than the interval is followed by the next one at once, never by two at once.
 *
 * The loops' results are published through a {@link Coalescer}: at once when
 * the last publish is older than its gap, else once at the end of the gap, so
 * thousands of checks finishing together cost a few publishes, not thousands.
 *
 * No timer callback here throws: a throw out of one ends the process. A loop
 * whose step fails is kept going; a task that fails is reported.
 *
 * @module
 */

import { reportCallbackError } from "../callback_error.ts";

/**
 * Repeating tasks that can be replaced as a set (on reload) and stopped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Scheduler } from "./scheduler.ts";
 * const runs: string[] = [];
 * const loops = new Scheduler<string>(async (name) => void runs.push(name), () => performance.now());
 * loops.replace(["db", "cache"], () => 10_000); // each every 10 s, the first in 10 s
 * assert(loops.size === 2);
 * loops.stop();
 * ```
 */
export class Scheduler<T> {
  readonly #run: (item: T) => Promise<void>;
  readonly #now: () => number;
  #active = new Set<T>();
  readonly #timers = new Map<T, ReturnType<typeof setTimeout>>();

  constructor(run: (item: T) => Promise<void>, now: () => number) {
    this.#run = run;
    this.#now = now;
  }

  /** How many loops are scheduled. */
  get size(): number {
    return this.#active.size;
  }

  /**
   * Stops the current loops and starts one per item. Each first runs after its
   * interval: the caller has just run (or is running) every item.
   */
  replace(items: readonly T[], intervalOf: (item: T) => number): void {
    this.stop();
    const active = new Set(items);
    this.#active = active;
    for (const item of items) {
      const interval = intervalOf(item);
      this.#schedule(active, item, interval, interval);
    }
  }

  /** Stops every loop; a run in progress finishes but is not repeated. */
  stop(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#active = new Set();
  }

  #schedule(active: Set<T>, item: T, interval: number, delay: number): void {
    const timer = setTimeout(() => void this.#step(active, item, interval), delay);
    this.#timers.set(item, timer);
  }

  /** One run of a loop, then the next one scheduled; never rejects. */
  async #step(active: Set<T>, item: T, interval: number): Promise<void> {
    this.#timers.delete(item);
    let next = interval;
    try {
      const started = this.#now();
      try {
        await this.#run(item);
      } catch {
        // Runs never reject (checks turn failures into DOWN); keep the loop alive regardless.
      }
      next = Math.max(0, interval - (this.#now() - started));
    } catch {
      // The clock failed: wait a whole interval.
    }
    if (this.#active === active) this.#schedule(active, item, interval, next);
  }
}

/**
 * Runs a task at most once per `gapMs` (monotonic), never dropping the last
 * request: a request after a quiet gap runs the task at once; requests within
 * the gap run it once when the gap ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Coalescer } from "./scheduler.ts";
 * let runs = 0;
 * const publish = new Coalescer(() => void runs++, 50, () => performance.now());
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
  readonly #now: () => number;
  readonly #report: (error: unknown) => void;
  #last = Number.NEGATIVE_INFINITY;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `report` takes what the task throws when it runs from the timer (by default, to stderr). */
  constructor(
    task: () => void,
    gapMs: number,
    now: () => number,
    report: (error: unknown) => void = (error) =>
      reportCallbackError("A scheduled task failed", error),
  ) {
    this.#task = task;
    this.#gapMs = gapMs;
    this.#now = now;
    this.#report = report;
  }

  /** Whether a run is scheduled for the end of the gap. */
  get pending(): boolean {
    return this.#timer !== undefined;
  }

  /** Asks for a run: now, or at the end of the gap (joining one already scheduled). */
  request(): void {
    if (this.#timer !== undefined) return;
    const wait = this.#last + this.#gapMs - this.#now();
    if (wait <= 0) return this.#fire();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
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
    }, wait);
  }

  /** Drops a scheduled run. */
  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #fire(): void {
    this.#last = this.#now();
    this.#task();
  }
}
