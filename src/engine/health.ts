/**
 * The health engine's front: the one object the rest of vitals talks to. It owns the check
 * registry, the publisher, the maintenance switch, the settings in force and the refresh mode,
 * which is data, not a strategy object. `on-demand`: a scope's status is reused while every check
 * in it is fresh (its last run ended less than its interval, by default the cache `ttl`, ago); a
 * request that finds one due starts one evaluation of that scope (single flight) and waits for it
 * at most `maxWait`, past which it gets the last results marked stale. `background`: once started,
 * every check re-runs on its own timer and a request only reads the newest results. Reloads switch
 * checks and settings in one step. Every age, expiry and timer is on the injected clock.
 *
 * @module
 */

import type { Check } from "../checks/check.ts";
import { type Clock, roundMs, systemClock, within } from "../clock.ts";
import type { HealthStatus, Scope } from "../types.ts";
import { type CheckEntry, CheckRegistry, type PreparedChecks } from "./check_registry.ts";
import type { CheckHistory } from "./history.ts";
import { Coalescer, PUBLISH_GAP_MS } from "./coalescer.ts";
import { Maintenance } from "./maintenance.ts";
import { Publisher } from "./publisher.ts";
import { Scheduler } from "./scheduler.ts";
import { type HealthOptions, type HealthSettings, settingsOf } from "./settings.ts";

export type { HealthOptions, HealthSettings, RefreshMode } from "./settings.ts";

/** A reload whose new checks have run, ready to be put in force ({@link Health.commit}). */
export interface PreparedReload {
  readonly generation: number;
  readonly checks: PreparedChecks;
}

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
  /** The maintenance switch (engine/maintenance.ts): a reload keeps it, a restart only in a file. */
  readonly maintenance: Maintenance;
  /** The one owner of the engine's settings; a reload replaces them whole. */
  #settings: Required<HealthSettings>;
  /** Background mode's loops, one per check, which publish at most once per gap. */
  readonly #scheduler: Scheduler<PreparedChecks[number]>;
  readonly #publishSoon: Coalescer;
  /** Bumped by each reload; an evaluation of an older generation publishes nothing. */
  #generation = 0;
  /** The evaluation running per scope, joined by every caller for that scope. */
  readonly #running = new Map<Scope, { generation: number; promise: Promise<HealthStatus> }>();
  #started = false;

  constructor(options: HealthOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#onEvaluated = options.onEvaluated;
    this.#settings = settingsOf(options);
    this.#registry = new CheckRegistry({
      checks: options.checks,
      poolSize: options.poolSize,
      clock: this.#clock,
      onCheckResult: options.onCheckResult,
    });
    this.maintenance = new Maintenance(this.#clock);
    this.#publisher = new Publisher(this.#clock, this.#registry.entries(), this.maintenance);
    this.#scheduler = new Scheduler((slot) => this.#refresh(slot), this.#clock);
    this.#publishSoon = new Coalescer(() => this.#publish(), PUBLISH_GAP_MS, this.#clock);
  }

  /** The settings in force. */
  get settings(): Required<HealthSettings> {
    return this.#settings;
  }

  /** How many times results were published (background runs ending together count once). */
  get evaluations(): number {
    return this.#publisher.evaluations;
  }

  /** Every check's newest result; `undefined` before the first publish. */
  get last(): HealthStatus | undefined {
    return this.#publisher.last;
  }

  /** Every check with its state as last published (before the first publish: never run). */
  get checks(): readonly CheckEntry[] {
    return this.#publisher.published?.entries ?? this.#registry.entries();
  }

  /** The recent runs of `check` while it is in force (for `/health/history`). */
  historyOf(check: Check): CheckHistory | undefined {
    return this.#registry.historyOf(check);
  }
  /**
   * Starts refreshing: the first evaluation now and, in background mode, one loop per
   * check, first due one interval from now. Resolves with the first status.
   */
  start(): Promise<HealthStatus> {
    this.#started = true;
    const first = this.evaluate();
    if (!this.#stop.signal.aborted) this.#schedule();
    return first;
  }

  /** The status of `scope`, refreshed per the mode and waiting at most `maxWait`. */
  status(scope: Scope = "all"): Promise<HealthStatus> {
    const ready = this.peek(scope);
    if (ready) return Promise.resolve(ready);
    if (this.#settings.mode === "background") {
      if (!this.#started) void this.start();
      return Promise.resolve(this.published(scope));
    }
    return this.#statusOnDemand(scope);
  }

  /**
   * The answer {@link status} would give at once, without waiting or starting
   * anything: on demand, the cached summary while it is fresh; in background,
   * the newest one once started; else `undefined`. The server's hot path (BENCHMARKS.md, "Serving
   * from cache"): `health.peek(scope) ?? await health.status(scope)`; a warm cache costs no promise.
   */
  peek(scope: Scope = "all"): HealthStatus | undefined {
    const published = this.#publisher.published;
    if (!published) return undefined;
    if (this.#settings.mode === "background") {
      return this.#started ? this.#publisher.summary(scope, published) : undefined;
    }
    if (this.#clock.now() >= published.freshUntil.get(scope)!) return undefined;
    return this.#publisher.summary(scope, published);
  }

  /**
   * The status of `scope` over the newest published results, however old, running nothing (no
   * result yet before the first publish): the groups beside a status just fetched, same results.
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
    const due = this.#registry.due(this.#registry.slots, this.#settings.ttl, scope, all);
    const promise = this.#registry.run(due, this.#stop.signal).then(() => {
      if (generation === this.#generation) this.#publish();
      return this.published("all");
    }).finally(() => {
      if (this.#running.get(scope)?.promise === promise) this.#running.delete(scope);
    });
    this.#running.set(scope, { generation, promise });
    return promise;
  }

  /**
   * The first half of a reload: checks whose definition is unchanged keep
   * their state; new ones run now, so the first status of the new config has
   * a result for every check. Resolves with the reload to {@link commit}, or
   * `undefined` when a later reload or `close` overtook it.
   */
  async prepare(checks: readonly Check[], ttl: number): Promise<PreparedReload | undefined> {
    const generation = ++this.#generation;
    const prepared = this.#registry.prepare(checks);
    await this.#registry.run(this.#registry.due(prepared, ttl), this.#stop.signal);
    if (generation !== this.#generation || this.#stop.signal.aborted) return undefined;
    return { generation, checks: prepared };
  }

  /**
   * The second half of a reload, synchronous so that a caller switches its own part of the
   * config in the same step: puts the checks and `settings` in force, and publishes.
   */
  commit(reload: PreparedReload, settings: HealthSettings): HealthStatus {
    if (reload.generation !== this.#generation || this.#stop.signal.aborted) {
      return this.published("all");
    }
    this.#settings = settingsOf({ ...this.#settings, ...settings });
    this.#registry.commit(reload.checks, this.#settings.poolSize);
    this.#publish();
    this.#schedule();
    return this.last!;
  }

  /** {@link prepare}, then {@link commit}. */
  async reload(checks: readonly Check[], settings: HealthSettings): Promise<HealthStatus> {
    const prepared = await this.prepare(checks, settings.ttl);
    return prepared ? this.commit(prepared, settings) : this.published("all");
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
    this.#scheduler.stop();
    this.#publishSoon.cancel();
    this.#stop.abort();
  }

  async #statusOnDemand(scope: Scope): Promise<HealthStatus> {
    const evaluation = this.evaluate(false, scope);
    const finished = await within(this.#clock, evaluation, this.#settings.maxWait);
    const newest = this.#publisher.published;
    if (!newest) return this.#publisher.noResult(scope);
    const summary = this.#publisher.summary(scope, newest);
    if (finished) return summary;
    return { ...summary, stale: true, ageMs: roundMs(this.#clock.now() - newest.at) };
  }

  /** In background mode once started, one loop per check in force; otherwise none. */
  #schedule(): void {
    if (this.#settings.mode !== "background" || !this.#started || this.#stop.signal.aborted) {
      return this.#scheduler.stop();
    }
    const ttl = this.#settings.ttl;
    this.#scheduler.replace(this.#registry.slots, ({ check }) => check.interval ?? ttl);
  }

  /** One background run of one check, published soon unless a reload replaced it meanwhile. */
  async #refresh(slot: PreparedChecks[number]): Promise<void> {
    await this.#registry.run([slot], this.#stop.signal);
    if (this.#registry.inForce(slot)) this.#publishSoon.request();
  }

  #publish(): void {
    const previous = this.#publisher.publish(this.#registry.entries(), this.#settings.ttl);
    this.#onEvaluated?.(this.last!, previous);
  }
}
