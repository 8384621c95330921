/**
 * Background refresh: one timer loop per check, so each check re-runs on its
 * own interval and a probe request never waits for one.
 *
 * A loop runs its task, then sleeps what is left of its interval (measured
 * from the start of the run, on the monotonic clock). A run that takes longer
 * than the interval is followed by the next one at once, never by two at once.
 *
 * @module
 */

import type { Clock } from "../clock.ts";

/**
 * Repeating tasks that can be replaced as a set (on reload) and stopped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemClock } from "../clock.ts";
 * import { Scheduler } from "./scheduler.ts";
 * const runs: string[] = [];
 * const loops = new Scheduler<string>(async (name) => void runs.push(name), systemClock);
 * loops.replace(["db", "cache"], () => 10_000); // each every 10 s, the first in 10 s
 * assert(loops.size === 2);
 * loops.stop();
 * ```
 */
export class Scheduler<T> {
  readonly #run: (item: T) => Promise<void>;
  readonly #clock: Clock;
  #active = new Set<T>();
  readonly #timers = new Map<T, () => void>();

  constructor(run: (item: T) => Promise<void>, clock: Clock) {
    this.#run = run;
    this.#clock = clock;
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
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
    this.#active = new Set();
  }

  #schedule(active: Set<T>, item: T, interval: number, delay: number): void {
    this.#timers.set(
      item,
      this.#clock.setTimer(delay, () => void this.#step(active, item, interval)),
    );
  }

  /** One run of a loop, then the next one scheduled; never rejects. */
  async #step(active: Set<T>, item: T, interval: number): Promise<void> {
    this.#timers.delete(item);
    let next = interval;
    try {
      const started = this.#clock.now();
      try {
        await this.#run(item);
      } catch {
        // Runs never reject (checks turn failures into DOWN); keep the loop alive regardless.
      }
      next = Math.max(0, interval - (this.#clock.now() - started));
    } catch {
      // The clock failed: wait a whole interval.
    }
    if (this.#active === active) this.#schedule(active, item, interval, next);
  }
}
