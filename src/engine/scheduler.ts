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
  #last = Number.NEGATIVE_INFINITY;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(task: () => void, gapMs: number, now: () => number) {
    this.#task = task;
    this.#gapMs = gapMs;
    this.#now = now;
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
      this.#fire();
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
