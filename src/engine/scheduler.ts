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
    for (const item of items) this.#schedule(active, item, intervalOf, intervalOf(item));
  }

  /** Stops every loop; a run in progress finishes but is not repeated. */
  stop(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#active = new Set();
  }

  #schedule(active: Set<T>, item: T, intervalOf: (item: T) => number, delay: number): void {
    const timer = setTimeout(async () => {
      this.#timers.delete(item);
      const started = this.#now();
      try {
        await this.#run(item);
      } catch {
        // Runs never reject (checks turn failures into DOWN); keep the loop alive regardless.
      }
      if (this.#active !== active) return;
      const elapsed = this.#now() - started;
      this.#schedule(active, item, intervalOf, Math.max(0, intervalOf(item) - elapsed));
    }, delay);
    this.#timers.set(item, timer);
  }
}
