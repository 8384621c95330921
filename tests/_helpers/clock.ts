/**
 * A clock for tests: {@link ManualClock} moves only when told, so expiry,
 * deadlines and timers on it are tested without sleeping.
 *
 * @module
 */

import type { Clock } from "../../src/clock.ts";

/** The wall time a {@link ManualClock} starts at, as every timestamp it makes shows it. */
export const STAMP = "2026-11-21T11:24:41.342Z";

/**
 * A clock that moves only when told; its wall time can be set to anything.
 * Its timers fire when {@link ManualClock.advance} passes their time, in
 * order, each with the clock set to its own time.
 */
export class ManualClock implements Clock {
  monotonic = 1_000;
  wall = Date.parse(STAMP);
  #timers: { at: number; seq: number; fire: () => void }[] = [];
  #seq = 0;

  now(): number {
    return this.monotonic;
  }

  date(): Date {
    return new Date(this.wall);
  }

  setTimer(ms: number, fire: () => void): () => void {
    const timer = { at: this.monotonic + Math.max(0, ms), seq: this.#seq++, fire };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((other) => other !== timer);
    };
  }

  /** How many timers are pending. */
  get timers(): number {
    return this.#timers.length;
  }

  /** Moves monotonic time forward (and wall time with it), firing the timers it passes. */
  advance(ms: number): void {
    const target = this.monotonic + ms;
    for (;;) {
      const due = this.#timers.filter((timer) => timer.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((timer) => timer !== due);
      this.#move(due.at);
      due.fire();
    }
    this.#move(target);
  }

  #move(to: number): void {
    if (to <= this.monotonic) return;
    this.wall += to - this.monotonic;
    this.monotonic = to;
  }
}
