/**
 * The health engine: runs checks on a bounded pool, keeps each check's state,
 * publishes the newest results, and answers each scope's status from them.
 *
 * Two refresh modes:
 * - `on-demand`: a request older than `ttl` starts one evaluation (single-flight;
 *   a burst of probes runs each check once) and waits for it at most `maxWait`;
 *   past that it gets the last published results marked stale.
 * - `background`: every check re-runs on its own interval; requests never wait.
 *
 * Every age and expiry is measured on the monotonic clock, never the wall clock.
 *
 * @module
 */

import { CheckState, type CheckView } from "./check_state.ts";
import type { Check } from "./checks/types.ts";
import { type Clock, roundMs, systemClock } from "./clock.ts";
import type { Group } from "./config/schema.ts";
import { Limiter } from "./pool.ts";
import { Scheduler } from "./scheduler.ts";
import {
  type HealthStatus,
  type Member,
  noResult,
  type Scope,
  summarize,
  type SummaryFlags,
} from "./summary.ts";

export type { HealthStatus, Scope } from "./summary.ts";

/** How results are refreshed; see the module docs. */
export type RefreshMode = "on-demand" | "background";

/** Settings that a reload may change. */
export interface HealthSettings {
  /** How long results are reused (on-demand) or the default re-run interval (background), in ms. */
  readonly ttl: number;
  /** How many checks run at once. */
  readonly poolSize: number;
  readonly mode?: RefreshMode;
  /** How long a request waits for a running evaluation, in ms (default: no limit). */
  readonly maxWait?: number;
}

/** Options for {@link Health}. */
export interface HealthOptions extends HealthSettings {
  readonly checks: readonly Check[];
  readonly clock?: Clock;
  /** Called after each publish with the new and the previous status of every check. */
  readonly onEvaluated?: (next: HealthStatus, previous: HealthStatus | undefined) => void;
  /** Called after each run of a check with its new and its previous view. */
  readonly onCheckResult?: (next: CheckView, previous: CheckView | undefined) => void;
}

interface Entry {
  readonly check: Check;
  readonly state: CheckState;
  readonly groups: readonly Group[];
}

interface Published {
  readonly members: readonly Member[];
  readonly at: number;
  readonly timestamp: string;
}

const DEFAULT_GROUPS: readonly Group[] = ["ready"];

function thresholdsOf(check: Check) {
  return {
    failureThreshold: check.failureThreshold ?? 1,
    successThreshold: check.successThreshold ?? 1,
  };
}

/**
 * Runs checks and serves their aggregate per scope.
 *
 * @example
 * ```ts
 * const health = new Health({ checks, ttl: 30_000, poolSize: 4, maxWait: 900 });
 * const status = await health.status("ready"); // runs the checks the first time
 * await health.status("ready"); // within 30 s: the same object, no checks run
 * ```
 */
export class Health {
  readonly #clock: Clock;
  readonly #onEvaluated: HealthOptions["onEvaluated"];
  readonly #onCheckResult: HealthOptions["onCheckResult"];
  readonly #stop = new AbortController();
  readonly #limiter: Limiter;
  readonly #scheduler: Scheduler<Entry>;
  #settings: Required<HealthSettings>;
  #entries: readonly Entry[];
  #generation = 0;
  #published: Published | undefined;
  #summaries = new Map<Scope, HealthStatus>();
  #running: { generation: number; promise: Promise<HealthStatus> } | undefined;
  #started = false;
  #evaluations = 0;
  #draining = false;
  #startedLatched = false;
  #configProblem: string | undefined;

  constructor(options: HealthOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#onEvaluated = options.onEvaluated;
    this.#onCheckResult = options.onCheckResult;
    this.#settings = { mode: "on-demand", maxWait: Infinity, ...options };
    this.#limiter = new Limiter(options.poolSize);
    this.#entries = this.#entriesFor(options.checks, []);
    this.#scheduler = new Scheduler((entry) => this.#refresh(entry), () => this.#clock.now());
    this.#updateLatch();
  }

  /** How many times results were published (evaluations on demand, check runs in background). */
  get evaluations(): number {
    return this.#evaluations;
  }

  /** Every check's newest result; `undefined` before the first publish. */
  get last(): HealthStatus | undefined {
    return this.#published && this.#summary("all", this.#published);
  }

  /** The checks and their states, for metrics. */
  get checks(): readonly { readonly check: Check; readonly state: CheckState }[] {
    return this.#entries;
  }

  /**
   * Starts refreshing: the first evaluation now, then, in background mode, one
   * loop per check. Resolves with the first status.
   */
  start(): Promise<HealthStatus> {
    this.#started = true;
    const first = this.evaluate();
    if (this.#settings.mode === "background") {
      const generation = this.#generation;
      void first.then(() => {
        if (generation === this.#generation && !this.#stop.signal.aborted) this.#startLoops();
      });
    }
    return first;
  }

  /** The status of `scope`, refreshed per the mode and waiting at most `maxWait`. */
  async status(scope: Scope = "all"): Promise<HealthStatus> {
    const ready = this.peek(scope);
    if (ready) return ready;
    const published = this.#published;
    if (this.#settings.mode === "background") {
      if (!this.#started) void this.start();
      return published ? this.#summary(scope, published) : this.#noResult(scope);
    }
    const evaluation = this.evaluate();
    const finished = await this.#within(evaluation, this.#settings.maxWait);
    const newest = this.#published;
    if (finished && newest) return this.#summary(scope, newest);
    if (!newest) return this.#noResult(scope);
    const stale = this.#summary(scope, newest);
    return { ...stale, stale: true, ageMs: roundMs(this.#clock.now() - newest.at) };
  }

  /**
   * The answer {@link status} would give at once, without waiting or starting
   * anything: the cached summary while it is fresh (in background mode, the
   * newest one once started), else `undefined`. The server's hot path: a warm
   * cache costs no promise.
   *
   * @example
   * ```ts
   * const status = health.peek("ready") ?? await health.status("ready");
   * ```
   */
  peek(scope: Scope = "all"): HealthStatus | undefined {
    const published = this.#published;
    if (!published) return undefined;
    if (this.#settings.mode === "background") {
      return this.#started ? this.#summary(scope, published) : undefined;
    }
    const fresh = this.#clock.now() - published.at < this.#settings.ttl;
    return fresh ? this.#summary(scope, published) : undefined;
  }

  /**
   * Runs every check that is due now (with `all`, every check) and publishes;
   * joins the evaluation already running, if any.
   */
  evaluate(all = false): Promise<HealthStatus> {
    const generation = this.#generation;
    if (this.#running?.generation === generation) return this.#running.promise;
    const promise = this.#evaluateEntries(this.#entries, all).then(() => {
      if (generation === this.#generation) this.#publish();
      return this.last ?? this.#noResult("all");
    }).finally(() => {
      if (this.#running?.promise === promise) this.#running = undefined;
    });
    this.#running = { generation, promise };
    return promise;
  }

  /**
   * Replaces the checks and settings. Checks whose definition is unchanged keep
   * their state; new ones run before the swap, so the switch is atomic and the
   * first status of the new config has a result for every check.
   */
  async reload(checks: readonly Check[], settings: HealthSettings): Promise<HealthStatus> {
    const generation = ++this.#generation;
    const entries = this.#entriesFor(checks, this.#entries);
    await this.#evaluateEntries(entries);
    if (generation !== this.#generation || this.#stop.signal.aborted) {
      return this.last ?? this.#noResult("all");
    }
    this.#settings = { ...this.#settings, ...settings };
    this.#limiter.resize(settings.poolSize);
    this.#entries = entries;
    this.#publish();
    if (this.#settings.mode === "background" && this.#started) this.#startLoops();
    else this.#scheduler.stop();
    return this.last!;
  }

  /** Readiness answers DOWN ("shutting down") from now on; liveness is unaffected. */
  drain(): void {
    this.#draining = true;
    this.#summaries.clear();
  }

  /** Shows (or, with `undefined`, clears) a non-critical `config` entry in `details`. */
  setConfigProblem(problem: string | undefined): void {
    this.#configProblem = problem;
    this.#summaries.clear();
  }

  /** Stops background loops and cancels running checks (their processes are killed). */
  close(): void {
    this.#scheduler.stop();
    this.#stop.abort();
  }

  #entriesFor(checks: readonly Check[], previous: readonly Entry[]): Entry[] {
    const kept = new Map(previous.map((entry) => [entry.check.key ?? entry.check, entry.state]));
    return checks.map((check) => {
      let state = kept.get(check.key ?? check);
      if (state) state.thresholds = thresholdsOf(check);
      else state = new CheckState(thresholdsOf(check));
      return { check, state, groups: check.groups ?? DEFAULT_GROUPS };
    });
  }

  async #evaluateEntries(entries: readonly Entry[], all = false): Promise<void> {
    const now = this.#clock.now();
    const due = entries.filter(({ check, state }) =>
      all || state.view === undefined ||
      now - state.finishedAt >= (check.interval ?? this.#settings.ttl)
    );
    await Promise.all(due.map((entry) => this.#runOnce(entry)));
  }

  /** Runs a check unless it is already running, in which case the caller joins that run. */
  #runOnce(entry: Entry): Promise<unknown> {
    const { check, state } = entry;
    state.running ??= this.#limiter.run(() => check.run(this.#stop.signal)).then((result) => {
      state.finishedAt = this.#clock.now();
      const previous = state.view;
      const view = state.record(result);
      this.#onCheckResult?.(view, previous);
      return view;
    }).finally(() => {
      state.running = undefined;
    });
    return state.running;
  }

  async #refresh(entry: Entry): Promise<void> {
    await this.#runOnce(entry);
    if (this.#entries.includes(entry)) this.#publish();
  }

  #startLoops(): void {
    this.#scheduler.replace(this.#entries, (entry) => entry.check.interval ?? this.#settings.ttl);
  }

  #publish(): void {
    const previous = this.last;
    this.#published = {
      members: this.#entries.map(({ check, state, groups }) => ({
        name: check.name,
        critical: check.critical,
        groups,
        view: state.view,
      })),
      at: this.#clock.now(),
      timestamp: this.#clock.date().toISOString(),
    };
    this.#summaries.clear();
    this.#evaluations++;
    this.#updateLatch();
    this.#onEvaluated?.(this.last!, previous);
  }

  #updateLatch(): void {
    if (this.#startedLatched) return;
    // Non-critical checks cannot hold /health/started DOWN, so they cannot hold the latch either.
    const started = this.#entries.filter((entry) =>
      entry.groups.includes("started") && entry.check.critical
    );
    if (started.every((entry) => entry.state.everUp)) {
      this.#startedLatched = true;
      this.#summaries.clear();
    }
  }

  #flags(): SummaryFlags {
    return {
      draining: this.#draining,
      startedLatched: this.#startedLatched,
      configProblem: this.#configProblem,
    };
  }

  #summary(scope: Scope, published: Published): HealthStatus {
    // Only the current publish is cached; a stale one is summarised once for its caller.
    const current = published === this.#published;
    const cached = current ? this.#summaries.get(scope) : undefined;
    if (cached) return cached;
    const summary = summarize(
      published.members,
      scope,
      this.#flags(),
      published.at,
      published.timestamp,
    );
    if (current) this.#summaries.set(scope, summary);
    return summary;
  }

  #noResult(scope: Scope): HealthStatus {
    return noResult(scope, this.#flags(), this.#clock.now(), this.#clock.date().toISOString());
  }

  /** Whether `promise` settles within `ms`. */
  #within(promise: Promise<unknown>, ms: number): Promise<boolean> {
    if (!Number.isFinite(ms)) return promise.then(() => true);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    return Promise.race([promise.then(() => true), timeout]).finally(() => clearTimeout(timer));
  }
}
