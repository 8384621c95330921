/**
 * The health engine's front: the one object the rest of vitals talks to. It
 * owns the check registry, the publisher and the refresh policy of the mode in
 * force, and coordinates what crosses them: single-flight evaluations,
 * reloads that switch atomically, draining and shutdown.
 *
 * Every age and expiry is measured on the monotonic clock, never the wall clock.
 *
 * @module
 */

import type { Check } from "../checks/check.ts";
import { type Clock, systemClock } from "../clock.ts";
import type { CheckView, HealthStatus, Scope } from "../types.ts";
import { BackgroundRefresh } from "./background.ts";
import { CheckRegistry, type CheckSnapshot, type RegisteredCheck } from "./check_registry.ts";
import { OnDemandRefresh } from "./on_demand.ts";
import { Publisher } from "./publisher.ts";
import { Coalescer } from "./scheduler.ts";
import type { HealthSettings, RefreshHost, RefreshMode, RefreshPolicy } from "./refresh_policy.ts";

export type { HealthSettings, RefreshMode } from "./refresh_policy.ts";

/** Options for {@link Health}. */
export interface HealthOptions extends HealthSettings {
  readonly checks: readonly Check[];
  readonly clock?: Clock;
  /** Called after each publish with the new and the previous status of every check. */
  readonly onEvaluated?: (next: HealthStatus, previous: HealthStatus | undefined) => void;
  /** Called after each run of a check with its new and its previous view. */
  readonly onCheckResult?: (next: CheckView, previous: CheckView | undefined) => void;
}

/**
 * The shortest time between two publishes of background runs. Publishing is
 * O(checks), so one per run is O(checks²) a second; with this gap, 5,000 checks
 * finishing together cost about 20 publishes a second, and a result waits at
 * most 50 ms to be seen (a lone result, after a quiet gap, is published at once).
 */
export const PUBLISH_GAP_MS = 50;

/** The refresh policy of each mode. */
const POLICIES: Record<RefreshMode, new (host: RefreshHost) => RefreshPolicy> = {
  "on-demand": OnDemandRefresh,
  background: BackgroundRefresh,
};

/**
 * Runs checks and serves their aggregate per scope.
 *
 * @example
 * ```ts ignore
 * const health = new Health({ checks, ttl: 30_000, poolSize: 4, maxWait: 900 });
 * const status = await health.status("ready"); // runs the checks the first time
 * await health.status("ready"); // within 30 s: the same object, no checks run
 * ```
 */
export class Health {
  readonly #clock: Clock;
  readonly #onEvaluated: HealthOptions["onEvaluated"];
  readonly #stop = new AbortController();
  readonly #registry: CheckRegistry;
  readonly #publisher: Publisher;
  readonly #host: RefreshHost;
  #settings: Required<HealthSettings>;
  #policy: RefreshPolicy;
  /** Bumped by each reload; an evaluation of an older generation publishes nothing. */
  #generation = 0;
  /** The evaluation running per scope, joined by every caller for that scope. */
  readonly #running = new Map<Scope, { generation: number; promise: Promise<HealthStatus> }>();
  #started = false;
  /** Background runs publish through this: at most once per {@link PUBLISH_GAP_MS}. */
  readonly #publishSoon: Coalescer;

  constructor(options: HealthOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#onEvaluated = options.onEvaluated;
    this.#settings = {
      mode: options.mode ?? "on-demand",
      maxWait: options.maxWait ?? Infinity,
      ttl: options.ttl,
      poolSize: options.poolSize,
    };
    this.#registry = new CheckRegistry({
      checks: options.checks,
      poolSize: options.poolSize,
      clock: this.#clock,
      onCheckResult: options.onCheckResult,
    });
    this.#publisher = new Publisher(this.#clock, this.#registry.snapshot(options.ttl));
    this.#host = {
      clock: this.#clock,
      registry: this.#registry,
      publisher: this.#publisher,
      settings: () => this.#settings,
      started: () => this.#started,
      start: () => this.start(),
      evaluate: (scope) => this.evaluate(false, scope),
      refresh: (entry) => this.#refresh(entry),
    };
    this.#policy = new POLICIES[this.#settings.mode](this.#host);
    this.#publishSoon = new Coalescer(
      () => this.#publish(),
      PUBLISH_GAP_MS,
      () => performance.now(),
    );
  }

  /**
   * How many times results were published: evaluations on demand; in background,
   * check runs, those ending within {@link PUBLISH_GAP_MS} of each other counted once.
   */
  get evaluations(): number {
    return this.#publisher.evaluations;
  }

  /** Every check's newest result; `undefined` before the first publish. */
  get last(): HealthStatus | undefined {
    return this.#publisher.last;
  }

  /** Every check as last published (before the first publish: as configured, never run). */
  get snapshot(): readonly CheckSnapshot[] {
    return this.#publisher.published?.members ?? this.#registry.snapshot(this.#settings.ttl);
  }

  /** The checks in force with their state and history (for `/health/history`); read only. */
  get entries(): readonly RegisteredCheck[] {
    return this.#registry.entries;
  }

  /** The cache ttl in force: the interval of every check without its own. */
  get ttl(): number {
    return this.#settings.ttl;
  }

  /**
   * Starts refreshing: the first evaluation now, and whatever the mode does
   * on its own (background: one loop per check, each first due one interval
   * from now, so a check that hangs holds back only its own loop). Resolves
   * with the first status.
   */
  start(): Promise<HealthStatus> {
    this.#started = true;
    const first = this.evaluate();
    if (!this.#stop.signal.aborted) this.#policy.resume();
    return first;
  }

  /** The status of `scope`, refreshed per the mode and waiting at most `maxWait`. */
  status(scope: Scope = "all"): Promise<HealthStatus> {
    const ready = this.#policy.peek(scope);
    return ready ? Promise.resolve(ready) : this.#policy.status(scope);
  }

  /**
   * The answer {@link status} would give at once, without waiting or starting
   * anything: the cached summary while it is fresh (in background mode, the
   * newest one once started), else `undefined`. The server's hot path: a warm
   * cache costs no promise.
   *
   * @example
   * ```ts ignore
   * const status = health.peek("ready") ?? await health.status("ready");
   * ```
   */
  peek(scope: Scope = "all"): HealthStatus | undefined {
    return this.#policy.peek(scope);
  }

  /**
   * The status of `scope` over the newest published results, however old,
   * without running anything (before the first publish: no result yet). For
   * showing the groups beside a status just fetched, from the same results.
   */
  published(scope: Scope): HealthStatus {
    const published = this.#publisher.published;
    return published ? this.#publisher.summary(scope, published) : this.#publisher.noResult(scope);
  }

  /**
   * Runs every check of `scope` that is due now (with `all`, every check of
   * it) and publishes; joins the evaluation of `scope` already running, if
   * any. A check is never run twice at once: evaluations of different scopes
   * that share a check join its one run. Resolves with every check's status.
   */
  evaluate(all = false, scope: Scope = "all"): Promise<HealthStatus> {
    const generation = this.#generation;
    const running = this.#running.get(scope);
    if (running?.generation === generation) return running.promise;
    const due = this.#registry.due(this.#registry.entries, this.#settings.ttl, scope, all);
    const promise = this.#runAll(due).then(() => {
      if (generation === this.#generation) this.#publish();
      return this.last ?? this.#publisher.noResult("all");
    }).finally(() => {
      if (this.#running.get(scope)?.promise === promise) this.#running.delete(scope);
    });
    this.#running.set(scope, { generation, promise });
    return promise;
  }

  /**
   * Replaces the checks and settings. Checks whose definition is unchanged keep
   * their state; new ones run before the swap, so the switch is atomic and the
   * first status of the new config has a result for every check.
   */
  async reload(checks: readonly Check[], settings: HealthSettings): Promise<HealthStatus> {
    const generation = ++this.#generation;
    const entries = this.#registry.prepare(checks);
    await this.#runAll(this.#registry.due(entries, settings.ttl));
    if (generation !== this.#generation || this.#stop.signal.aborted) {
      return this.last ?? this.#publisher.noResult("all");
    }
    this.#settings = { ...this.#settings, ...settings };
    this.#registry.commit(entries, this.#settings.poolSize);
    this.#publish();
    this.#policy.stop();
    this.#policy = new POLICIES[this.#settings.mode](this.#host);
    if (this.#started) this.#policy.resume();
    return this.last!;
  }

  /** Readiness answers DOWN ("shutting down") from now on; liveness is unaffected. */
  drain(): void {
    this.#publisher.drain();
  }

  /** Shows (or, with `undefined`, clears) a non-critical `config` entry in `details`. */
  setConfigProblem(problem: string | undefined): void {
    this.#publisher.setConfigProblem(problem);
  }

  /** Stops refreshing and cancels running checks (their processes are killed). */
  close(): void {
    this.#policy.stop();
    this.#publishSoon.cancel();
    this.#stop.abort();
  }

  /**
   * Runs `entries` and stamps them all with the end of the whole run, so the
   * checks of one evaluation expire together (as one published result used
   * to) instead of drifting apart by their run times into two evaluations.
   */
  async #runAll(entries: readonly RegisteredCheck[]): Promise<void> {
    await Promise.all(entries.map((entry) => this.#registry.run(entry, this.#stop.signal)));
    this.#registry.settle(entries, this.#clock.now());
  }

  async #refresh(entry: RegisteredCheck): Promise<void> {
    await this.#registry.run(entry, this.#stop.signal);
    if (this.#registry.inForce(entry)) this.#publishSoon.request();
  }

  #publish(): void {
    const previous = this.#publisher.publish(this.#registry.snapshot(this.#settings.ttl));
    this.#onEvaluated?.(this.last!, previous);
  }
}
