/**
 * Publishing: the newest snapshot of every check, and vitals' own flags that
 * change a status (draining, the startup latch, a rejected config, the
 * maintenance switch, which `Maintenance` owns and this reads). Each
 * scope's summary is computed once per publish and memoised until the next
 * publish or flag change, so a warm cache costs a map lookup (BENCHMARKS.md,
 * "Serving from cache").
 *
 * @module
 */

import type { Clock } from "../clock.ts";
import { GROUPS, type HealthStatus, type Scope } from "../types.ts";
import type { CheckEntry } from "./check_registry.ts";
import type { CheckState } from "./check_state.ts";
import type { Maintenance } from "./maintenance.ts";
import { noResult, summarize, type SummaryFlags } from "./summary.ts";

/** One publish: every check with its state, and when they were taken. */
export interface Published {
  readonly entries: readonly CheckEntry[];
  /** Monotonic time of the publish, for expiry and ages. */
  readonly at: number;
  /** Wall-clock time of the publish (ISO-8601), for display. */
  readonly timestamp: string;
  /**
   * Per scope, the monotonic time its oldest result stops being fresh: when
   * the result was first published, plus its check's interval. Measured from
   * the publish rather than from each run's end, so the checks of one
   * evaluation, which ended some ms apart, expire together (one evaluation
   * per ttl, not two). `-Infinity` while a check of the scope has no result,
   * `Infinity` for a scope without checks.
   */
  readonly freshUntil: ReadonlyMap<Scope, number>;
}

const SCOPES: readonly Scope[] = ["all", ...GROUPS];

/**
 * When each scope's results stop being fresh; see {@link Published.freshUntil}.
 * `ttl` is the interval of a check without its own; `publishedAt` tells when a
 * state was first published.
 */
function freshness(
  entries: readonly CheckEntry[],
  ttl: number,
  publishedAt: (state: CheckState) => number,
): Map<Scope, number> {
  const until = new Map<Scope, number>(SCOPES.map((scope) => [scope, Infinity]));
  for (const { check, state } of entries) {
    const end = state.view === undefined ? -Infinity : publishedAt(state) + (check.interval ?? ttl);
    for (const scope of ["all" as const, ...check.groups]) {
      if (end < until.get(scope)!) until.set(scope, end);
    }
  }
  return until;
}

/**
 * The owner of what was last published and of the flags.
 *
 * @example
 * ```ts ignore
 * const publisher = new Publisher(systemClock, registry.entries());
 * publisher.publish(registry.entries(), 30_000);
 * publisher.summary("ready")?.status; // "UP"
 * ```
 */
export class Publisher {
  readonly #clock: Clock;
  #published: Published | undefined;
  readonly #memo = new Map<Scope, HealthStatus>();
  #evaluations = 0;
  #draining = false;
  #startedLatched = false;
  #configProblem: string | undefined;
  readonly #maintenance: Maintenance | undefined;
  /**
   * When each state in the newest publish was first published (monotonic),
   * for freshness. Rebuilt on each publish, so it holds one entry per check
   * in force (a WeakMap over every state ever published grew Bun's heap by
   * about 26 bytes per evaluation, measured in tests/engine/history.test.ts).
   */
  #firstPublished = new Map<CheckState, number>();

  /**
   * `initial` is every check before its first run, for the startup latch;
   * each change of `maintenance` drops the memoised summaries.
   */
  constructor(clock: Clock, initial: readonly CheckEntry[], maintenance?: Maintenance) {
    this.#clock = clock;
    this.#updateLatch(initial);
    this.#maintenance = maintenance;
    maintenance?.onChange(() => this.#memo.clear());
  }

  /** The newest publish, if any. */
  get published(): Published | undefined {
    return this.#published;
  }

  /** How many times results were published. */
  get evaluations(): number {
    return this.#evaluations;
  }

  /** Every check's newest result; `undefined` before the first publish. */
  get last(): HealthStatus | undefined {
    return this.#published && this.summary("all", this.#published);
  }

  /**
   * Publishes `entries` now, `ttl` being the interval of checks without their
   * own; returns the previous all-checks status.
   */
  publish(entries: readonly CheckEntry[], ttl: number): HealthStatus | undefined {
    const previous = this.last;
    const at = this.#clock.now();
    const earlier = this.#firstPublished;
    const firstPublished = new Map<CheckState, number>();
    const publishedAt = (state: CheckState) => {
      const first = firstPublished.get(state) ?? earlier.get(state) ?? at;
      firstPublished.set(state, first);
      return first;
    };
    this.#published = {
      entries,
      at,
      timestamp: this.#clock.date().toISOString(),
      freshUntil: freshness(entries, ttl, publishedAt),
    };
    this.#firstPublished = firstPublished;
    this.#memo.clear();
    this.#evaluations++;
    this.#updateLatch(entries);
    return previous;
  }

  /** The status of `scope` over `published` (by default the newest), memoised for the newest. */
  summary(scope: Scope, published: Published): HealthStatus {
    // Only the newest publish is memoised; an older one is summarised once for its caller.
    const current = published === this.#published;
    const cached = current ? this.#memo.get(scope) : undefined;
    if (cached) return cached;
    const summary = summarize(
      published.entries,
      scope,
      this.#flags(),
      published.at,
      published.timestamp,
    );
    if (current) this.#memo.set(scope, summary);
    return summary;
  }

  /** The status of `scope` before any result exists. */
  noResult(scope: Scope): HealthStatus {
    return noResult(scope, this.#flags(), this.#clock.now(), this.#clock.date().toISOString());
  }

  /** Readiness answers DOWN ("shutting down") from now on; liveness is unaffected. */
  drain(): void {
    this.#draining = true;
    this.#memo.clear();
  }

  /** Shows (or, with `undefined`, clears) a non-critical `config` entry in `details`. */
  setConfigProblem(problem: string | undefined): void {
    this.#configProblem = problem;
    this.#memo.clear();
  }

  #updateLatch(entries: readonly CheckEntry[]): void {
    if (this.#startedLatched) return;
    // Non-critical checks cannot hold /health/started DOWN, so they cannot hold the latch either.
    const started = entries.filter(({ check }) =>
      check.groups.includes("started") && check.critical
    );
    if (started.every(({ state }) => state.everUp)) {
      this.#startedLatched = true;
      this.#memo.clear();
    }
  }

  #flags(): SummaryFlags {
    return {
      draining: this.#draining,
      startedLatched: this.#startedLatched,
      configProblem: this.#configProblem,
      maintenance: this.#maintenance?.info,
    };
  }
}
