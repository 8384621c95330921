/**
 * Time for vitals: a monotonic clock for every interval and age, and the wall
 * clock only for timestamps shown to people.
 *
 * Kitura's Health crashed after comparing wall-clock timestamps that had gone
 * backwards; vitals never measures an interval with the wall clock.
 *
 * @module
 */

/** The two kinds of time vitals reads; tests inject their own. */
export interface Clock {
  /** Monotonic milliseconds, for durations, ages and expiry. Never goes backwards. */
  now(): number;
  /** Wall-clock time, only for timestamps in responses and logs. */
  date(): Date;
}

/**
 * `performance.now()` and `new Date()`.
 *
 * @example
 * ```ts
 * const started = systemClock.now();
 * // ... work ...
 * const elapsedMs = systemClock.now() - started;
 * ```
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  date: () => new Date(),
};

/** Rounds milliseconds to one decimal, as durations are reported. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}
