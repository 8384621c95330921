/**
 * Publishing: the newest snapshot of every check, and vitals' own flags that
 * change a status (draining, the startup latch, a rejected config). Each
 * scope's summary is computed once per publish and memoised until the next
 * publish or flag change, so a warm cache costs a map lookup.
 *
 * @module
 */

import type { Clock } from "../clock.ts";
import { GROUPS, type HealthStatus, type Scope } from "../types.ts";
import type { CheckSnapshot } from "./check_registry.ts";
import { noResult, summarize, type SummaryFlags } from "./summary.ts";

/** One publish: every check's snapshot and when it was taken. */
export interface Published {
  readonly members: readonly CheckSnapshot[];
  /** Monotonic time of the publish, for expiry and ages. */
  readonly at: number;
  /** Wall-clock time of the publish (ISO-8601), for display. */
  readonly timestamp: string;
  /**
   * Per scope, the monotonic time its oldest result stops being fresh (its
   * run's end plus its interval): `-Infinity` while a check of the scope has
   * no result, `Infinity` for a scope without checks.
   */
  readonly freshUntil: ReadonlyMap<Scope, number>;
}

const SCOPES: readonly Scope[] = ["all", ...GROUPS];

/** When each scope's results stop being fresh; see {@link Published.freshUntil}. */
function freshness(members: readonly CheckSnapshot[]): Map<Scope, number> {
  const until = new Map<Scope, number>(SCOPES.map((scope) => [scope, Infinity]));
  for (const member of members) {
    const end = member.view === undefined ? -Infinity : member.finishedAt + member.interval;
    for (const scope of ["all" as const, ...member.groups]) {
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
 * const publisher = new Publisher(systemClock, registry.snapshot());
 * publisher.publish(registry.snapshot());
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

  /** `initial` is every check before its first run, for the startup latch. */
  constructor(clock: Clock, initial: readonly CheckSnapshot[]) {
    this.#clock = clock;
    this.#updateLatch(initial);
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

  /** Publishes `members` now; returns the previous all-checks status. */
  publish(members: readonly CheckSnapshot[]): HealthStatus | undefined {
    const previous = this.last;
    this.#published = {
      members,
      at: this.#clock.now(),
      timestamp: this.#clock.date().toISOString(),
      freshUntil: freshness(members),
    };
    this.#memo.clear();
    this.#evaluations++;
    this.#updateLatch(members);
    return previous;
  }

  /** The status of `scope` over `published` (by default the newest), memoised for the newest. */
  summary(scope: Scope, published: Published): HealthStatus {
    // Only the newest publish is memoised; an older one is summarised once for its caller.
    const current = published === this.#published;
    const cached = current ? this.#memo.get(scope) : undefined;
    if (cached) return cached;
    const summary = summarize(
      published.members,
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

  #updateLatch(members: readonly CheckSnapshot[]): void {
    if (this.#startedLatched) return;
    // Non-critical checks cannot hold /health/started DOWN, so they cannot hold the latch either.
    const started = members.filter((member) =>
      member.groups.includes("started") && member.critical
    );
    if (started.every((member) => member.everUp)) {
      this.#startedLatched = true;
      this.#memo.clear();
    }
  }

  #flags(): SummaryFlags {
    return {
      draining: this.#draining,
      startedLatched: this.#startedLatched,
      configProblem: this.#configProblem,
    };
  }
}
