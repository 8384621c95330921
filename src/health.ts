/**
 * The aggregate status and its expiring, single-flight cache.
 *
 * The aggregate is DOWN when any critical check is DOWN. A computed status is
 * reused while `clock.now() - computedAt < ttl`, on the monotonic clock. Callers
 * that arrive while an evaluation runs share it, so a burst of probes runs each
 * check once. The first status always comes from running the checks.
 *
 * @module
 */

import type { Check, CheckResult, Status } from "./checks/types.ts";
import { type Clock, systemClock } from "./clock.ts";
import { runPool } from "./pool.ts";

/** One evaluation of every check. */
export interface HealthStatus {
  readonly status: Status;
  /** When the evaluation finished (ISO-8601, UTC); shows a cached answer's age. */
  readonly timestamp: string;
  /** `"<name>: <message>"` for every DOWN check, critical or not. */
  readonly details: readonly string[];
  readonly checks: readonly CheckResult[];
  /** Monotonic time the evaluation finished; for expiry, not for display. */
  readonly computedAt: number;
}

/** Options for {@link Health}. */
export interface HealthOptions {
  readonly checks: readonly Check[];
  /** How long a status is reused, in milliseconds; 0 evaluates on every call. */
  readonly ttl: number;
  /** How many checks run at once. */
  readonly poolSize: number;
  readonly clock?: Clock;
  /** Called after each evaluation with the new and the previous status. */
  readonly onEvaluated?: (next: HealthStatus, previous: HealthStatus | undefined) => void;
}

/**
 * Combines check results: DOWN iff a critical check is DOWN.
 *
 * @example
 * ```ts
 * aggregate(results, "2026-11-21T11:24:41.342Z", performance.now()).status; // "UP" or "DOWN"
 * ```
 */
export function aggregate(
  checks: readonly CheckResult[],
  timestamp: string,
  computedAt: number,
): HealthStatus {
  const down = checks.filter((check) => check.status === "DOWN");
  return {
    status: down.some((check) => check.critical) ? "DOWN" : "UP",
    timestamp,
    details: down.map((check) => `${check.name}: ${check.message}`),
    checks,
    computedAt,
  };
}

/**
 * Runs checks on a bounded pool behind an expiring, single-flight cache.
 *
 * @example
 * ```ts
 * const health = new Health({ checks, ttl: 30_000, poolSize: 4 });
 * const status = await health.status(); // runs the checks the first time
 * await health.status(); // within 30 s: the same object, no checks run
 * ```
 */
export class Health {
  readonly #options: HealthOptions;
  readonly #clock: Clock;
  readonly #stop = new AbortController();
  #last: HealthStatus | undefined;
  #running: Promise<HealthStatus> | undefined;
  #evaluations = 0;

  constructor(options: HealthOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** How many evaluations have started. */
  get evaluations(): number {
    return this.#evaluations;
  }

  /** The newest completed status, without evaluating; `undefined` before the first. */
  get last(): HealthStatus | undefined {
    return this.#last;
  }

  /** The cached status if still fresh, else a new (or the running) evaluation. */
  status(): Promise<HealthStatus> {
    const last = this.#last;
    if (last && this.#clock.now() - last.computedAt < this.#options.ttl) {
      return Promise.resolve(last);
    }
    return this.evaluate();
  }

  /** Evaluates now, or joins the evaluation already running. */
  evaluate(): Promise<HealthStatus> {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Cancels running checks (their processes are killed); later runs are cancelled at once. */
  close(): void {
    this.#stop.abort();
  }

  async #run(): Promise<HealthStatus> {
    this.#evaluations++;
    const signal = this.#stop.signal;
    const results = await runPool(
      this.#options.checks.map((check) => () => check.run(signal)),
      this.#options.poolSize,
    );
    const next = aggregate(results, this.#clock.date().toISOString(), this.#clock.now());
    const previous = this.#last;
    this.#last = next;
    this.#options.onEvaluated?.(next, previous);
    return next;
  }
}
