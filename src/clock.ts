/**
 * Time for vitals: a monotonic clock for every interval and age, the wall
 * clock only for timestamps shown to people, and timers on the same
 * monotonic clock. Everything in the core that reads the time or waits goes
 * through one {@link Clock}, so a test that injects its own moves expiry,
 * deadlines and timers together, without sleeping.
 *
 * Kitura's Health crashed after comparing wall-clock timestamps that had gone
 * backwards; vitals never measures an interval with the wall clock.
 *
 * @module
 */

import { reportCallbackError } from "./callback_error.ts";

/** The two kinds of time vitals reads, and timers; tests inject their own. */
export interface Clock {
  /** Monotonic milliseconds, for durations, ages and expiry. Never goes backwards. */
  now(): number;
  /** Wall-clock time, only for timestamps in responses and logs. */
  date(): Date;
  /**
   * Calls `callback` once, `ms` of monotonic time from now, unless the
   * returned function is called first. A callback that throws is reported,
   * never rethrown: a throw out of a timer would end the process.
   */
  setTimer(ms: number, callback: () => void): () => void;
}

/** The longest delay `setTimeout` takes before it overflows to 1 ms. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * `performance.now()`, `new Date()` and `setTimeout`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemClock } from "./clock.ts";
 * const started = systemClock.now();
 * await new Promise<void>((resolve) => systemClock.setTimer(5, resolve));
 * assert(systemClock.now() - started >= 4);
 * ```
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  date: () => new Date(),
  setTimer(ms, callback) {
    const timer = setTimeout(() => {
      try {
        callback();
      } catch (error) {
        reportCallbackError("A timer's callback failed", error);
      }
    }, Math.min(MAX_DELAY, Math.max(0, ms)));
    return () => clearTimeout(timer);
  },
};

/**
 * Resolves after `ms` on `clock`, or at once (without error) when `signal` aborts.
 *
 * @example
 * ```ts
 * import { sleep, systemClock } from "./clock.ts";
 * await sleep(systemClock, 1);
 * ```
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      cancel();
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const cancel = clock.setTimer(ms, done);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Whether `promise` settles within `ms` on `clock` (`Infinity`: waits for it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemClock, within } from "./clock.ts";
 * assert(await within(systemClock, Promise.resolve(), 1_000));
 * assert(!(await within(systemClock, new Promise(() => {}), 1)));
 * ```
 */
export async function within(
  clock: Clock,
  promise: Promise<unknown>,
  ms: number,
): Promise<boolean> {
  if (!Number.isFinite(ms)) return await promise.then(() => true);
  const stop = new AbortController();
  const late = sleep(clock, ms, stop.signal).then(() => false);
  return await Promise.race([promise.then(() => true), late]).finally(() => stop.abort());
}

/** Rounds milliseconds to one decimal, as durations are reported. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}
